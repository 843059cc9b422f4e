// GET /api/auth-config (how the task pane signs in) and the demo role switcher's header, which only
// demo mode honours.
import { startBrevdue, type Brevdue } from '../../backend/src/app';

describe('sign-in configuration and the demo role', () => {
  let demo: Brevdue;
  let prod: Brevdue;
  beforeAll(async () => {
    demo = await startBrevdue({ dataDir: null, demo: true, seed: false, runJobs: false });
    prod = await startBrevdue({
      dataDir: null, demo: false, seed: false, runJobs: false, kek: Buffer.alloc(32, 7).toString('base64'),
      production: { graphBaseUrl: 'http://127.0.0.1:9/', tenantId: '00000000-0000-4000-8000-000000000001', clientId: 'c0ffee00-0000-4000-8000-000000000002', clientSecret: 'x', apiAudience: 'api://brevdue.example.dk/c0ffee00-0000-4000-8000-000000000002' },
    });
  });
  afterAll(async () => { await demo?.stop(); await prod?.stop(); });

  test('demo mode needs no sign-in', async () => {
    const r = await fetch(`${demo.url}/api/auth-config`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ mode: 'demo' });
  });

  test('production names the Entra app, the multi-tenant authority and the API scope, without a token', async () => {
    const r = await fetch(`${prod.url}/api/auth-config`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({
      mode: 'entra', clientId: 'c0ffee00-0000-4000-8000-000000000002',
      authority: 'https://login.microsoftonline.com/organizations',
      scopes: ['api://brevdue.example.dk/c0ffee00-0000-4000-8000-000000000002/access_as_user'],
    });
  });

  test('the demo user acts as the role the switcher chose', async () => {
    const me = async (role?: string) => (await (await fetch(`${demo.url}/api/me`, { headers: role ? { 'X-Brevdue-Demo-Role': role } : {} })).json()) as { roles: string[] };
    expect((await me()).roles).toEqual(['admin']);
    expect((await me('reader')).roles).toEqual(['reader']);
    expect((await me('operator')).roles).toEqual(['operator']);
    expect((await me('root')).roles).toEqual(['admin']); // unknown values fall back to the demo's default
    // A reader is refused an admin route.
    const r = await fetch(`${demo.url}/api/admin/rules`, { method: 'POST', headers: { 'X-Brevdue-Demo-Role': 'reader', 'Content-Type': 'application/json' }, body: '{}' });
    expect(r.status).toBe(403);
  });

  test('outside demo mode the header grants nothing: no token, no access', async () => {
    const r = await fetch(`${prod.url}/api/me`, { headers: { 'X-Brevdue-Demo-Role': 'admin' } });
    expect(r.status).toBe(401);
  });
});
