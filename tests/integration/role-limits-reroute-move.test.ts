// A reroute with "move", made by someone who sees every delivery, and a caller limited to the new
// destination. The new copy's `delivered` event names the earlier copy it moved or removed (in its
// sentence, and as `data.oldCopy`: what was done, the earlier mailbox and delivery): for a caller who
// does not see that earlier delivery, the event is redacted like the separate `old_copy_removed` /
// `old_copy_moved` event (store/read.ts scopedTimeline: an event naming any delivery the caller does
// not see, at any depth of its data). Production mode, real tokens; the deliveries run for real
// against the Graph simulator.
import { randomUUID } from 'node:crypto';
import express from 'express';
import { eq } from 'drizzle-orm';
import type { Brevdue } from '../../backend/src/app';
import type { AppContext } from '../../backend/src/context';
import { deliveries, destinations, mailboxes } from '../../backend/src/store/schema';
import { storeLetter } from '../../backend/src/store/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { demoMemo } from '../../backend/src/demo/letters';
import { runDelivery } from '../../backend/src/delivery/deliver';
import { createGraphClient, staticToken } from '../../backend/src/delivery/graph-client';
import { createGraphSimulator, type GraphSimulatorApi } from '../../backend/src/simulators/graph';
import { listen, type RunningServer } from '../../backend/src/simulators/http';
import { startIdp, startProductionBrevdue, type TestIdp } from '../helpers/entra';
import { testDatabases } from '../helpers/databases';
import { callWithToken, insertTenantOrganisation } from '../helpers/tenant';

const CVR1 = '12345674';
const CEO_MAILBOX = 'direktion@a.example';
const ONE_MAILBOX = 'one@a.example';
const GRAPH_TOKEN = `graph-${randomUUID()}`;

interface TimelineEntry { type: string; text: string; data: Record<string, unknown> }

