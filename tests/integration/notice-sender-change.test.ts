// The admins' notice sender (Settings › Delivery, notifySender) changed between an attempt whose outcome
// is uncertain (Graph made the mail, its answer never came) and the next attempt. A quarantine notice
// (delivery/quarantine-notice.ts) and a dead-letter notice (delivery/notify.ts) are sent at most once:
// the attempt records its sender before sendMail (quarantine_notices.sent_from,
// deliveries.dead_notice_sent_from), and the next attempt looks for the earlier copy there, not in the
// new sender's mailbox, so the admins get one mail. If the operator's allow-list refuses that earlier
// sender by then, its mailbox is not read: the notice goes again from the current sender (a possible
// second mail is better than none), and the row or the letter's timeline says so.
import { and, eq } from 'drizzle-orm';
import type { Brevdue } from '../../backend/src/app';
import { startBrevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { DEMO_SHARED_MAILBOX } from '../../backend/src/demo/seed';
import { DEMO_IT_MAILBOX } from '../../backend/src/demo/delivery-seed';
import { buildMemoXml } from '../../backend/src/memo/build';
import { storeLetter } from '../../backend/src/store/letters';
import { deliveries, destinations, events, mailboxes, quarantineNotices } from '../../backend/src/store/schema';
import { setGraphTimeout } from '../../backend/src/delivery/mailbox';
import { runQuarantineNotices, sendDueQuarantineNotices } from '../../backend/src/delivery/quarantine-notice';
import { DEAD_NOTICE_PROPERTY, DeadNoticeFailed, notifyDeadLetter, notifyWaitingDeadLetters } from '../../backend/src/delivery/notify';
import { UNRESTRICTED_POLICY } from '../../backend/src/delivery/registry/allowed';
import type { AppContext, MailboxRow } from '../../backend/src/context';
import { callApi } from '../helpers/app';
import { testDatabases } from '../helpers/databases';
import { FOREIGN_SENDER, NO_JOBS, quarantineByPoll, startNoticeSenderApp } from '../helpers/notices';

const [company] = DEMO_ORGANISATION.cvrs;
const MIN = 60_000;
/** The sender the admin changes to: another of the organisation's mailboxes. */
const NEW_SENDER = 'post@nordlys.example';

const invalidXml = (label: string) => buildMemoXml(demoMemo({ recipientCvr: company.cvr, label }))
  .replace(/(<(?:\w+:)?createdDateTime>)[^<]+/, '$10000-03-01T10:00:00Z');

/** A stored letter whose delivery to the demo shared mailbox gave up (dead), its notice owed. */
async function deadDelivery(app: Brevdue, mb: MailboxRow, label: string) {
  const db = app.database.db;
  const memo = demoMemo({ recipientCvr: company.cvr, label });
  const { messageId } = await storeLetter(db, app.ctx.sealer, mb, memo, Buffer.from(buildMemoXml(memo)));
  const [dest] = await db.select().from(destinations).where(and(eq(destinations.orgId, app.demoOrgId!), eq(destinations.mailbox, DEMO_SHARED_MAILBOX)));
  const [d] = await db.insert(deliveries).values({ orgId: app.demoOrgId!, messageId, destinationId: dest.id, status: 'dead', attempts: 3, lastError: 'Graph answered 404' }).returning();
  return d;
}

describe.each(testDatabases)('the notice sender changed after an uncertain attempt, on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let ctx: AppContext;
  let mb: MailboxRow;

  beforeEach(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false, graphTimeoutMs: 1500 });
    app.sims!.graph.api.addMailbox({ id: NEW_SENDER, displayName: 'Post', kind: 'shared' });
    ctx = { ...app.ctx, jobs: NO_JOBS };
    [mb] = await app.database.db.select().from(mailboxes).where(and(eq(mailboxes.cvr, company.cvr), eq(mailboxes.provider, 'ngdp'))) as MailboxRow[];
  });
  afterEach(async () => {
    await app.stop();
    await drop();
  });

  const db = () => app.database.db;
  /** The admin saves a new sender in Settings › Delivery. */
  const changeSender = async (sender: string) => {
    const now = (await callApi(app, 'GET', '/admin/delivery-settings')).body;
    expect(now.notifySender).toBe(DEMO_SHARED_MAILBOX);
    const put = await callApi(app, 'PUT', '/admin/delivery-settings', { ...now, notifySender: sender });
    expect(put.status).toBe(200);
  };
  /** Mails the admins received, by subject. */
  const received = (subject: RegExp) => app.sims!.graph.api.messages(DEMO_IT_MAILBOX).filter((m) => subject.test(m.subject));

  test('a quarantine notice whose send timed out after Graph made it is not sent again from the new sender', async () => {
    await quarantineByPoll(app, ctx, mb, company.cvr, [invalidXml('Brev om frist')]);
    const t0 = Date.now() + 2 * MIN;
    app.sims!.graph.api.setFaults({ timeoutAfterWriteRate: 1 });
    expect(Object.values(await runQuarantineNotices(ctx, { now: new Date(t0) }))).toEqual(['failed']);
    app.sims!.graph.api.setFaults({});
    setGraphTimeout(app.ctx.graph, 30_000); // the calls that follow must not time out on a loaded machine
    const [n] = await db().select().from(quarantineNotices);
    expect(n).toMatchObject({ status: 'pending', uncertain: true });
    expect(received(/karantæne/)).toHaveLength(1); // it did go out, from the old sender

    await changeSender(NEW_SENDER);
    const outcome = await sendDueQuarantineNotices(ctx, { now: new Date(Date.now() + 10 * MIN) });
    expect(received(/karantæne/)).toHaveLength(1);
    expect(outcome).toEqual({ [n.id]: 'found_sent' });
    expect((await db().select().from(quarantineNotices))[0]).toMatchObject({ status: 'sent', uncertain: false });
  }, 60_000);

  test('a dead-letter notice whose send timed out after Graph made it is not sent again from the new sender', async () => {
    const d = await deadDelivery(app, mb, 'Rykker for moms');

    app.sims!.graph.api.setFaults({ timeoutAfterWriteRate: 1 });
    expect(await notifyDeadLetter(ctx, d.id, { attempt: 1 }).catch((e) => e)).toBeInstanceOf(DeadNoticeFailed);
    app.sims!.graph.api.setFaults({});
    setGraphTimeout(app.ctx.graph, 30_000);
    expect(received(/kunne ikke leveres/)).toHaveLength(1); // it did go out, from the old sender

    await changeSender(NEW_SENDER);
    expect(await notifyWaitingDeadLetters(ctx, { now: new Date(Date.now() + 60 * MIN) })).toEqual({ [d.id]: 'found_sent' });
    expect(received(/kunne ikke leveres/)).toHaveLength(1);
    const [row] = await db().select().from(deliveries).where(eq(deliveries.id, d.id));
    expect(row.deadNotifiedAt).not.toBeNull();
    expect(row).toMatchObject({ deadNoticeId: null, deadNoticeSentFrom: null });
  }, 60_000);

  test('a dead-letter notice whose send timed out after Graph made it is sent once, the sender unchanged', async () => {
    const d = await deadDelivery(app, mb, 'Rykker for moms');
    app.sims!.graph.api.setFaults({ timeoutAfterWriteRate: 1 });
    const failed = await notifyDeadLetter(ctx, d.id, { attempt: 1 }).catch((e) => e);
    expect(failed).toBeInstanceOf(DeadNoticeFailed);
    app.sims!.graph.api.setFaults({});
    setGraphTimeout(app.ctx.graph, 30_000);
    // Its copy may take a moment to show in Sent Items: not looked for sooner than a claim's length.
    expect((failed as DeadNoticeFailed).retryAt.getTime()).toBeGreaterThanOrEqual(Date.now() + MIN);
    const [marked] = await db().select().from(deliveries).where(eq(deliveries.id, d.id));
    expect(marked).toMatchObject({ deadNotifiedAt: null, deadNoticeSentFrom: DEMO_SHARED_MAILBOX });
    const [mail] = received(/kunne ikke leveres/);
    expect(mail.extendedProperties).toEqual([{ id: DEAD_NOTICE_PROPERTY, value: marked.deadNoticeId }]);

    expect(await notifyWaitingDeadLetters(ctx, { now: new Date(Date.now() + 60 * MIN) })).toEqual({ [d.id]: 'found_sent' });
    expect(await notifyWaitingDeadLetters(ctx, { now: new Date(Date.now() + 120 * MIN) })).toEqual({});
    expect(received(/kunne ikke leveres/)).toHaveLength(1);
    const evs = await db().select().from(events).where(and(eq(events.messageId, d.messageId), eq(events.type, 'admins_notified')));
    expect(evs.map((e) => e.data)).toEqual([expect.objectContaining({ deliveryId: d.id, sent: true, foundSent: true })]);
  }, 60_000);

  test('a delivery that gives up again after "retry all failed" gets a new notice, though an attempt at its first one was uncertain', async () => {
    const d = await deadDelivery(app, mb, 'Rykker for moms');
    app.sims!.graph.api.setFaults({ timeoutAfterWriteRate: 1 });
    expect(await notifyDeadLetter(ctx, d.id, { attempt: 1 }).catch((e) => e)).toBeInstanceOf(DeadNoticeFailed);
    app.sims!.graph.api.setFaults({});
    setGraphTimeout(app.ctx.graph, 30_000);
    expect(received(/kunne ikke leveres/)).toHaveLength(1);

    // An admin sends the failed deliveries again; this one gives up again.
    expect((await callApi(app, 'POST', '/admin/deliveries/retry', { destinationId: d.destinationId })).body).toEqual({ retried: 1 });
    await db().update(deliveries).set({ status: 'dead', deadNoticeUntil: null }).where(eq(deliveries.id, d.id));
    expect(await notifyWaitingDeadLetters(ctx, { now: new Date(Date.now() + 60 * MIN) })).toEqual({ [d.id]: 'sent' });
    expect(received(/kunne ikke leveres/)).toHaveLength(2);
  }, 60_000);
});

