// npm run bench:faults — the whole flow (Digital Post simulator → store → route → Graph simulator)
// once clean and once with faults injected, on a fresh database each: 10 % of Graph requests fail
// (4 % 429 and 3 % 503 with Retry-After 1 s, 3 % writes performed but not answered within the
// engine's timeout) and 5 % of Digital Post API calls fail (500/503). Every letter must still arrive
// exactly once and the provider must be left empty.
// Prints last: delivered_fraction (faulty run), duplicates (both runs), slowdown_vs_clean (faulty ÷
// clean time from the first letter injected to the last delivered), plus the run details.
//   BENCH_LETTERS (300), BENCH_DATABASE_URL (default the local PostgreSQL server; "pglite" = embedded)
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../backend/src/app';
import { DEMO_ORGANISATION, generateDemoLetters } from '../backend/src/demo/letters';
import { buildMemoXml } from '../backend/src/memo/build';
import { DELIVERY_ID_PROPERTY } from '../backend/src/delivery/render';

const LETTERS = Number(process.env.BENCH_LETTERS ?? 300);
const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 15 * 60_000);
const say = (s: string) => process.stderr.write(`[bench:faults] ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface RunResult { seconds: number; delivered: number; expected: number; duplicates: number; missingCopies: number; leftAtProvider: number; dead: number; graphFaults: number }

async function freshDatabase(): Promise<{ url?: string; drop(): Promise<void> }> {
  if (SERVER === 'pglite') return { drop: async () => undefined };
  const name = `brevdue_faults_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(SERVER); u.pathname = `/${name}`;
  return { url: u.toString(), drop: async () => { await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); await admin.end(); } };
}

const rowsOf = (r: unknown) => ((r as { rows?: unknown[] }).rows ?? (r as unknown[])) as Record<string, unknown>[];

async function run(label: string, faulty: boolean): Promise<RunResult> {
  const db = await freshDatabase();
  let app: Brevdue | null = null;
  try {
    app = await startBrevdue({
      port: 0, databaseUrl: db.url, dataDir: null, demo: true, seed: false,
      pollIntervalMs: 1000, processEveryMs: 50, graphTimeoutMs: 2000, deliveryConcurrency: 32,
    });
    const sims = app.sims!;
    if (faulty) {
      sims.graph.api.setFaults({ rate429: 0.04, rate503: 0.03, timeoutAfterWriteRate: 0.03, timeoutAfterWriteDelayMs: 4000, retryAfterSeconds: 1 });
      sims.ngdp.api.setFaults({ errorRate: 0.05 });
    }
    const letters = await generateDemoLetters({ recipients: [...DEMO_ORGANISATION.cvrs], count: LETTERS, seed: 4242 });
    const t0 = Date.now();
    for (const m of letters) sims.ngdp.api.inject(m.recipient.id, buildMemoXml(m));
    say(`${label}: ${LETTERS} letters in the Digital Post simulator`);

    const q = async (text: string) => rowsOf(await app!.database.db.execute(sql.raw(text)));
    let last = '';
    for (;;) {
      const [s] = await q(`SELECT count(*)::int AS letters, count(*) FILTER (WHERE status IN ('delivered', 'failed'))::int AS settled,
        (SELECT count(*)::int FROM deliveries WHERE status = 'delivered') AS delivered,
        (SELECT count(*)::int FROM deliveries WHERE status NOT IN ('delivered', 'dead')) AS open FROM messages`);
      const line = `${s.letters} stored, ${s.settled} settled, ${s.delivered} deliveries done, ${s.open} open`;
      if (line !== last) { say(`${label}: ${line}`); last = line; }
      if (Number(s.letters) === LETTERS && Number(s.settled) === LETTERS && Number(s.open) === 0) break;
      if (Date.now() - t0 > TIMEOUT_MS) throw new Error(`${label}: not settled after ${TIMEOUT_MS / 1000} s (${line})`);
      await sleep(500);
    }
    const [span] = await q(`SELECT extract(epoch FROM max(delivered_at)) * 1000 AS last FROM deliveries WHERE status = 'delivered'`);
    const seconds = (Number(span.last) - t0) / 1000;
    const delivered = (await q(`SELECT id FROM deliveries WHERE status = 'delivered'`)).map((r) => String(r.id));
    const [{ expected, dead }] = await q(`SELECT count(*)::int AS expected, count(*) FILTER (WHERE status = 'dead')::int AS dead FROM deliveries`);
    // Exactly once: every copy in every simulated mailbox, counted by our delivery id property.
    const perDelivery = new Map<string, number>();
    for (const mb of sims.graph.api.mailboxes()) {
      for (const m of sims.graph.api.messages(mb.id)) {
        const id = m.extendedProperties.find((p) => p.id.toLowerCase() === DELIVERY_ID_PROPERTY.toLowerCase())?.value;
        if (id) perDelivery.set(id, (perDelivery.get(id) ?? 0) + 1);
      }
    }
    const duplicates = [...perDelivery.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
    const missingCopies = delivered.filter((id) => !perDelivery.has(id)).length;
    const leftAtProvider = DEMO_ORGANISATION.cvrs.reduce((n, c) => n + sims.ngdp.api.waiting(c.cvr).length, 0);
    const stats = sims.graph.api.stats() as unknown as { faulted429?: number; faulted503?: number };
    const graphFaults = (stats.faulted429 ?? 0) + (stats.faulted503 ?? 0);
    say(`${label}: ${delivered.length}/${expected} deliveries in ${seconds.toFixed(1)} s; ${duplicates} duplicate copies, ${missingCopies} delivered without a copy, ${Number(dead)} dead, ${leftAtProvider} left at the provider, ${graphFaults} injected Graph 429/503`);
    return { seconds, delivered: delivered.length, expected: Number(expected), duplicates, missingCopies, leftAtProvider, dead: Number(dead), graphFaults };
  } finally {
    await app?.stop().catch(() => undefined);
    await db.drop().catch(() => undefined);
  }
}

async function main() {
  const clean = await run('clean', false);
  const faulty = await run('faulty', true);
  const figures: [string, string][] = [
    ['letters', String(LETTERS)],
    ['deliveries', String(faulty.expected)],
    ['injected_graph_faults', String(faulty.graphFaults)],
    ['dead', String(faulty.dead)],
    ['left_at_provider', String(clean.leftAtProvider + faulty.leftAtProvider)],
    ['clean_seconds', clean.seconds.toFixed(1)],
    ['faulty_seconds', faulty.seconds.toFixed(1)],
    ['delivered_fraction', (faulty.delivered / faulty.expected).toFixed(4)],
    ['duplicates', String(clean.duplicates + faulty.duplicates + clean.missingCopies + faulty.missingCopies)],
    ['slowdown_vs_clean', (faulty.seconds / clean.seconds).toFixed(2)],
  ];
  for (const [k, v] of figures) process.stdout.write(`${k}: ${v}\n`);
}

main().then(() => process.exit(0), (e) => { process.stderr.write(`bench:faults failed: ${(e as Error).stack}\n`); process.exit(1); });
