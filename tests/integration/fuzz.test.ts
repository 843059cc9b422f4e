// Fuzzing, bounded in time and seeded (FUZZ_SEED reproduces a run): mutated and random MeMo XML into
// the parser, and mutated JSON into every API route that takes a body. The parser may only ever
// refuse with a MemoError (a path and a rule), never throw anything else or hang; the API may answer
// 4xx, but a 5xx must come with a logged reason and a readable error body.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseMemo } from '../../backend/src/memo/parse';
import { MemoError } from '../../backend/src/memo/types';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { mulberry32 } from '../../shared/src/prng';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const BUDGET_MS = Number(process.env.FUZZ_MS ?? 8000);

const rng = mulberry32;

const fixtures = ['memo-1.2-full.xml', 'memo-1.1.xml', 'nemsms-1.2.xml']
  .map((f) => readFileSync(fileURLToPath(new URL(`../fixtures/memo/${f}`, import.meta.url)), 'utf8'));

const NASTY = ['<', '>', '&', '&amp;', '&#0;', '&#x1F600;', '&bogus;', '<![CDATA[', ']]>', '<!--', '-->', '<?pi x?>', '<!DOCTYPE x [<!ENTITY a "aaaa">]>',
  'xmlns:memo=""', '\u0000', '\uFFFE', '\uD800', 'é', 'ø', '"', "'", '=', ' ', '\n', '0101901234', '9999-99-99T99:99:99Z', 'A'.repeat(5000), '</memo:Message>', '<memo:Message>'];

function mutate(text: string, r: () => number): string {
  let s = text;
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * s.length);
    const len = Math.floor(r() * 40);
    switch (Math.floor(r() * 5)) {
      case 0: s = s.slice(0, at) + s.slice(at + len); break; // delete a run
      case 1: s = s.slice(0, at) + NASTY[Math.floor(r() * NASTY.length)] + s.slice(at); break; // insert something hostile
      case 2: s = s.slice(0, at) + s.slice(at, at + len).split('').reverse().join('') + s.slice(at + len); break; // scramble
      case 3: { const from = Math.floor(r() * s.length); s = s.slice(0, at) + s.slice(from, from + len) + s.slice(at); break; } // duplicate a run
      default: s = s.slice(0, at); // truncate
    }
  }
  return s;
}

describe(`fuzzing (seed ${SEED})`, () => {
  test('the MeMo parser refuses mutated and random input with a MemoError, never anything else, quickly', () => {
    const r = rng(SEED);
    const end = Date.now() + BUDGET_MS;
    let runs = 0;
    let refused = 0;
    while (Date.now() < end) {
      const base = fixtures[runs % fixtures.length];
      const input = runs % 10 === 9
        ? Buffer.from(Array.from({ length: Math.floor(r() * 2000) }, () => Math.floor(r() * 256)))
        : mutate(base, r);
      const t0 = Date.now();
      try {
        parseMemo(runs % 2 ? Buffer.from(input) : input);
      } catch (e) {
        if (!(e instanceof MemoError)) throw new Error(`seed ${SEED}, run ${runs}: ${String(e)} for input ${JSON.stringify(String(input).slice(0, 300))}`);
        expect(e.path).toBeTruthy();
        expect(e.rule).toBeTruthy();
        refused++;
      }
      const took = Date.now() - t0;
      if (took > 1000) throw new Error(`seed ${SEED}, run ${runs}: parsing took ${took} ms`);
      runs++;
    }
    expect(runs).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(runs / 4); // most mutations break something; the fuzzer reaches the checks
  }, BUDGET_MS + 20_000);

  describe('API', () => {
    let app: Brevdue;
    const logged: string[] = [];
    beforeAll(async () => {
      // Limits far above what the fuzzer sends: this tests the routes, not the rate limiter (security-headers.test.ts does).
      app = await startBrevdue({ dataDir: null, demo: true, seed: false, runJobs: false, log: (l) => logged.push(l), security: { ipLimit: 1_000_000, userLimit: 1_000_000 } });
    });
    afterAll(async () => { await app?.stop(); });

    const BODY_ROUTES: [string, string][] = [
      ['POST', '/admin/rules'], ['POST', '/admin/rules/dry-run'], ['PUT', '/admin/routing-settings'], ['PUT', '/admin/delivery-settings'],
      ['POST', '/admin/destinations'], ['POST', '/admin/cvrs'], ['POST', '/admin/notices'], ['PUT', '/admin/retention-settings'],
      ['POST', '/messages/00000000-0000-4000-8000-000000000000/resend'], ['POST', '/messages/00000000-0000-4000-8000-000000000000/reroute'],
      ['POST', '/triage/00000000-0000-4000-8000-000000000000/place'], ['POST', '/admin/deliveries/retry'],
    ];
    const values = (r: () => number): unknown => {
      const pick = Math.floor(r() * 10);
      return [null, true, -1, 1e308, '', 'x'.repeat(10_000), '<script>alert(1)</script>', [], {}, { __proto__: { admin: true } }][pick];
    };
    const randomJson = (r: () => number, depth = 0): unknown => {
      if (depth > 3 || r() < 0.3) return values(r);
      if (r() < 0.5) return Array.from({ length: Math.floor(r() * 4) }, () => randomJson(r, depth + 1));
      const keys = ['name', 'priority', 'conditions', 'action', 'kind', 'destinationIds', 'cvr', 'retentionDays', 'textDa', 'startsAt', 'rules', 'days', 'mailbox', 'folderPath', 'enabled', 'always'];
      return Object.fromEntries(Array.from({ length: Math.floor(r() * 6) }, () => [keys[Math.floor(r() * keys.length)], randomJson(r, depth + 1)]));
    };

    test('random and malformed bodies never crash a route or answer 500 without a reason', async () => {
      const r = rng(SEED + 1);
      const end = Date.now() + BUDGET_MS;
      let requests = 0;
      const statuses = new Map<string, number>();
      while (Date.now() < end) {
        const [method, path] = BODY_ROUTES[requests % BODY_ROUTES.length];
        const raw = requests % 7 === 6 ? '{"broken": ' + 'x'.repeat(Math.floor(r() * 50)) : JSON.stringify(randomJson(r));
        const res = await fetch(`${app.url}/api${path}`, { method, headers: { 'Content-Type': 'application/json' }, body: raw });
        const text = await res.text();
        if (res.status >= 500) {
          const body = JSON.parse(text) as { error?: { message?: string } };
          expect(body.error?.message).toBeTruthy();
          expect(logged.some((l) => /"level":"error"/.test(l))).toBe(true);
          expect(text).not.toMatch(/at \S+ \(.*:\d+:\d+\)/); // no stack trace to the client
        } else {
          expect(res.status).toBeGreaterThanOrEqual(200);
        }
        if (res.status === 400) expect((JSON.parse(text) as { error: { message: string } }).error.message.length).toBeGreaterThan(5);
        statuses.set(`${path} ${res.status}`, (statuses.get(`${path} ${res.status}`) ?? 0) + 1);
        requests++;
      }
      if (process.env.FUZZ_REPORT) process.stderr.write(`${JSON.stringify(Object.fromEntries(statuses), null, 1)}\n`);
      expect(requests).toBeGreaterThan(50);
      // The server still answers normally afterwards.
      expect((await fetch(`${app.url}/api/health`)).status).toBeLessThan(600);
      expect((await fetch(`${app.url}/api/me`)).status).toBe(200);
    }, BUDGET_MS + 30_000);
  });
});