describe.each(testDatabases)('limited callers and a reroute that moved a copy beyond their limits on $name', (tdb) => {
  let idp: TestIdp;
  let app: Brevdue;
  let drop: () => Promise<void>;
  let graphServer: RunningServer;
  let graphApi: GraphSimulatorApi;
  /** The app's context, delivering through the Graph simulator. */
  let ctx: AppContext;
  const tenant = randomUUID();
  const group = { one: randomUUID(), archive: randomUUID() };
  let orgId = '';
  let mailboxId = '';
  const D = {} as Record<'one' | 'ceo' | 'archive', string>;

  const token = (claims: Record<string, unknown>) => idp.token({ tid: tenant, claims: { name: 'Test Person', ...claims } });
  const api = (tok: string, method: string, path: string, body?: unknown) => callWithToken(app, tok, method, path, body);
  const deliveryOf = async (id: string) => (await app.database.db.select().from(deliveries).where(eq(deliveries.id, id)))[0];

  /** A letter delivered (for real) to the management's mailbox; returns the letter, the delivery and its Graph id. */
  async function deliveredToManagement() {
    const db = app.database.db;
    const memo = demoMemo({ recipientCvr: CVR1, label: `Brev ${randomUUID().slice(0, 8)}` });
    const [mb] = await db.select().from(mailboxes).where(eq(mailboxes.id, mailboxId));
    const { messageId } = await storeLetter(db, app.ctx.sealer, mb, memo, Buffer.from(buildMemoXml(memo)));
    const [d] = await db.insert(deliveries).values({ orgId, messageId, destinationId: D.ceo }).returning();
    await runDelivery(ctx, d.id);
    const done = await deliveryOf(d.id);
    expect(done.status).toBe('delivered');
    return { messageId, ceoDelivery: d.id, ceoGraphId: done.graphMessageId! };
  }

  /** An unlimited admin reroutes the letter, moving the earlier copy; the new copy is delivered. */
  async function rerouteWithMove(messageId: string, destinationId: string): Promise<string> {
    const admin = await token({ oid: randomUUID(), roles: ['admin'] });
    const rr = await api(admin, 'POST', `/messages/${messageId}/reroute`, { destinationIds: [destinationId], oldCopy: 'move' });
    expect(rr.status).toBe(202);
    const [id] = rr.json.deliveryIds as string[];
    await runDelivery(ctx, id);
    expect((await deliveryOf(id)).status).toBe('delivered');
    return id;
  }

  beforeAll(async () => {
    idp = await startIdp();
    const d = await tdb.create();
    drop = d.drop;
    app = await startProductionBrevdue(idp, {
      databaseUrl: d.databaseUrl, security: { ipLimit: 100_000, userLimit: 100_000 },
      destinationsAllowed: { '*': { mailDomains: ['a.example'], teams: [] } },
    });
    const g = createGraphSimulator({ acceptedTokens: [GRAPH_TOKEN] });
    const graphApp = express();
    graphApp.use('/sim/graph', g.router);
    graphServer = await listen(graphApp);
    graphApi = g.api;
    graphApi.addMailbox({ id: CEO_MAILBOX, displayName: 'Direktion', kind: 'user' });
    graphApi.addMailbox({ id: ONE_MAILBOX, displayName: 'Afdeling one', kind: 'shared' });
    ctx = { ...app.ctx, graph: createGraphClient({ baseUrl: `${graphServer.url}/sim/graph/`, tokens: staticToken(GRAPH_TOKEN) }) };

    const db = app.database.db;
    const org = await insertTenantOrganisation(app, tenant, { one: CVR1 });
    orgId = org.orgId;
    mailboxId = org.mailboxIds.one;
    for (const [k, kind, name, mailbox, folderPath] of [
      ['one', 'shared_mailbox', 'Afdeling one', ONE_MAILBOX, 'Digital Post'],
      ['ceo', 'user_mailbox', 'Direktion', CEO_MAILBOX, 'Digital Post'],
      // The management's archive: another destination in the same mailbox (a move there is a Graph move).
      ['archive', 'user_mailbox', 'Direktionens arkiv', CEO_MAILBOX, 'Arkiv'],
    ] as const) {
      const [dest] = await db.insert(destinations).values({ orgId, kind, displayName: name, mailbox, folderPath }).returning();
      D[k] = dest.id;
    }
    const admin = await token({ oid: randomUUID(), roles: ['admin'] });
    const grant = async (body: Record<string, unknown>) => expect((await api(admin, 'POST', '/admin/role-grants', body)).status).toBe(201);
    await grant({ principalType: 'group', principalId: group.one, displayName: 'Afdeling one', role: 'reader', destinationIds: [D.one] });
    await grant({ principalType: 'group', principalId: group.archive, displayName: 'Arkivet', role: 'operator', destinationIds: [D.archive] });
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await graphServer?.close();
    await idp?.close();
    await drop?.();
  });

  test('the new copy\'s delivered event does not name the removed copy\'s mailbox or delivery to a caller limited to the new destination', async () => {
    const X = await deliveredToManagement();
    const newDelivery = await rerouteWithMove(X.messageId, D.one);
    // It did happen: the management's copy is gone from its folder, and the unlimited admin reads where from.
    expect(graphApi.messages(CEO_MAILBOX).filter((m) => m.folderPath.endsWith('Digital Post'))).toEqual([]);
    const admin = await token({ oid: randomUUID(), roles: ['admin'] });
    const full = await api(admin, 'GET', `/messages/${X.messageId}`);
    const fullDelivered = (full.json.timeline as TimelineEntry[]).find((e) => e.type === 'delivered' && e.data.deliveryId === newDelivery)!;
    expect(fullDelivered.text).toContain(`removed the earlier copy from ${CEO_MAILBOX}`);
    expect(fullDelivered.data.oldCopy).toEqual({ action: 'removed', mailbox: CEO_MAILBOX, deliveryId: X.ceoDelivery });

    const limited = await token({ oid: randomUUID(), groups: [group.one] });
    const detail = await api(limited, 'GET', `/messages/${X.messageId}`);
    expect(detail.status).toBe(200);
    expect(detail.json.deliveries.map((d: { id: string }) => d.id)).toEqual([newDelivery]);
    // Nothing of the management's delivery: its mailbox, delivery id, destination id or Graph id.
    expect([CEO_MAILBOX, 'Direktion', X.ceoDelivery, D.ceo, X.ceoGraphId].filter((s) => detail.text.includes(s))).toEqual([]);
    // Both events about the two copies are there, without their details.
    const timeline = detail.json.timeline as TimelineEntry[];
    expect(timeline.filter((e) => e.type === 'delivered' || e.type === 'old_copy_removed').map((e) => [e.type, e.data]))
      .toEqual([['delivered', { redacted: true }], ['old_copy_removed', { redacted: true }]]);
    // The reroute itself names only the new destination: shown as written.
    expect(timeline.find((e) => e.type === 'reroute_requested')!.data).toMatchObject({ destinationIds: [D.one], moving: 1 });
  });

  test('a move within the management\'s mailbox: the delivery moved from is not named to a caller limited to the archive', async () => {
    const X = await deliveredToManagement();
    const newDelivery = await rerouteWithMove(X.messageId, D.archive);
    const moved = await deliveryOf(newDelivery);
    expect(moved.graphMessageId).toBeTruthy();
    expect(graphApi.messages(CEO_MAILBOX).filter((m) => m.folderPath.endsWith('Arkiv'))).toHaveLength(1);

    const limited = await token({ oid: randomUUID(), groups: [group.archive] });
    const detail = await api(limited, 'GET', `/messages/${X.messageId}`);
    expect(detail.status).toBe(200);
    expect(detail.json.deliveries.map((d: { id: string }) => d.id)).toEqual([newDelivery]);
    // The mailbox is the caller's own destination's; the management's delivery and destination are not.
    expect([X.ceoDelivery, D.ceo].filter((s) => detail.text.includes(s))).toEqual([]);
    const timeline = detail.json.timeline as TimelineEntry[];
    expect(timeline.filter((e) => e.type === 'delivered' || e.type === 'old_copy_moved').map((e) => [e.type, e.data]))
      .toEqual([['delivered', { redacted: true }], ['old_copy_moved', { redacted: true }]]);
  });
});
