// ENTRA_DEFAULT_ROLE=none: a signed-in member of the tenant without any role (no app role, no mapped
// group, no role grant) is refused, where the default makes them a reader of everything.
import { randomUUID } from 'node:crypto';
import type { Brevdue } from '../../backend/src/app';
import { organisations, roleGrants } from '../../backend/src/store/schema';
import { startIdp, startProductionBrevdue, type TestIdp } from '../helpers/entra';
import { testDatabases } from '../helpers/databases';

describe.each(testDatabases)('users without a role on $name', (tdb) => {
  let idp: TestIdp;
  let strict: Brevdue;
  let open: Brevdue;
  let drops: (() => Promise<void>)[] = [];
  const tenant = randomUUID();

  beforeAll(async () => {
    idp = await startIdp();
    const apps: Brevdue[] = [];
    for (const defaultRole of ['none', 'reader'] as const) {
      const d = await tdb.create();
      drops.push(d.drop);
      const app = await startProductionBrevdue(idp, { databaseUrl: d.databaseUrl, defaultRole });
      await app.database.db.insert(organisations).values({ name: 'Streng A/S', entraTenantId: tenant });
      apps.push(app);
    }
    [strict, open] = apps;
  }, 60_000);
  afterAll(async () => {
    await strict?.stop();
    await open?.stop();
    await idp?.close();
    for (const d of drops) await d();
    drops = [];
  });

  const me = async (app: Brevdue, claims: Record<string, unknown>) => {
    const res = await fetch(`${app.url}/api/me`, { headers: { Authorization: `Bearer ${await idp.token({ tid: tenant, claims })}` } });
    return { status: res.status, body: await res.json() as { roles?: string[]; error?: { message: string } } };
  };

  test('refused with a sentence when ENTRA_DEFAULT_ROLE=none; a reader by default', async () => {
    const oid = randomUUID();
    const refused = await me(strict, { oid });
    expect(refused.status).toBe(403);
    expect(refused.body.error!.message).toMatch(/no role in Brevdue yet/);
    expect((await me(open, { oid })).body.roles).toEqual(['reader']);
  });

  test('with an app role or a role grant the user gets in', async () => {
    expect((await me(strict, { oid: randomUUID(), roles: ['operator'] })).body.roles).toEqual(['operator']);
    const oid = randomUUID();
    const [org] = await strict.database.db.select().from(organisations);
    await strict.database.db.insert(roleGrants).values({ orgId: org.id, principalType: 'user', principalId: oid, displayName: 'Karen', role: 'reader', cvrs: null, createdBy: 'test' });
    const ok = await me(strict, { oid });
    expect(ok.status).toBe(200);
    expect(ok.body.roles).toEqual(['reader']);
  });
});
