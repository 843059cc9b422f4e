// A person may reroute a letter that routing has not decided yet (it arrived a moment ago). Their
// choice is the decision: routing, which claims only letters still 'received', must not deliver it
// by rule as well, nor teach the assistant the rule's place.
import { eq } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import type { AppContext } from '../../backend/src/context';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { routeStoredLetter } from '../../backend/src/routing/apply';
import { deliveries, destinations, messages } from '../../backend/src/store/schema';
import { testDatabases } from '../helpers/databases';
import { callApi, receiveLetter } from '../helpers/app';

const [cvrA] = DEMO_ORGANISATION.cvrs;

describe.each(testDatabases)('reroute before routing on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let quiet: AppContext;

  beforeEach(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false });
    quiet = { ...app.ctx, jobs: { ...app.ctx.jobs, routeSoon: async () => undefined, deliverSoon: async () => undefined, notifyDeadSoon: async () => undefined } };
  });
  afterEach(async () => {
    await app?.stop();
    await drop?.();
  });

  test('the person\'s destination is the only delivery; routing afterwards leaves the letter alone', async () => {
    const id = await receiveLetter(app, demoMemo({ recipientCvr: cvrA.cvr, label: 'Afgørelse om ejendomsvurdering' }));
    const [before] = await app.database.db.select({ status: messages.status }).from(messages).where(eq(messages.id, id));
    expect(before.status).toBe('received');
    const all = await app.database.db.select().from(destinations).where(eq(destinations.orgId, app.demoOrgId!));
    const jura = all.find((d) => d.kind === 'teams_channel') ?? all[all.length - 1];

    const rr = await callApi(app, 'POST', `/messages/${id}/reroute`, { destinationIds: [jura.id] });
    expect(rr.status).toBe(202);
    // The demo's rules would send this letter to its CVR's shared mailbox: routing now must not.
    await routeStoredLetter(quiet, id);

    const rows = await app.database.db.select().from(deliveries).where(eq(deliveries.messageId, id));
    expect(rows.map((r) => [r.destinationId, r.reason])).toEqual([[jura.id, 'reroute']]);
    const [after] = await app.database.db.select({ status: messages.status }).from(messages).where(eq(messages.id, id));
    expect(after.status).toBe('routed');
    // Taught as a person's choice, not as the rule's.
    const model = await app.ctx.assistant.model(app.demoOrgId!);
    expect(model.targets()).toEqual([jura.id]);
  });
});
