// A letter whose content is erased (a data subject request) or purged (retention) before it was
// delivered is never delivered afterwards: not routed (its queue row goes), its pending deliveries end
// without a mail, and resend, reroute and placement refuse it. The letter is marked failed and its
// timeline says it was not delivered because its content was deleted; no dead-letter notice is owed.
// An attempt that may have left a copy looks for it (never creates one), and one already under way when
// the erase commits is left to finish, so the trace names every copy that exists (docs/PRIVACY.md).
import { and, eq } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import type { AppContext } from '../../backend/src/context';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { DEMO_FINANCE_MAILBOX } from '../../backend/src/demo/delivery-seed';
import { routeStoredLetter } from '../../backend/src/routing/apply';
import { runDelivery } from '../../backend/src/delivery/deliver';
import { reroute, resend, retryFailed } from '../../backend/src/delivery/operations';
import { orgScope } from '../../backend/src/store/scope';
import { notifyWaitingDeadLetters } from '../../backend/src/delivery/notify';
import { DELIVERY_ID_PROPERTY, renderMail } from '../../backend/src/delivery/render';
import { createMessage, ensureFolder } from '../../backend/src/delivery/mailbox';
import { purgeLetters, PURGED_LABEL } from '../../backend/src/retention/purge';
import { HttpError } from '../../backend/src/api/errors';
import { deliveries, destinations, events, messages, routeQueue } from '../../backend/src/store/schema';
import { messageDetailSchema } from '../../shared/src/contracts';
import { eventually, testDatabases } from '../helpers/databases';
import { callApi, receiveLetter } from '../helpers/app';
import { beforeWrites, gate } from '../helpers/db-hooks';

const [cvrA] = DEMO_ORGANISATION.cvrs;

/** A query builder whose statement, once built (any chain of calls on it), awaits `hook` before it runs. */
function beforeExecute<T extends object>(builder: T, hook: () => Promise<void> | undefined): T {
  return new Proxy(builder, {
    get(t, p) {
      const v = Reflect.get(t, p, t);
      if (typeof v !== 'function') return v;
      if (p === 'execute') return async (...a: unknown[]) => { await hook(); return v.apply(t, a); };
      return (...a: unknown[]) => {
        const r = v.apply(t, a);
        return r && typeof r === 'object' && p !== 'then' ? beforeExecute(r, hook) : r;
      };
    },
  });
}
const CPR = '010190-1234';

