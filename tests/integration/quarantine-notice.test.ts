// Letters that enter quarantine are mailed to the organisation's admins (delivery/quarantine-notice.ts):
// through Graph sendMail from the dead-letter notice's sender to its address; once per letter (the
// quarantine row names its notice), batched (one mail per organisation at a time, at most one an hour,
// so a broken provider cannot cause a mail storm), never twice (an attempt after one that may have sent
// it finds the copy by the notice id in the sender's Sent Items), never lost (failures are retried;
// without an address the letters wait for one), and without CPR numbers or the letters' content.
// The repeating job `quarantine-notices` does it by itself, and indexes the letters for DSR.
import { and, eq, isNull } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { DEMO_SHARED_MAILBOX } from '../../backend/src/demo/seed';
import { DEMO_IT_MAILBOX } from '../../backend/src/demo/delivery-seed';
import { buildMemoXml } from '../../backend/src/memo/build';
import { mailboxes, organisations, quarantine, quarantineNotices } from '../../backend/src/store/schema';
import { setGraphTimeout } from '../../backend/src/delivery/mailbox';
import { claimQuarantineNotices, runQuarantineNotices, sendDueQuarantineNotices, QUARANTINE_NOTICE_PROPERTY } from '../../backend/src/delivery/quarantine-notice';
import type { AppContext, MailboxRow } from '../../backend/src/context';
import { eventually, testDatabases } from '../helpers/databases';
import { NO_JOBS, quarantineByPoll, sentMails as sentMailsOf } from '../helpers/notices';

const [company] = DEMO_ORGANISATION.cvrs;
const CPR = '010190-1234';
const MIN = 60_000;

/** An invalid MeMo (dated in the year 0000) naming a person in its notification and a secret word in its label. */
const invalidXml = (label: string) => buildMemoXml(demoMemo({ recipientCvr: company.cvr, label, notification: `Vedrørende ${CPR}` }))
  .replace(/(<(?:\w+:)?createdDateTime>)[^<]+/, '$10000-03-01T10:00:00Z');

interface SentMail { subject: string; body: { content: string }; singleValueExtendedProperties?: { id: string; value: string }[]; toRecipients: { emailAddress: { address: string } }[] }

