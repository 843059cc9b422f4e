// Transport hardening of a production-mode server: helmet headers and the task pane's CSP, CORS for
// the add-in's origin only, the JSON body limit, and per-IP and per-user rate limits.
import { randomUUID } from 'node:crypto';
import type { Brevdue } from '../../backend/src/app';
import { organisations } from '../../backend/src/store/schema';
import { apiErrorSchema } from '../../shared/src/contracts';
import { startIdp, startProductionBrevdue, type TestIdp } from '../helpers/entra';

const ADDIN_ORIGIN = 'https://brevdue.example.dk';

/** "default-src 'self'; script-src …" → { 'default-src': ["'self'"], … } */
function parseCsp(header: string | null): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of (header ?? '').split(';').map((s) => s.trim()).filter(Boolean)) {
    const [name, ...values] = part.split(/\s+/);
    out[name] = values;
  }
  return out;
}

describe('security headers, CORS and body limits', () => {
  let idp: TestIdp;
  let app: Brevdue;
  const tenant = randomUUID();

  beforeAll(async () => {
    idp = await startIdp();
    app = await startProductionBrevdue(idp, { security: { allowedOrigins: [ADDIN_ORIGIN] } });
    await app.database.db.insert(organisations).values({ name: 'Testorg', entraTenantId: tenant });
  });
  afterAll(async () => { await app?.stop(); await idp?.close(); });

  test.each(['/', '/taskpane.html', '/api/health'])('%s carries helmet\'s headers and the task pane CSP', async (path) => {
    const res = await fetch(app.url + path);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=31536000/);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-powered-by')).toBeNull();
    // Outlook on the web frames the pane: X-Frame-Options cannot allow that, frame-ancestors does.
    expect(res.headers.get('x-frame-options')).toBeNull();
    const csp = parseCsp(res.headers.get('content-security-policy'));
    expect(csp['default-src']).toEqual(["'self'"]);
    expect(csp['script-src']).toEqual(["'self'", 'https://appsforoffice.microsoft.com']);
    expect(csp['script-src']).not.toContain("'unsafe-inline'");
    expect(csp['script-src']).not.toContain("'unsafe-eval'");
    expect(csp['style-src']).toEqual(["'self'", "'unsafe-inline'"]);
    expect(csp['img-src']).toEqual(["'self'", 'data:']);
    expect(csp['connect-src']).toEqual(expect.arrayContaining(["'self'", 'https://login.microsoftonline.com']));
    expect(csp['connect-src'].every((h) => h === "'self'" || /^https:\/\/([a-z0-9*-]+\.)*microsoft(online)?\.com$/.test(h))).toBe(true);
    expect(csp['frame-ancestors']).toEqual(expect.arrayContaining([
      'https://outlook.office.com', 'https://outlook.office365.com', 'https://*.officeapps.live.com', 'https://outlook.live.com',
    ]));
    expect(csp['frame-ancestors']).not.toContain('*');
    expect(csp['object-src']).toEqual(["'none'"]);
  });

  test('CORS answers the add-in\'s origin and no other', async () => {
    const preflight = (origin: string) => fetch(`${app.url}/api/me`, {
      method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
    });
    const ok = await preflight(ADDIN_ORIGIN);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ADDIN_ORIGIN);
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/Authorization/i);
    const evil = await preflight('https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const get = await fetch(`${app.url}/api/health`, { headers: { Origin: 'https://evil.example' } });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
    const allowedGet = await fetch(`${app.url}/api/health`, { headers: { Origin: ADDIN_ORIGIN } });
    expect(allowedGet.headers.get('access-control-allow-origin')).toBe(ADDIN_ORIGIN);
  });

  test('a change sent from a foreign web page is refused even without a preflight; the same origin and the add-in\'s pass', async () => {
    const token = await idp.token({ tid: tenant, claims: { roles: ['admin'] } });
    const post = (origin?: string) => fetch(`${app.url}/api/admin/cvrs`, {
      method: 'POST', body: JSON.stringify({ cvr: '1', name: 'x' }),
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...(origin ? { Origin: origin } : {}) },
    });
    const foreign = await post('https://evil.example');
    expect(foreign.status).toBe(403);
    expect(apiErrorSchema.parse(await foreign.json()).error.code).toBe('forbidden_origin');
    expect((await post('null')).status).toBe(403);
    // These reach the route and fail its validation (a 1-digit CVR number): not refused by origin.
    expect((await post(app.url)).status).toBe(400);
    expect((await post(ADDIN_ORIGIN)).status).toBe(400);
    expect((await post()).status).toBe(400);
  });

  test('an oversized JSON body gets 413 with a sentence, before sign-in is even checked', async () => {
    const res = await fetch(`${app.url}/api/admin/rules`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'x'.repeat(1_100_000) }),
    });
    expect(res.status).toBe(413);
    const body = apiErrorSchema.parse(await res.json());
    expect(body.error.code).toBe('too_large');
    expect(body.error.message).toMatch(/larger than 1,024 KB.*Send less/);
  });

  test('a body just under the limit is read (and then judged by the route)', async () => {
    const res = await fetch(`${app.url}/api/admin/rules`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'x'.repeat(900_000) }),
    });
    expect(res.status).toBe(401); // no token: the body was accepted by the parser, the route wants a sign-in
  });
});

