// Quarantine notices (delivery/quarantine-notice.ts) while the notice cannot go — its sender refused by
// the operator's allow-list, or failing: the letters quarantined meanwhile join the notice still
// waiting (one that no attempt may have sent) instead of one more notice each hour, so when the sender
// is allowed again the admins get ONE mail naming every letter, not a backlog of mails. Nothing is lost:
// every quarantined letter is named by a notice that is sent; a notice an attempt may have sent already
// (a lease left behind by a crash, an uncertain answer) takes no letter it might not have named.
// Notices piled up by an earlier version are joined into one as well.
import { and, eq, isNull, ne } from 'drizzle-orm';
import type { Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { DEMO_SHARED_MAILBOX } from '../../backend/src/demo/seed';
import { buildMemoXml } from '../../backend/src/memo/build';
import { mailboxes, quarantine, quarantineNotices } from '../../backend/src/store/schema';
import { setGraphTimeout } from '../../backend/src/delivery/mailbox';
import { claimQuarantineNotices, runQuarantineNotices, sendDueQuarantineNotices, sendQuarantineNotice } from '../../backend/src/delivery/quarantine-notice';
import type { AppContext, MailboxRow } from '../../backend/src/context';
import { testDatabases } from '../helpers/databases';
import { FOREIGN_SENDER, quarantineByPoll, sentMails as sentMailsOf, startNoticeSenderApp } from '../helpers/notices';

const [company] = DEMO_ORGANISATION.cvrs;
const MIN = 60_000;

const invalidXml = (label: string) => buildMemoXml(demoMemo({ recipientCvr: company.cvr, label }))
  .replace(/(<(?:\w+:)?createdDateTime>)[^<]+/, '$10000-03-01T10:00:00Z');

interface SentMail { subject: string; body: { content: string } }

describe.each(testDatabases)('quarantine notices that cannot go for a while on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let ctx: AppContext;
  let mb: MailboxRow;
  let setSender: (sender: string) => Promise<void>;

  beforeEach(async () => {
    const d = await tdb.create();
    drop = d.drop;
    ({ app, ctx, setSender } = await startNoticeSenderApp(d.databaseUrl));
    [mb] = await db().select().from(mailboxes).where(and(eq(mailboxes.cvr, company.cvr), eq(mailboxes.provider, 'ngdp'))) as MailboxRow[];
  });
  afterEach(async () => {
    await app.stop();
    await drop();
  });

  const db = () => app.database.db;
  const quarantineSome = (labels: string[]) => quarantineByPoll(app, ctx, mb, company.cvr, labels.map(invalidXml));
  const sentMails = () => sentMailsOf<SentMail>(app);
  const notices = () => db().select().from(quarantineNotices).orderBy(quarantineNotices.createdAt);
  /** Every quarantined letter is named by a sent notice, and its mail names it. */
  const everyLetterMailed = async () => {
    const sent = new Map((await notices()).filter((n) => n.status === 'sent').map((n) => [n.id, n]));
    const bodies = sentMails().map((m) => m.body.content).join('\n');
    for (const q of await db().select().from(quarantine)) {
      expect([q.providerMessageId, sent.has(q.noticeId ?? '')]).toEqual([q.providerMessageId, true]);
      expect(bodies).toContain(q.id);
    }
  };

  test('while the sender is refused, letters of the following hours join the waiting notice: one mail with all of them once allowed', async () => {
    await setSender(FOREIGN_SENDER);
    await quarantineSome(['Brev 1']);
    const t0 = Date.now() + 2 * MIN;
    expect(Object.values(await runQuarantineNotices(ctx, { now: new Date(t0) }))).toEqual(['sender_not_allowed']);
    // Five hours of a broken provider (and the job every minute; here once past each hour).
    for (let h = 1; h <= 5; h++) {
      await quarantineSome([`Brev ${h}a`, `Brev ${h}b`]);
      await db().update(quarantine).set({ receivedAt: new Date(t0 + (h * 60 - 5) * MIN) }).where(isNull(quarantine.noticeId));
      await runQuarantineNotices(ctx, { now: new Date(t0 + (h * 60 + 1) * MIN) });
    }
    expect(sentMails()).toEqual([]);
    const waiting = await notices();
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({ status: 'pending', letters: 11 });
    expect(await db().select().from(quarantine).where(isNull(quarantine.noticeId))).toEqual([]);

    await setSender(DEMO_SHARED_MAILBOX);
    const t1 = t0 + 6 * 60 * MIN;
    expect(await runQuarantineNotices(ctx, { now: new Date(t1) })).toEqual({ [waiting[0].id]: 'sent' });
    expect(await runQuarantineNotices(ctx, { now: new Date(t1 + 61 * MIN) })).toEqual({});
    const mails = sentMails();
    expect(mails.map((m) => m.subject)).toEqual(['Brevdue: 11 breve i karantæne – de er ikke leveret']);
    await everyLetterMailed();
    expect(await notices()).toMatchObject([{ status: 'sent', letters: 11 }]);

    // The hourly rule holds after it: letters an hour later get a notice of their own, not before.
    await quarantineSome(['Brev efter']);
    expect(await runQuarantineNotices(ctx, { now: new Date(t1 + 30 * MIN) })).toEqual({});
    expect(Object.values(await runQuarantineNotices(ctx, { now: new Date(t1 + 62 * MIN) }))).toEqual(['sent']);
    expect(sentMails()).toHaveLength(2);
    await everyLetterMailed();
  }, 90_000);

  test('a notice an attempt may have sent (a lease left behind, an uncertain answer) takes no more letters: they go in the next one, and none is lost', async () => {
    await setSender(DEMO_SHARED_MAILBOX);
    await quarantineSome(['Brev 1']);
    const t0 = Date.now() + 2 * MIN;
    // A process that dies after Graph accepted the mail, before recording it: its lease stays behind.
    const [first] = await claimQuarantineNotices(ctx, { now: new Date(t0) });
    expect(await sendDueQuarantineNotices(ctx, { now: new Date(t0) })).toEqual({ [first]: 'sent' });
    await db().update(quarantineNotices).set({ status: 'pending', sentAt: null, leaseUntil: new Date(t0 + 2 * MIN) }).where(eq(quarantineNotices.id, first));
    // Letters an hour later: not added to the notice that already went out without them.
    await quarantineSome(['Brev 2']);
    await db().update(quarantine).set({ receivedAt: new Date(t0 + 55 * MIN) }).where(isNull(quarantine.noticeId));
    const [second] = await claimQuarantineNotices(ctx, { now: new Date(t0 + 61 * MIN) });
    expect(second).toBeDefined();
    expect((await db().select().from(quarantine).where(eq(quarantine.noticeId, first))).map((q) => q.providerMessageId)).toHaveLength(1);

    // The second fails uncertainly (Graph took it, the answer never came); while the sender is then
    // refused, later letters do not join it either, but a third notice, which the ones after join.
    app.sims!.graph.api.setFaults({ timeoutAfterWriteRate: 1 });
    expect(await sendQuarantineNotice(ctx, second, { now: new Date(t0 + 61 * MIN) })).toBe('failed');
    app.sims!.graph.api.setFaults({});
    setGraphTimeout(app.ctx.graph, 30_000); // 1.5 s served the hung send; the lookups that follow must not time out on a loaded machine
    expect((await db().select().from(quarantineNotices).where(eq(quarantineNotices.id, second)))[0]).toMatchObject({ status: 'pending', uncertain: true });
    await setSender(FOREIGN_SENDER);
    for (let h = 2; h <= 4; h++) {
      await quarantineSome([`Brev ${h + 1}`]);
      await db().update(quarantine).set({ receivedAt: new Date(t0 + (h * 60 - 5) * MIN) }).where(isNull(quarantine.noticeId));
      await runQuarantineNotices(ctx, { now: new Date(t0 + (h * 60 + 1) * MIN) });
    }
    const pending = await db().select().from(quarantineNotices).where(ne(quarantineNotices.status, 'sent'));
    expect(pending).toHaveLength(3);
    expect(pending.map((n) => n.id)).toEqual(expect.arrayContaining([first, second]));
    const third = pending.find((n) => n.id !== first && n.id !== second)!;
    expect(third.letters).toBe(3);

    // Allowed again: the first two are found in Sent Items (not sent again), the third goes: one new mail.
    await setSender(DEMO_SHARED_MAILBOX);
    const out = await runQuarantineNotices(ctx, { now: new Date(t0 + 6 * 60 * MIN) });
    expect(out).toEqual({ [first]: 'found_sent', [second]: 'found_sent', [third.id]: 'sent' });
    expect(sentMails()).toHaveLength(3);
    expect(sentMails()[2].subject).toBe('Brevdue: 3 breve i karantæne – de er ikke leveret');
    await everyLetterMailed();
  }, 90_000);

  test('notices piled up by an earlier version go as one mail', async () => {
    await setSender(FOREIGN_SENDER);
    const t0 = Date.now() + 2 * MIN;
    // As the earlier version left them: one notice an hour, each naming that hour's letters, all waiting.
    for (let h = 0; h < 3; h++) {
      await quarantineSome([`Brev ${h}`]);
      const [n] = await db().insert(quarantineNotices).values({ orgId: app.demoOrgId!, createdAt: new Date(t0 + h * 60 * MIN), dueAt: new Date(t0 + h * 60 * MIN), letters: 1 }).returning();
      await db().update(quarantine).set({ noticeId: n.id }).where(isNull(quarantine.noticeId));
    }
    expect(await notices()).toHaveLength(3);
    await setSender(DEMO_SHARED_MAILBOX);
    expect(Object.values(await runQuarantineNotices(ctx, { now: new Date(t0 + 4 * 60 * MIN) }))).toEqual(['sent']);
    expect(sentMails().map((m) => m.subject)).toEqual(['Brevdue: 3 breve i karantæne – de er ikke leveret']);
    expect(await notices()).toMatchObject([{ status: 'sent', letters: 3 }]);
    await everyLetterMailed();
  }, 90_000);
});
