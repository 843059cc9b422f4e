// The notification sender (delivery settings' notifySender) is held against the operator's allow-list
// (DESTINATIONS_ALLOWED, delivery/registry/allowed.ts) when each notice is sent, not only when the
// settings are saved: a sender saved before the rule, or in a domain the operator has since taken off
// the list, sends nothing — neither a dead-letter notice (delivery/notify.ts) nor a quarantine notice
// (delivery/quarantine-notice.ts), and Graph is not asked about that mailbox at all. The notice is not
// lost: it waits, with the reason recorded, and goes out once the settings name an allowed sender.
// Dead-letter notices are claimed (a lease) before they are sent: two jobs at once send one mail.
import { and, eq } from 'drizzle-orm';
import type { Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { DEMO_SHARED_MAILBOX } from '../../backend/src/demo/seed';
import { buildMemoXml } from '../../backend/src/memo/build';
import { storeLetter } from '../../backend/src/store/letters';
import { deliveries, destinations, events, mailboxes, quarantine, quarantineNotices } from '../../backend/src/store/schema';
import { pollMailbox } from '../../backend/src/ingest/poll';
import { notifyDeadLetter, notifyWaitingDeadLetters } from '../../backend/src/delivery/notify';
import { runQuarantineNotices } from '../../backend/src/delivery/quarantine-notice';
import type { AppContext, MailboxRow } from '../../backend/src/context';
import { testDatabases } from '../helpers/databases';
import { FOREIGN_SENDER, startNoticeSenderApp } from '../helpers/notices';

const [company] = DEMO_ORGANISATION.cvrs;
const MIN = 60_000;

const invalidXml = (label: string) => buildMemoXml(demoMemo({ recipientCvr: company.cvr, label, notification: 'Vedrørende 010190-1234' }))
  .replace(/(<(?:\w+:)?createdDateTime>)[^<]+/, '$10000-03-01T10:00:00Z');

describe.each(testDatabases)('the notice sender held against the allow-list when sending, on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let ctx: AppContext;
  let setSender: (sender: string) => Promise<void>;

  beforeEach(async () => {
    const d = await tdb.create();
    drop = d.drop;
    ({ app, ctx, setSender } = await startNoticeSenderApp(d.databaseUrl));
    // Saved before the operator's rule (or its domain since taken off the list): only a direct write can do it now.
    await setSender(FOREIGN_SENDER);
  });
  afterEach(async () => {
    await app.stop();
    await drop();
  });

  const db = () => app.database.db;
  /** Graph requests about the foreign mailbox (sendMail from it, a Sent Items search in it). */
  const foreignRequests = () => app.sims!.graph.api.requests().filter((r) => decodeURIComponent(r.path).toLowerCase().includes('rival.example'));
  const sendMails = () => app.sims!.graph.api.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/sendMail'));

  const deadDelivery = async (label: string) => {
    const [mb] = await db().select().from(mailboxes).where(and(eq(mailboxes.cvr, company.cvr), eq(mailboxes.provider, 'ngdp')));
    const memo = demoMemo({ recipientCvr: company.cvr, label });
    const { messageId } = await storeLetter(db(), app.ctx.sealer, mb, memo, Buffer.from(buildMemoXml(memo)));
    const [dest] = await db().select().from(destinations).where(and(eq(destinations.orgId, app.demoOrgId!), eq(destinations.mailbox, DEMO_SHARED_MAILBOX)));
    const [d] = await db().insert(deliveries).values({ orgId: app.demoOrgId!, messageId, destinationId: dest.id, status: 'dead', attempts: 3, lastError: 'Graph answered 404' }).returning();
    return d;
  };

  test('a dead-letter notice is not sent from a sender the list does not allow: it waits with the reason, and goes once the sender is allowed', async () => {
    const d = await deadDelivery('Rykker for moms');
    app.sims!.graph.api.clearRequests();
    expect(await notifyDeadLetter(ctx, d.id)).toBe('sender_not_allowed');
    expect(foreignRequests()).toEqual([]);
    expect(sendMails()).toEqual([]);
    let [row] = await db().select().from(deliveries).where(eq(deliveries.id, d.id));
    expect(row.deadNotifiedAt).toBeNull(); // not lost: still owed
    const evs = await db().select().from(events).where(and(eq(events.messageId, d.messageId), eq(events.type, 'admins_notified')));
    expect(evs).toHaveLength(1);
    expect(evs[0].text).toMatch(/not mailed yet.*rival\.example.*DESTINATIONS_ALLOWED/i);
    expect(evs[0].data).toMatchObject({ deliveryId: d.id, sent: false, waiting: true, reason: 'sender_not_allowed' });

    // The sweep passes it by again while the sender is refused (one event, not one per look).
    expect(await notifyWaitingDeadLetters(ctx, { now: new Date(Date.now() + 60 * MIN) })).toEqual({ [d.id]: 'sender_not_allowed' });
    expect(await db().select().from(events).where(and(eq(events.messageId, d.messageId), eq(events.type, 'admins_notified')))).toHaveLength(1);
    expect(sendMails()).toEqual([]);

    // The admin names an allowed sender: the waiting notice goes, once.
    await setSender(DEMO_SHARED_MAILBOX);
    expect(await notifyWaitingDeadLetters(ctx, { now: new Date(Date.now() + 120 * MIN) })).toEqual({ [d.id]: 'sent' });
    expect(await notifyWaitingDeadLetters(ctx, { now: new Date(Date.now() + 180 * MIN) })).toEqual({});
    expect(sendMails()).toHaveLength(1);
    expect(foreignRequests()).toEqual([]);
    [row] = await db().select().from(deliveries).where(eq(deliveries.id, d.id));
    expect(row.deadNotifiedAt).not.toBeNull();
  }, 60_000);

  test('a dead-letter notice is claimed before it is sent: jobs running at once send one mail', async () => {
    await setSender(DEMO_SHARED_MAILBOX);
    const d = await deadDelivery('Rykker to');
    app.sims!.graph.api.setFaults({ latencyMs: 300 });
    const outcomes = await Promise.all([notifyDeadLetter(ctx, d.id), notifyDeadLetter(ctx, d.id), notifyDeadLetter(ctx, d.id)]);
    app.sims!.graph.api.setFaults({});
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(1);
    expect(sendMails()).toHaveLength(1);
  }, 60_000);

  test('a quarantine notice is not sent from a sender the list does not allow (nor its Sent Items searched): it waits with the reason, and goes once allowed', async () => {
    const [mb] = await db().select().from(mailboxes).where(and(eq(mailboxes.cvr, company.cvr), eq(mailboxes.provider, 'ngdp'))) as MailboxRow[];
    app.sims!.ngdp.api.inject(company.cvr, invalidXml('Brev i karantæne'));
    expect(await pollMailbox(ctx, mb)).toMatchObject({ quarantined: 1 });
    app.sims!.graph.api.clearRequests();
    const t0 = Date.now() + 2 * MIN;
    const first = await runQuarantineNotices(ctx, { now: new Date(t0) });
    expect(Object.values(first)).toEqual(['sender_not_allowed']);
    const [n] = await db().select().from(quarantineNotices);
    expect(n).toMatchObject({ status: 'pending', leaseUntil: null, uncertain: false });
    expect(n.lastError).toMatch(/^Not sent yet: the notice sender post@rival\.example .*rival\.example.*DESTINATIONS_ALLOWED/);
    expect(n.dueAt.getTime()).toBeGreaterThan(t0);
    // Even an attempt that must look for an earlier copy first does not look in that mailbox.
    await db().update(quarantineNotices).set({ uncertain: true }).where(eq(quarantineNotices.id, n.id));
    expect(await runQuarantineNotices(ctx, { now: new Date(t0 + 60 * MIN) })).toEqual({ [n.id]: 'sender_not_allowed' });
    expect(foreignRequests()).toEqual([]);
    expect(sendMails()).toEqual([]);
    expect((await db().select().from(quarantine))[0].noticeId).toBe(n.id); // still named by its notice

    await setSender(DEMO_SHARED_MAILBOX);
    expect(await runQuarantineNotices(ctx, { now: new Date(t0 + 120 * MIN) })).toEqual({ [n.id]: 'sent' });
    expect(sendMails()).toHaveLength(1);
    expect(foreignRequests()).toEqual([]);
  }, 60_000);
});