describe.each(testDatabases)('quarantine notices on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let mb: MailboxRow;
  let ctx: AppContext;

  beforeEach(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false, graphTimeoutMs: 1500 });
    [mb] = await app.database.db.select().from(mailboxes).where(and(eq(mailboxes.cvr, company.cvr), eq(mailboxes.provider, 'ngdp'))) as MailboxRow[];
    ctx = { ...app.ctx, jobs: NO_JOBS };
  });
  afterEach(async () => {
    await app.stop();
    await drop();
  });

  const db = () => app.database.db;
  const quarantineSome = (labels: string[]) => quarantineByPoll(app, ctx, mb, company.cvr, labels.map(invalidXml));
  /** The notices sendMail carried, oldest first. */
  const sentMails = () => sentMailsOf<SentMail>(app);
  const inbox = () => app.sims!.graph.api.messages(DEMO_IT_MAILBOX).filter((m) => m.subject.includes('karantæne'));
  const notices = () => db().select().from(quarantineNotices).orderBy(quarantineNotices.createdAt);

  test('letters entering quarantine are mailed to the admins once, in one mail, naming mailbox, CVR, reason and how to act, never a CPR number or content', async () => {
    await quarantineSome(['Slutseddel hemmeligord1', 'Skattefrist hemmeligord2']);
    const rows = await db().select().from(quarantine);
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.noticeId === null)).toBe(true);

    // Just quarantined: the notice waits a minute for the rest of the poll's letters.
    expect(await runQuarantineNotices(ctx)).toEqual({});
    const outcomes = await runQuarantineNotices(ctx, { now: new Date(Date.now() + 2 * MIN) });
    expect(Object.values(outcomes)).toEqual(['sent']);

    const mails = sentMails();
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail.toRecipients.map((r) => r.emailAddress.address)).toEqual([DEMO_IT_MAILBOX]);
    expect(mail.subject).toBe('Brevdue: 2 breve i karantæne – de er ikke leveret');
    const [notice] = await notices();
    expect(mail.singleValueExtendedProperties).toEqual([{ id: QUARANTINE_NOTICE_PROPERTY, value: notice.id }]);
    const body = mail.body.content;
    for (const r of rows) expect(body).toContain(r.id); // the id `brevdue quarantine retry` takes
    for (const r of rows) expect(body).toContain(r.providerMessageId);
    expect(body).toContain(`CVR ${company.cvr}`);
    expect(body).toContain('Digital Post');
    expect(body).toMatch(/createdDateTime/); // the reason
    expect(body).toContain('Administration › Postkasser');
    expect(body).toContain('brevdue quarantine retry');
    expect(body).toMatch(/slettes 180 dage efter modtagelsen/); // retention 90 + quarantine 90
    expect(JSON.stringify(mail)).not.toMatch(/010190-?1234|0101901234|hemmeligord|Vedrørende/);
    expect(inbox()).toHaveLength(1);
    // A copy in the sender's Sent Items carries the notice id: what a later attempt looks for.
    expect(app.sims!.graph.api.messages(DEMO_SHARED_MAILBOX).filter((m) => m.extendedProperties.some((p) => p.value === notice.id))).toHaveLength(1);

    // Recorded: each letter names its notice, the notice says to whom and how many.
    expect(notice).toMatchObject({ status: 'sent', sentTo: DEMO_IT_MAILBOX, letters: 2, leaseUntil: null, attempts: 1 });
    expect((await db().select().from(quarantine)).every((r) => r.noticeId === notice.id)).toBe(true);

    // Nothing is mailed twice.
    expect(await runQuarantineNotices(ctx, { now: new Date(Date.now() + 3 * MIN) })).toEqual({});
    expect(await runQuarantineNotices(ctx, { now: new Date(Date.now() + 120 * MIN) })).toEqual({});
    expect(sentMails()).toHaveLength(1);
  }, 60_000);

  test('a broken provider quarantining letter after letter: at most one mail an hour, listing every letter since', async () => {
    await quarantineSome(['Brev 1']);
    const t0 = Date.now() + 2 * MIN;
    expect(Object.values(await runQuarantineNotices(ctx, { now: new Date(t0) }))).toEqual(['sent']);
    for (let i = 0; i < 3; i++) {
      await quarantineSome([`Brev ${i + 2}a`, `Brev ${i + 2}b`]);
      expect(await runQuarantineNotices(ctx, { now: new Date(t0 + (i + 1) * 10 * MIN) })).toEqual({});
    }
    expect(sentMails()).toHaveLength(1);
    expect(await db().select().from(quarantine).where(isNull(quarantine.noticeId))).toHaveLength(6);
    // An hour after the first: one more mail, with the six.
    expect(Object.values(await runQuarantineNotices(ctx, { now: new Date(t0 + 61 * MIN) }))).toEqual(['sent']);
    const mails = sentMails();
    expect(mails.map((m) => m.subject)).toEqual(['Brevdue: 1 brev i karantæne – det er ikke leveret', 'Brevdue: 6 breve i karantæne – de er ikke leveret']);
    expect(await db().select().from(quarantine).where(isNull(quarantine.noticeId))).toHaveLength(0);
    // Listed up to a limit, the rest counted.
    await quarantineSome(['x1', 'x2', 'x3']);
    expect(Object.values(await runQuarantineNotices(ctx, { now: new Date(t0 + 130 * MIN), maxListed: 2 }))).toEqual(['sent']);
    expect(sentMails()[2].body.content).toMatch(/og 1 brev mere, som ikke er vist her/);
  }, 60_000);

  test('sent but not recorded (a timeout, a crash): the next attempt finds the mail and does not send it again; a refusal is retried until it goes', async () => {
    await quarantineSome(['Brev om frist']);
    const t0 = Date.now() + 2 * MIN;
    // Graph takes the mail but the answer never comes: uncertain, retried no sooner than a lease later.
    app.sims!.graph.api.setFaults({ timeoutAfterWriteRate: 1 });
    expect(Object.values(await runQuarantineNotices(ctx, { now: new Date(t0) }))).toEqual(['failed']);
    app.sims!.graph.api.setFaults({});
    setGraphTimeout(app.ctx.graph, 30_000); // 1.5 s served the hung send; the lookups that follow must not time out on a loaded machine
    let [n] = await notices();
    expect(n).toMatchObject({ status: 'pending', uncertain: true, leaseUntil: null, attempts: 1 });
    expect(n.lastError).toMatch(/did not answer in time/);
    expect(n.dueAt.getTime()).toBeGreaterThanOrEqual(Date.now() + 60_000);
    expect(inbox()).toHaveLength(1); // it did go out
    expect(await sendDueQuarantineNotices(ctx, { now: new Date() })).toEqual({}); // not due yet
    expect(await sendDueQuarantineNotices(ctx, { now: new Date(Date.now() + 10 * MIN) })).toEqual({ [n.id]: 'found_sent' });
    expect(inbox()).toHaveLength(1);
    expect(sentMails()).toHaveLength(1);
    [n] = await notices();
    expect(n).toMatchObject({ status: 'sent', uncertain: false });

    // A process that dies after Graph accepted the mail, before recording it, leaves its lease behind.
    await quarantineSome(['Brev to']);
    const t1 = t0 + 90 * MIN;
    const [second] = await claimQuarantineNotices(ctx, { now: new Date(t1) }).then(async (ids) => db().select().from(quarantineNotices).where(eq(quarantineNotices.id, ids[0])));
    expect(await sendDueQuarantineNotices(ctx, { now: new Date(t1) })).toEqual({ [second.id]: 'sent' });
    await db().update(quarantineNotices).set({ status: 'pending', sentAt: null, leaseUntil: new Date(t1 + 60_000) }).where(eq(quarantineNotices.id, second.id));
    expect(await sendDueQuarantineNotices(ctx, { now: new Date(t1 + 30_000) })).toEqual({}); // its lease still runs
    expect(await sendDueQuarantineNotices(ctx, { now: new Date(t1 + 5 * MIN) })).toEqual({ [second.id]: 'found_sent' });
    expect(sentMails()).toHaveLength(2);
    expect(inbox()).toHaveLength(2);

    // A sender Graph does not know: 404, certainly not sent; retried with backoff and sent once fixed.
    await quarantineSome(['Brev tre']);
    const settings = (await db().select().from(organisations).where(eq(organisations.id, app.demoOrgId!)))[0].deliverySettings;
    await db().update(organisations).set({ deliverySettings: { ...settings, notifySender: 'findes-ikke@nordlys.example' } }).where(eq(organisations.id, app.demoOrgId!));
    const t2 = t1 + 180 * MIN;
    const [third] = Object.entries(await runQuarantineNotices(ctx, { now: new Date(t2) }));
    expect(third[1]).toBe('failed');
    const [failed] = await db().select().from(quarantineNotices).where(eq(quarantineNotices.id, third[0]));
    expect(failed).toMatchObject({ status: 'pending', uncertain: false });
    expect(failed.lastError).toMatch(/^Could not mail it-drift@nordlys\.example about quarantined letters: Microsoft Graph answered 404/);
    await db().update(organisations).set({ deliverySettings: settings }).where(eq(organisations.id, app.demoOrgId!));
    expect(await sendDueQuarantineNotices(ctx, { now: new Date(Date.now() + 200 * MIN) })).toEqual({ [third[0]]: 'sent' });
    expect(inbox()).toHaveLength(3);
  }, 60_000);

  test('two processes claiming at once make one notice', async () => {
    await quarantineSome(['a', 'b', 'c']);
    const later = { now: new Date(Date.now() + 2 * MIN) };
    const made = (await Promise.all([claimQuarantineNotices(ctx, later), claimQuarantineNotices(ctx, later), claimQuarantineNotices(ctx, later)])).flat();
    expect(made).toHaveLength(1);
    expect(await notices()).toHaveLength(1);
    expect((await db().select().from(quarantine)).every((q) => q.noticeId === made[0])).toBe(true);
    const sent = await Promise.all([sendDueQuarantineNotices(ctx, later), sendDueQuarantineNotices(ctx, later)]);
    expect(sent.flatMap((o) => Object.values(o)).filter((x) => x === 'sent')).toHaveLength(1);
    expect(sentMails()).toHaveLength(1);
  }, 60_000);

  test('without a notice address the letters wait, and are mailed once one is set; letters taken in meanwhile are not', async () => {
    const settings = (await db().select().from(organisations).where(eq(organisations.id, app.demoOrgId!)))[0].deliverySettings;
    await db().update(organisations).set({ deliverySettings: { ...settings, notifyAddress: null } }).where(eq(organisations.id, app.demoOrgId!));
    await quarantineSome(['a', 'b']);
    const later = new Date(Date.now() + 10 * MIN);
    expect(await runQuarantineNotices(ctx, { now: later })).toEqual({});
    expect(await notices()).toHaveLength(0);
    await db().update(organisations).set({ deliverySettings: settings }).where(eq(organisations.id, app.demoOrgId!));
    // Claimed; then both letters leave quarantine before the mail goes: nothing to say.
    const [id] = await claimQuarantineNotices(ctx, { now: later });
    await db().delete(quarantine);
    expect(await sendDueQuarantineNotices(ctx, { now: later })).toEqual({ [id]: 'moot' });
    expect(sentMails()).toHaveLength(0);
  }, 60_000);
});

