// Routing caches each organisation's compiled rules, CVR names and registry under
// organisations.routing_version (routing/apply.ts). Triggers (migration 0016) bump that number in the
// same transaction as any change of rules, CVR numbers or destinations, however the change is made, so
// the next letter is routed by the new rules, never by a stale copy.
import { eq, sql } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { cvrNumbers, deliveries, destinations, organisations } from '../../backend/src/store/schema';
import { routeStoredLetter } from '../../backend/src/routing/apply';
import { receiveLetter } from '../helpers/app';
import { testDatabases } from '../helpers/databases';

const [cvrA] = DEMO_ORGANISATION.cvrs;

describe.each(testDatabases)('routing version on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;

  beforeEach(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false });
  });
  afterEach(async () => {
    await app.stop();
    await drop();
  });

  const version = async () => Number((await app.database.db.select({ v: organisations.routingVersion }).from(organisations)
    .where(eq(organisations.id, app.demoOrgId!)))[0].v);
  const routedTo = async (messageId: string) => (await app.database.db.select({ d: deliveries.destinationId }).from(deliveries)
    .where(eq(deliveries.messageId, messageId))).map((r) => r.d);

  test('every change of rules, CVR numbers or destinations bumps the version; DELETE too', async () => {
    const db = app.database.db;
    const orgId = app.demoOrgId!;
    let v = await version();
    const [dest] = await db.insert(destinations).values({ orgId, kind: 'shared_mailbox', displayName: 'Ny afdeling', mailbox: 'ny@nordlys.example', folderPath: 'Indbakke' }).returning();
    expect(await version()).toBeGreaterThan(v);
    v = await version();
    await db.update(destinations).set({ displayName: 'Ny afdeling (omdøbt)' }).where(eq(destinations.id, dest.id));
    expect(await version()).toBeGreaterThan(v);
    v = await version();
    await db.insert(cvrNumbers).values({ orgId, cvr: '10000009', name: 'Test ApS' });
    expect(await version()).toBeGreaterThan(v);
    v = await version();
    await db.delete(cvrNumbers).where(eq(cvrNumbers.cvr, '10000009'));
    expect(await version()).toBeGreaterThan(v);
    v = await version();
    await db.execute(sql`UPDATE rules SET priority = priority + 1 WHERE org_id = ${orgId}`);
    expect(await version()).toBeGreaterThan(v);
    // A change elsewhere (the organisation's own settings) leaves it alone.
    v = await version();
    await db.update(organisations).set({ retentionDays: 120 }).where(eq(organisations.id, orgId));
    expect(await version()).toBe(v);
  });

  test('a rule changed behind the application\'s back routes the next letter, not a cached copy', async () => {
    const db = app.database.db;
    const orgId = app.demoOrgId!;
    const first = await receiveLetter(app, demoMemo({ recipientCvr: cvrA.cvr }));
    await routeStoredLetter(app.ctx, first);
    const before = await routedTo(first);
    expect(before.length).toBeGreaterThan(0); // the demo rules place it: the rule set is now cached

    const [dest] = await db.insert(destinations).values({ orgId, kind: 'shared_mailbox', displayName: 'Ny afdeling', mailbox: 'ny@nordlys.example', folderPath: 'Indbakke' }).returning();
    expect(before).not.toContain(dest.id);
    // Plain SQL, not the rules API: only the trigger can tell routing.
    await db.execute(sql`UPDATE rules SET destination_ids = ${JSON.stringify([dest.id])}::jsonb WHERE org_id = ${orgId}`);

    const second = await receiveLetter(app, demoMemo({ recipientCvr: cvrA.cvr }));
    await routeStoredLetter(app.ctx, second);
    expect(await routedTo(second)).toEqual([dest.id]);
  });
});
