// Rules whose CVR number or destination has gone (routing/rules-store.ts updateRule,
// delivery/registry/destinations.ts archiveDestination), through the API: a rule whose CVR number
// was removed can still be paused, renamed and reordered, but not enabled again; a deleted rule does
// not keep its destination from being archived.
import { eq } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION } from '../../backend/src/demo/letters';
import { destinations } from '../../backend/src/store/schema';
import { ruleViewSchema } from '../../shared/src/contracts';
import { testDatabases } from '../helpers/databases';
import { callApi } from '../helpers/app';

const cvrB = DEMO_ORGANISATION.cvrs[1].cvr;

describe.each(testDatabases)('rules naming what has gone, on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let finance = '';
  let teams = '';

  beforeEach(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false });
    const all = await app.database.db.select().from(destinations).where(eq(destinations.orgId, app.demoOrgId!));
    finance = all.find((x) => x.displayName === 'Økonomi – fælles postkasse')!.id;
    teams = all.find((x) => x.kind === 'teams_channel')!.id;
    // Only the rules each test makes: the demo's are removed.
    for (const r of (await api('GET', '/admin/rules')).body.items) expect((await api('DELETE', `/admin/rules/${r.id}`)).status).toBe(204);
  });
  afterEach(async () => {
    await app?.stop();
    await drop?.();
  });

  const api = (method: string, path: string, body?: unknown) => callApi(app, method, path, body);
  const create = async (body: unknown) => {
    const r = await api('POST', '/admin/rules', body);
    expect(r.status).toBe(201);
    return ruleViewSchema.parse(r.body);
  };

  test('a rule whose CVR number was removed can be paused, renamed and reordered; enabling it again is refused, naming the CVR', async () => {
    const rule = await create({
      name: 'Ejendomme til Økonomi', priority: 10, conditions: { recipientCvr: cvrB }, action: { kind: 'destinations', destinationIds: [finance] },
    });
    expect((await api('DELETE', `/admin/cvrs/${cvrB}`)).status).toBe(204);

    const paused = await api('PATCH', `/admin/rules/${rule.id}`, { enabled: false });
    expect(paused.status).toBe(200);
    expect(ruleViewSchema.parse(paused.body)).toMatchObject({ enabled: false, version: 2 });
    const renamed = await api('PATCH', `/admin/rules/${rule.id}`, { name: 'Ejendomme (solgt)', priority: 90 });
    expect(renamed.status).toBe(200);
    expect(ruleViewSchema.parse(renamed.body)).toMatchObject({ name: 'Ejendomme (solgt)', priority: 90, enabled: false, version: 3 });

    const enabled = await api('PATCH', `/admin/rules/${rule.id}`, { enabled: true });
    expect(enabled.status).toBe(422);
    expect(enabled.body.error.message).toContain(`Recipient CVR ${cvrB} is not one of the organisation's CVR numbers`);
    // Refused means unchanged: still paused, at the version the rename made.
    const stored = ruleViewSchema.parse((await api('GET', '/admin/rules')).body.items.find((r: { id: string }) => r.id === rule.id));
    expect(stored).toMatchObject({ enabled: false, version: 3 });
    // A disabled rule may keep its own gone CVR number, but not gain another one.
    const other = DEMO_ORGANISATION.cvrs[2].cvr;
    expect((await api('DELETE', `/admin/cvrs/${other}`)).status).toBe(204);
    const widened = await api('PATCH', `/admin/rules/${rule.id}`, { conditions: { any: [{ recipientCvr: cvrB }, { recipientCvr: other }] } });
    expect(widened.status).toBe(422);
    expect(widened.body.error.message).toContain(other);
  });

  test('a deleted rule does not keep its destination from being archived; a live one does', async () => {
    const rule = await create({ name: 'Skat til Teams', priority: 10, conditions: { senderId: '19552101' }, action: { kind: 'destinations', destinationIds: [teams] } });
    const refused = await api('DELETE', `/admin/destinations/${teams}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('"Skat til Teams"');

    expect((await api('DELETE', `/admin/rules/${rule.id}`)).status).toBe(204);
    expect((await api('DELETE', `/admin/destinations/${teams}`)).status).toBe(204);
    const [row] = await app.database.db.select().from(destinations).where(eq(destinations.id, teams));
    expect(row.archivedAt).not.toBeNull();
  });
});