describe.each(testDatabases)('the quarantine-notices job on $name', (tdb) => {
  test('mails the admins and indexes the letters by itself', async () => {
    const d = await tdb.create();
    const app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, processEveryMs: 100, pollIntervalMs: 200 });
    try {
      app.sims!.ngdp.api.inject(company.cvr, invalidXml('Brev til jobbet'));
      const [row] = await eventually(async () => {
        const r = await app.database.db.select().from(quarantine);
        return r.length === 1 && r;
      }, 20_000, 'the letter quarantined by the poll');
      // Quarantined two minutes ago: past the minute the job waits for a poll's other letters.
      await app.database.db.update(quarantine).set({ receivedAt: new Date(Date.now() - 2 * MIN) }).where(eq(quarantine.id, row.id));
      await app.jobs.quarantineNoticesNow();
      const mail = await eventually(async () => app.sims!.graph.api.messages(DEMO_IT_MAILBOX).find((m) => m.subject.includes('karantæne')), 20_000, 'the notice');
      expect(mail.subject).toBe('Brevdue: 1 brev i karantæne – det er ikke leveret');
      const [after] = await eventually(async () => {
        const r = await app.database.db.select().from(quarantine);
        return r[0]?.cprHashes && r;
      }, 10_000, 'the letter indexed');
      expect(after.noticeId).not.toBeNull();
      expect(after.cprHashes).toHaveLength(1);
      expect(after.cprHashes![0]).toMatch(/^k1:[0-9a-f]{64}$/);
    } finally {
      await app.stop();
      await d.drop();
    }
  }, 60_000);
});
