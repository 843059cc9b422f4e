// Before: the (unverified) token's `tid` chose the key URL, so each made-up tenant cost an outbound
// key fetch and a cache entry kept for ever. Now a tenant that is no organisation here is refused at
// once (403, the answer a valid token of that tenant gets too), with no request to Entra, and the keys
// are one set per authority (Entra's keys are the same for every tenant), fetched once.
import { randomUUID } from 'node:crypto';
import type { Brevdue } from '../../backend/src/app';
import { organisations } from '../../backend/src/store/schema';
import { apiErrorSchema } from '../../shared/src/contracts';
import { startIdp, startProductionBrevdue, type TestIdp } from '../helpers/entra';
import { testDatabases } from '../helpers/databases';

describe.each(testDatabases)('tokens of unknown tenants on $name', (tdb) => {
  let idp: TestIdp;
  let app: Brevdue;
  let drop: () => Promise<void>;
  const tenant = randomUUID();
  const otherTenant = randomUUID();

  beforeAll(async () => {
    idp = await startIdp();
    const d = await tdb.create();
    drop = d.drop;
    app = await startProductionBrevdue(idp, { databaseUrl: d.databaseUrl, security: { ipLimit: 100_000 } });
    await app.database.db.insert(organisations).values([{ name: 'Testorg', entraTenantId: tenant }, { name: 'Anden', entraTenantId: otherTenant }]);
  });
  afterAll(async () => {
    await app?.stop();
    await idp?.close();
    await drop?.();
  });

  const me = async (token: string) => {
    const res = await fetch(`${app.url}/api/me`, { headers: { Authorization: `Bearer ${token}` } });
    return { status: res.status, body: await res.json() as unknown };
  };
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const keyFetches = () => idp.requests.filter((u) => u.includes('/discovery/v2.0/keys'));

  test('a made-up tenant is refused before any key is fetched, signed or not', async () => {
    for (let i = 0; i < 100; i++) {
      const r = await me(`${b64({ alg: 'RS256', kid: `k-${i}` })}.${b64({ tid: randomUUID() })}.c2ln`);
      expect(r.status).toBe(403);
      expect(apiErrorSchema.parse(r.body).error).toEqual({ code: 'forbidden', message: 'Your organisation is not set up in Brevdue. Ask your administrator.' });
    }
    // A valid token of a tenant that is not set up: the same answer, and still no fetch.
    const stranger = randomUUID();
    const r = await me(await idp.token({ tid: stranger, claims: { roles: ['admin'] } }));
    expect(r.status).toBe(403);
    expect(JSON.stringify(r.body)).not.toContain(stranger);
    expect(keyFetches()).toEqual([]);
  });

  test('the organisations\' tenants share one key set, fetched once; forged tokens of them cost no more fetches', async () => {
    expect((await me(await idp.token({ tid: tenant }))).status).toBe(200);
    expect((await me(await idp.token({ tid: otherTenant }))).status).toBe(200);
    expect((await me(await idp.token({ tid: tenant }))).status).toBe(200);
    expect(keyFetches()).toEqual(['/common/discovery/v2.0/keys']);
    // Unknown key ids under a known tenant: jose refetches at most once in its 30 s cool-down.
    for (let i = 0; i < 50; i++) {
      const r = await me(`${b64({ alg: 'RS256', kid: `forged-${i}` })}.${b64({ tid: tenant })}.c2ln`);
      expect(r.status).toBe(401);
    }
    expect(keyFetches().length).toBeLessThanOrEqual(2);
  });
});