describe('rate limits', () => {
  let idp: TestIdp;
  let app: Brevdue;
  const tenant = randomUUID();

  beforeAll(async () => {
    idp = await startIdp();
    app = await startProductionBrevdue(idp, { security: { ipLimit: 7, pushLimit: 2, userLimit: 3, windowMs: 60_000 } });
    await app.database.db.insert(organisations).values({ name: 'Testorg', entraTenantId: tenant });
  });
  afterAll(async () => { await app?.stop(); await idp?.close(); });

  test('per user, then per IP: 429 with Retry-After and a readable error', async () => {
    const as = async (oid: string) => ({ Authorization: `Bearer ${await idp.token({ tid: tenant, claims: { oid } })}` });
    const karen = await as('karen');
    for (let i = 0; i < 3; i++) expect((await fetch(`${app.url}/api/me`, { headers: karen })).status).toBe(200);
    const limited = await fetch(`${app.url}/api/me`, { headers: karen });
    expect(limited.status).toBe(429);
    const wait = Number(limited.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    const body = apiErrorSchema.parse(await limited.json());
    expect(body.error.code).toBe('rate_limited');
    expect(body.error.message).toMatch(new RegExp(`^Too many requests from your account\\. Wait ${wait} seconds? and try again\\.$`));

    // Another person from the same address still has their own budget (5th and 6th request from this IP).
    const jens = await as('jens');
    expect((await fetch(`${app.url}/api/me`, { headers: jens })).status).toBe(200);
    expect((await fetch(`${app.url}/api/me`, { headers: jens })).status).toBe(200);
    // 7th from the IP: allowed by the IP limit (7), refused for nobody yet; the 8th exceeds the address's budget.
    expect((await fetch(`${app.url}/api/me`)).status).toBe(401);
    const ip = await fetch(`${app.url}/api/me`, { headers: jens });
    expect(ip.status).toBe(429);
    expect(Number(ip.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(apiErrorSchema.parse(await ip.json()).error.message).toMatch(/^Too many requests from your network address\. Wait \d+ seconds? and try again\.$/);
    // The push receiver has its own budget: a busy address on /api does not hold Digital Post's letters
    // back (and the reverse). Health and readiness probes are never limited.
    for (let i = 0; i < 2; i++) expect((await fetch(`${app.url}/ngdp/push`, { method: 'POST' })).status).not.toBe(429);
    expect((await fetch(`${app.url}/ngdp/push`, { method: 'POST' })).status).toBe(429);
    expect((await fetch(`${app.url}/api/me`, { headers: jens })).status).toBe(429); // the API budget is still spent
    expect((await fetch(`${app.url}/api/health`)).status).not.toBe(429);
  });
});