describe.each(testDatabases)('letters purged before delivery on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let quiet: AppContext;
  let notified: string[];

  beforeEach(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false });
    notified = [];
    quiet = { ...app.ctx, jobs: { ...app.ctx.jobs, routeSoon: async () => undefined, deliverSoon: async () => undefined, notifyDeadSoon: async (id: string) => { notified.push(id); } } };
    // A catch-all after the demo's rules per CVR number: a purged letter, whose routing facts are gone, would match only this one.
    const [finance] = await db().select().from(destinations).where(and(eq(destinations.orgId, app.demoOrgId!), eq(destinations.mailbox, DEMO_FINANCE_MAILBOX)));
    const rule = await callApi(app, 'POST', '/admin/rules', { name: 'Resten', priority: 5000, conditions: { always: true }, action: { kind: 'destinations', destinationIds: [finance.id] } });
    expect(rule.status).toBe(201);
  });
  afterEach(async () => {
    await app?.stop();
    await drop?.();
  });

  const db = () => app.database.db;
  /** A letter about the person (CPR number in its notification), stored and queued; routing has not run. */
  const receive = (label = 'Journalnotat') => receiveLetter(app, demoMemo({ recipientCvr: cvrA.cvr, label, notification: `Vedrørende ${CPR}` }));
  const erase = async () => {
    const r = await callApi(app, 'POST', '/admin/dsr/erase', { cpr: CPR, confirm: true });
    expect(r.status).toBe(200);
    return r.body.erased as string[];
  };
  const deliveriesOf = (id: string) => db().select().from(deliveries).where(eq(deliveries.messageId, id)).orderBy(deliveries.createdAt);
  const queued = async (id: string) => (await db().select().from(routeQueue).where(eq(routeQueue.messageId, id))).length;
  const letterRow = async (id: string) => (await db().select().from(messages).where(eq(messages.id, id)))[0];
  const detail = async (id: string) => messageDetailSchema.parse((await callApi(app, 'GET', `/messages/${id}`)).body);
  /** Every mail in every simulated mailbox carrying one of these delivery ids. */
  const copiesOf = (ids: string[]) => app.sims!.graph.api.mailboxes().flatMap((mb) => app.sims!.graph.api.messages(mb.userPrincipalName))
    .filter((m) => m.extendedProperties.some((p) => p.id.toLowerCase() === DELIVERY_ID_PROPERTY.toLowerCase() && ids.includes(p.value)));
  const emptyMails = () => app.sims!.graph.api.mailboxes().flatMap((mb) => app.sims!.graph.api.messages(mb.userPrincipalName))
    .filter((m) => m.subject.includes(PURGED_LABEL)).map((m) => ({ subject: m.subject, attachments: m.attachments.length }));
  /** Attempts every pending delivery of the letter once (as the scheduler would when they come due). */
  const deliverAll = async (id: string) => { for (const d of await deliveriesOf(id)) await runDelivery(quiet, d.id); };
  const notDeliveredEvents = async (id: string) => (await detail(id)).timeline.filter((e) => e.type === 'delivery_failed' && e.data.purged);

  test('a letter erased while it waits to be routed is not routed or mailed; its queue row goes and the timeline says why', async () => {
    const id = await receive();
    expect([(await letterRow(id)).status, await queued(id)]).toEqual(['received', 1]);
    expect(await erase()).toEqual([id]);
    const queuedAfterErase = await queued(id);

    // A router that claimed the letter just before the erase routes it now: the catch-all rule would send it.
    await routeStoredLetter(quiet, id);
    await deliverAll(id);
    expect(emptyMails()).toEqual([]);
    expect(await deliveriesOf(id)).toEqual([]);
    expect([queuedAfterErase, await queued(id)]).toEqual([0, 0]);
    expect((await letterRow(id)).status).toBe('failed');
    const said = await notDeliveredEvents(id);
    expect(said.map((e) => e.data)).toEqual([{ purged: 'dsr' }]);
    expect(said[0].text).toMatch(/^Not routed or delivered: the letter's content was deleted \(at the data subject's request\)/);
  });

  test('a letter purged while still queued by an earlier version (its queue row left) is dropped by routing, not routed', async () => {
    const id = await receive();
    expect(await purgeLetters(db(), app.ctx.sealer, app.demoOrgId!, [id], 'retention')).toEqual([id]);
    // As an earlier version's purge left it: still 'received', still queued, nothing said.
    await db().update(messages).set({ status: 'received' }).where(eq(messages.id, id));
    await db().delete(events).where(and(eq(events.messageId, id), eq(events.type, 'delivery_failed')));
    await db().insert(routeQueue).values({ messageId: id, orgId: app.demoOrgId! }).onConflictDoNothing();

    await routeStoredLetter(quiet, id);
    await deliverAll(id);
    expect(emptyMails()).toEqual([]);
    expect(await deliveriesOf(id)).toEqual([]);
    expect(await queued(id)).toBe(0);
    expect((await letterRow(id)).status).toBe('failed');
    expect((await notDeliveredEvents(id)).map((e) => e.data)).toEqual([{ purged: 'retention' }]);
    // Routing it again changes nothing and says nothing twice.
    await routeStoredLetter(quiet, id);
    expect(await notDeliveredEvents(id)).toHaveLength(1);
  });

  test('deliveries still pending when the letter is erased are ended by the erase, never sent, and no admin is mailed about them', async () => {
    const id = await receive();
    await routeStoredLetter(quiet, id);
    const [d] = await deliveriesOf(id);
    expect(d.status).toBe('pending');
    await erase();
    expect((await deliveriesOf(id))[0].status).toBe('dead'); // by the erase itself

    await deliverAll(id); // as the scheduler would when it comes due
    expect(emptyMails()).toEqual([]);
    expect(copiesOf([d.id])).toEqual([]);
    const [after] = await deliveriesOf(id);
    expect(after).toMatchObject({ status: 'dead', leaseUntil: null });
    expect(after.lastError).toMatch(/content was deleted.*data subject/i);
    expect(after.deadNotifiedAt).toBeInstanceOf(Date); // nothing owed: the sweep mails nobody
    expect(Object.keys(await notifyWaitingDeadLetters(app.ctx))).not.toContain(d.id);
    expect(notified).toEqual([]);
    expect((await letterRow(id)).status).toBe('failed');
    const [said] = await notDeliveredEvents(id);
    expect(said.data).toMatchObject({ purged: 'dsr', deliveryId: d.id, destination: expect.any(String) });
    // Nothing to send again after an outage either.
    expect((await callApi(app, 'GET', '/admin/deliveries/failed')).body.total).toBe(0);
  });

  test('a delivery made for an erased letter anyway (a race) is ended by its own attempt without a mail or a notice', async () => {
    const id = await receive();
    await routeStoredLetter(quiet, id);
    await erase();
    const [dest] = await db().select().from(destinations).where(eq(destinations.orgId, app.demoOrgId!)).limit(1);
    const [late] = await db().insert(deliveries).values({ orgId: app.demoOrgId!, messageId: id, destinationId: dest.id, reason: 'resend', requestedBy: 'Test' }).returning();

    await runDelivery(quiet, late.id);
    expect(copiesOf([late.id])).toEqual([]);
    expect(emptyMails()).toEqual([]);
    const [row] = await db().select().from(deliveries).where(eq(deliveries.id, late.id));
    expect(row).toMatchObject({ status: 'dead', leaseUntil: null, attempts: 1 });
    expect(row.lastError).toMatch(/content was deleted/);
    expect(row.deadNotifiedAt).toBeInstanceOf(Date);
    expect(notified).toEqual([]);
    expect((await notDeliveredEvents(id)).some((e) => e.data.deliveryId === late.id)).toBe(true);
  });

  test('an attempt that may have left a copy before the erase looks for it and records it; it never makes one', async () => {
    const id = await receive();
    await routeStoredLetter(quiet, id);
    const [found] = await deliveriesOf(id);
    const [dest] = await db().select().from(destinations).where(eq(destinations.id, found.destinationId));
    const [missing] = await db().insert(deliveries).values({ orgId: app.demoOrgId!, messageId: id, destinationId: dest.id, reason: 'resend', requestedBy: 'Test', uncertain: true, attempts: 1 }).returning();
    // The first one's earlier attempt made its copy and then lost the answer (uncertain); the second's made none.
    const folderId = await ensureFolder(app.ctx.graph, app.ctx.folders, { mailbox: dest.mailbox!, folderPath: dest.folderPath });
    const l = await letterRow(id);
    await createMessage(app.ctx.graph, dest.mailbox!, folderId, renderMail({ ...l, cvrName: cvrA.name }, [], found.id));
    await db().update(deliveries).set({ uncertain: true, attempts: 1 }).where(eq(deliveries.id, found.id));

    await erase();
    // Left for their attempts to settle: a copy may exist.
    expect((await deliveriesOf(id)).map((d) => d.status)).toEqual(['pending', 'pending']);
    await runDelivery(quiet, found.id);
    await runDelivery(quiet, missing.id);
    expect(copiesOf([found.id])).toHaveLength(1);
    expect(copiesOf([missing.id])).toEqual([]);
    const after = new Map((await deliveriesOf(id)).map((d) => [d.id, d]));
    expect(after.get(found.id)!.status).toBe('delivered');
    expect(after.get(missing.id)).toMatchObject({ status: 'dead', deadNotifiedAt: expect.any(Date) });
    expect(notified).toEqual([]);
    // The copy that exists is on the trace, saying the content was deleted in Brevdue only.
    const timeline = (await detail(id)).timeline;
    expect(timeline.find((e) => e.type === 'delivered')!.data).toMatchObject({ foundExisting: true, contentErased: true });
    expect((await letterRow(id)).status).toBe('delivered');
  });

  test('an attempt already under way when the erase commits is not cut off: its copy is recorded, so the trace names it', async () => {
    const id = await receive();
    await routeStoredLetter(quiet, id);
    const [d] = await deliveriesOf(id);
    app.sims!.graph.api.clearRequests();
    app.sims!.graph.api.setFaults({ latencyMs: 1500 });
    const attempt = runDelivery(quiet, d.id);
    await eventually(async () => app.sims!.graph.api.requests().length > 0, 10_000, 'the attempt reaching Graph');
    await erase();
    expect((await deliveriesOf(id))[0]).toMatchObject({ status: 'pending', leaseUntil: expect.any(Date) });
    await attempt;
    app.sims!.graph.api.setFaults({});
    expect(copiesOf([d.id])).toHaveLength(1);
    expect((await deliveriesOf(id))[0].status).toBe('delivered');
    expect((await letterRow(id)).status).toBe('delivered');
  }, 60_000);

  test('an attempt that looks for an earlier copy while the erase commits finds the documents gone: it ends the delivery, makes no copy', async () => {
    const id = await receive();
    await routeStoredLetter(quiet, id);
    const [d] = await deliveriesOf(id);
    await db().update(deliveries).set({ uncertain: true, attempts: 1 }).where(eq(deliveries.id, d.id)); // an earlier attempt made nothing, but may have
    app.sims!.graph.api.clearRequests();
    app.sims!.graph.api.setFaults({ latencyMs: 1500 });
    // Uncertain, so it reads the documents' content only after its lookup: by then the erase has deleted them.
    const attempt = runDelivery(quiet, d.id);
    await eventually(async () => app.sims!.graph.api.requests().length > 0, 10_000, 'the attempt reaching Graph');
    await erase();
    await attempt;
    app.sims!.graph.api.setFaults({});
    expect(copiesOf([d.id])).toEqual([]);
    expect(emptyMails()).toEqual([]);
    const [after] = await deliveriesOf(id);
    expect(after).toMatchObject({ status: 'dead', leaseUntil: null, deadNotifiedAt: expect.any(Date) });
    expect(notified).toEqual([]);
    expect((await notDeliveredEvents(id)).map((e) => e.data.deliveryId)).toEqual([d.id]);
    expect((await letterRow(id)).status).toBe('failed');
  }, 60_000);

  test('an attempt that read the letter just before the erase and its documents just after sends nothing', async () => {
    const id = await receive();
    await routeStoredLetter(quiet, id);
    const [d] = await deliveriesOf(id);
    // The erase commits right before the attempt reads the documents' content (after it read the letter, label and all).
    let erased = false;
    const docsRead = () => (erased ? undefined : erase().then(() => { erased = true; }));
    const heldDb = new Proxy(db(), {
      get(t, p) {
        if (p === 'select') {
          return (sel?: Record<string, unknown>) => {
            const b = t.select(sel as never);
            return sel && 'c' in sel && 'filename' in sel ? beforeExecute(b, docsRead) : b;
          };
        }
        const v = Reflect.get(t, p, t);
        return typeof v === 'function' ? v.bind(t) : v;
      },
    });
    await runDelivery({ ...quiet, db: heldDb }, d.id);
    expect(erased).toBe(true);
    expect(copiesOf([d.id])).toEqual([]);
    const [after] = await deliveriesOf(id);
    expect(after).toMatchObject({ status: 'dead', deadNotifiedAt: expect.any(Date) });
    expect((await notDeliveredEvents(id)).map((e) => e.data.deliveryId)).toEqual([d.id]);
  });

  test('resend racing the erase, reroute and placement of an erased letter answer 410 purged and make no delivery', async () => {
    const id = await receive();
    await routeStoredLetter(quiet, id);
    await deliverAll(id);
    expect((await deliveriesOf(id)).map((d) => d.status)).toEqual(['delivered']);
    // The resend read the letter before the erase and is held before it writes; the erase commits; then it goes on.
    const g = gate();
    const held = resend({ ...quiet, db: beforeWrites(db(), () => g.wait()) }, app.demoOrgId!, id, { id: 'u', name: 'Test' }, {}).catch((e: unknown) => e);
    await g.reached;
    await erase();
    g.open();
    const refused = await held;
    expect(refused).toBeInstanceOf(HttpError);
    expect([(refused as HttpError).status, (refused as HttpError).code]).toEqual([410, 'purged']);
    expect((await deliveriesOf(id)).map((d) => d.reason)).toEqual(['initial']);

    const [dest] = await db().select().from(destinations).where(eq(destinations.orgId, app.demoOrgId!)).limit(1);
    const rr = await callApi(app, 'POST', `/messages/${id}/reroute`, { destinationIds: [dest.id] });
    expect([rr.status, rr.body.error.code]).toEqual([410, 'purged']);

    // A letter waiting in triage when it is erased leaves triage: nothing can be placed any more.
    const waiting = await receive('Til sortering');
    await db().update(messages).set({ status: 'triage' }).where(eq(messages.id, waiting));
    await db().delete(routeQueue).where(eq(routeQueue.messageId, waiting));
    await erase();
    expect((await letterRow(waiting)).status).toBe('failed');
    const placed = await callApi(app, 'POST', `/triage/${waiting}/place`, { destinationIds: [dest.id] });
    expect([placed.status, placed.body.error.code]).toEqual([410, 'purged']);
    expect(await deliveriesOf(waiting)).toEqual([]);
    expect((await callApi(app, 'GET', '/triage')).body.items.map((i: { id: string }) => i.id)).not.toContain(waiting);
    expect(await db().select().from(messages).where(and(eq(messages.id, waiting), eq(messages.label, PURGED_LABEL)))).toHaveLength(1);
  });

  test('a reroute and "send the failed deliveries again" racing the erase leave the erased letters alone', async () => {
    const [dest] = await db().select().from(destinations).where(eq(destinations.orgId, app.demoOrgId!)).limit(1);
    const unrouted = await receive('Omdirigeres');
    const failed = await receive('Fejlede');
    await routeStoredLetter(quiet, failed);
    await db().update(deliveries).set({ status: 'dead', lastError: 'Graph answered 503', deadNotifiedAt: new Date() }).where(eq(deliveries.messageId, failed));
    // Both read their letters before the erase and are held before they write; the erase commits; then they go on.
    const g1 = gate();
    const g2 = gate();
    const rerouted = reroute({ ...quiet, db: beforeWrites(db(), () => g1.wait()) }, app.demoOrgId!, unrouted, { id: 'u', name: 'Test' }, { destinationIds: [dest.id] }).catch((e: unknown) => e);
    const retried = retryFailed({ ...quiet, db: beforeWrites(db(), () => g2.wait()) }, orgScope(app.demoOrgId!), { id: 'u', name: 'Test' });
    await Promise.all([g1.reached, g2.reached]);
    await erase();
    g1.open();
    g2.open();
    const refused = await rerouted;
    expect([(refused as HttpError).status, (refused as HttpError).code]).toEqual([410, 'purged']);
    expect(await retried).toBe(0);
    expect(await deliveriesOf(unrouted)).toEqual([]);
    expect((await deliveriesOf(failed)).map((d) => d.status)).toEqual(['dead']);
    expect((await letterRow(unrouted)).status).toBe('failed');
  });
});