// The operator's allow-list refuses, by the next attempt, the sender an uncertain attempt used (the
// operator took its domain off the list; the admin named an allowed sender). Decided: that mailbox is not
// read, not even to look for the copy; the notice goes from the current sender, and the row or the
// letter's timeline says the admins may have two.
describe.each(testDatabases)('the sender of an uncertain attempt refused by the operator since, on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let ctx: AppContext;
  let setSender: (sender: string) => Promise<void>;
  let mb: MailboxRow;

  beforeEach(async () => {
    const d = await tdb.create();
    drop = d.drop;
    ({ app, ctx, setSender } = await startNoticeSenderApp(d.databaseUrl));
    await setSender(FOREIGN_SENDER);
    [mb] = await app.database.db.select().from(mailboxes).where(and(eq(mailboxes.cvr, company.cvr), eq(mailboxes.provider, 'ngdp'))) as MailboxRow[];
  });
  afterEach(async () => {
    await app.stop();
    await drop();
  });

  const db = () => app.database.db;
  /** The context before the operator's list named the organisation's domains: FOREIGN_SENDER was allowed. */
  const before = () => ({ ...ctx, destinationPolicy: UNRESTRICTED_POLICY });
  const foreignRequests = () => app.sims!.graph.api.requests().filter((r) => decodeURIComponent(r.path).toLowerCase().includes('rival.example'));
  const received = (subject: RegExp) => app.sims!.graph.api.messages(DEMO_IT_MAILBOX).filter((m) => subject.test(m.subject));
  /** The first attempt, from FOREIGN_SENDER while allowed, times out after Graph made the mail. */
  const uncertainly = async <T>(attempt: () => Promise<T>) => {
    app.sims!.graph.api.setFaults({ timeoutAfterWriteRate: 1 });
    const r = await attempt().catch((e) => e as T);
    app.sims!.graph.api.setFaults({});
    setGraphTimeout(app.ctx.graph, 30_000);
    return r;
  };

  test('a quarantine notice: the refused mailbox is not searched; it goes from the current sender, the row saying a copy may exist', async () => {
    await quarantineByPoll(app, ctx, mb, company.cvr, [invalidXml('Brev om frist')]);
    expect(Object.values(await uncertainly(() => runQuarantineNotices(before(), { now: new Date(Date.now() + 2 * MIN) })))).toEqual(['failed']);
    const [n] = await db().select().from(quarantineNotices);
    expect(n).toMatchObject({ status: 'pending', uncertain: true, sentFrom: FOREIGN_SENDER });
    expect(received(/karantæne/)).toHaveLength(1);

    await setSender(DEMO_SHARED_MAILBOX);
    app.sims!.graph.api.clearRequests();
    expect(await sendDueQuarantineNotices(ctx, { now: new Date(Date.now() + 10 * MIN) })).toEqual({ [n.id]: 'sent' });
    expect(foreignRequests()).toEqual([]);
    expect(received(/karantæne/)).toHaveLength(2); // decided: a possible second mail rather than none
    const [after] = await db().select().from(quarantineNotices);
    expect(after).toMatchObject({ status: 'sent', uncertain: false, sentFrom: DEMO_SHARED_MAILBOX });
    expect(after.lastError).toMatch(/may have sent it from post@rival\.example.*not searched.*two copies/);
  }, 60_000);

  test('a dead-letter notice: the refused mailbox is not searched; it goes from the current sender, the timeline saying a copy may exist', async () => {
    const d = await deadDelivery(app, mb, 'Rykker for moms');
    expect(await uncertainly(() => notifyDeadLetter(before(), d.id, { attempt: 1 }))).toBeInstanceOf(DeadNoticeFailed);
    expect((await db().select().from(deliveries).where(eq(deliveries.id, d.id)))[0]).toMatchObject({ deadNotifiedAt: null, deadNoticeSentFrom: FOREIGN_SENDER });
    expect(received(/kunne ikke leveres/)).toHaveLength(1);

    await setSender(DEMO_SHARED_MAILBOX);
    app.sims!.graph.api.clearRequests();
    expect(await notifyWaitingDeadLetters(ctx, { now: new Date(Date.now() + 60 * MIN) })).toEqual({ [d.id]: 'sent' });
    expect(foreignRequests()).toEqual([]);
    expect(received(/kunne ikke leveres/)).toHaveLength(2);
    const evs = await db().select().from(events).where(and(eq(events.messageId, d.messageId), eq(events.type, 'admins_notified')));
    expect(evs).toHaveLength(1);
    expect(evs[0].data).toMatchObject({ deliveryId: d.id, sent: true, duplicatePossible: true });
    expect(evs[0].text).toMatch(/may have mailed them too/);
  }, 60_000);
});
