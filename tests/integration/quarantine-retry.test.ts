// Quarantined letters, tried again and bounded:
// - an admin's "try again" (POST /api/admin/mailboxes/:id/quarantine/:quarantineId/retry, and
//   `brevdue quarantine retry`): a held letter goes through acceptLetter from its stored bytes and is
//   stored, routed and delivered exactly once (its row goes only after the store); one still invalid
//   or still refused stays with a 422 saying why; a letter never fetched is forgotten and fetched again
//   at the next poll;
// - a quarantined letter whose INVALID receipt keeps failing is no longer fetched and receipted at
//   every poll for ever: its receipt is tried LETTER_ATTEMPTS times, then its one quarantine row is
//   marked and later polls pass it by, with a sentence in the mailbox's health.
import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { DEMO_SHARED_MAILBOX } from '../../backend/src/demo/seed';
import { buildMemoXml } from '../../backend/src/memo/build';
import { auditLog, deliveries, events, mailboxes, messages, quarantine, routeQueue } from '../../backend/src/store/schema';
import { pollMailbox } from '../../backend/src/ingest/poll';
import { LETTER_ATTEMPTS, RECEIPT_NOT_SENT_PREFIX } from '../../backend/src/ingest/letter-failures';
import { ProviderError, type Acknowledgement, type MailboxConnector } from '../../backend/src/ingest/connector';
import type { AppContext, MailboxRow } from '../../backend/src/context';
import { main } from '../../backend/src/cli/main';
import { quarantineRetryResultSchema } from '../../shared/src/contracts';
import { callApi } from '../helpers/app';
import { eventually, testDatabases } from '../helpers/databases';

const [company, second] = DEMO_ORGANISATION.cvrs;
const noJobs = { routeSoon: async () => undefined, deliverSoon: async () => undefined, notifyDeadSoon: async () => undefined };

/** Statements one at a time (PGlite's extended protocol takes one per query). */
const run = async (db: Brevdue['database']['db'], ...statements: string[]) => { for (const st of statements) await db.execute(sql.raw(st)); };
const refuseLetters = (db: Brevdue['database']['db'], sqlstate: string) => run(db,
  `CREATE OR REPLACE FUNCTION test_refuse_letter() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN RAISE EXCEPTION 'letter refused for the test' USING ERRCODE = '${sqlstate}'; END $$`,
  'CREATE TRIGGER test_refuse_letter BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION test_refuse_letter()');
const acceptLettersAgain = (db: Brevdue['database']['db']) => run(db, 'DROP TRIGGER test_refuse_letter ON messages');

/** A MeMo dated in the year 0000: invalid (the validator names the element and the rule). */
const invalidXml = (m = demoMemo({ recipientCvr: company.cvr })) => buildMemoXml(m).replace(/(<(?:\w+:)?createdDateTime>)[^<]+/, '$10000-03-01T10:00:00Z');

interface Faults { ack?: (id: string, ack: Acknowledgement) => boolean; fetch?: (id: string) => boolean }

/** The context with the connector's fetch or receipt failing as `faults` says, counting the calls. */
function faultyContext(base: AppContext, faults: Faults) {
  const calls = { fetch: [] as string[], ack: [] as { id: string; status: string }[] };
  const ctx: AppContext = {
    ...base, jobs: noJobs,
    connectorFor: (mb) => {
      const c = base.connectorFor(mb);
      const wrapped: MailboxConnector = {
        listWaiting: () => c.listWaiting(),
        fetchRaw: async (id) => {
          calls.fetch.push(id);
          if (faults.fetch?.(id)) throw new ProviderError('provider_unavailable', 'Digital Post answered 503 Service Unavailable', true, 503);
          return c.fetchRaw(id);
        },
        acknowledge: async (id, ack) => {
          calls.ack.push({ id, status: ack.status });
          if (faults.ack?.(id, ack)) throw new ProviderError('provider_unavailable', 'Digital Post answered 503 Service Unavailable to the receipt', true, 503);
          return c.acknowledge(id, ack);
        },
      };
      return wrapped;
    },
  };
  return { ctx, calls };
}

describe.each(testDatabases)('quarantined letters on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let mb: MailboxRow;

  beforeEach(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false });
    [mb] = await app.database.db.select().from(mailboxes).where(and(eq(mailboxes.cvr, company.cvr), eq(mailboxes.provider, 'ngdp'))) as MailboxRow[];
  });
  afterEach(async () => {
    await app.stop();
    await drop();
  });

  const db = () => app.database.db;
  const inject = (xml: string) => app.sims!.ngdp.api.inject(company.cvr, xml);
  const health = async () => (await db().select().from(mailboxes).where(eq(mailboxes.id, mb.id)))[0];
  const rows = () => db().select().from(quarantine).where(eq(quarantine.mailboxId, mb.id));
  const retry = (qid: string, mailboxId = mb.id, headers: Record<string, string> = {}) =>
    callApi(app, 'POST', `/admin/mailboxes/${mailboxId}/quarantine/${qid}/retry`, undefined, headers);
  const audits = (qid: string) => db().select().from(auditLog).where(and(eq(auditLog.action, 'quarantine.retry'), eq(auditLog.targetId, qid)));
  const lettersOf = (uuid: string) => db().select().from(messages).where(eq(messages.memoUuid, uuid));

  test.each([
    ['an invalid MeMo', 'invalid'],
    ['a letter the database refuses', 'refused'],
  ] as const)('%s whose INVALID receipt keeps failing: receipted (not fetched) at the next polls, then passed by with one row and a sentence', async (_, kind) => {
    const memo = demoMemo({ recipientCvr: company.cvr });
    if (kind === 'invalid') inject(invalidXml(memo));
    else {
      inject(buildMemoXml(memo));
      await refuseLetters(db(), '22008');
    }
    let receiptsFail = true;
    const { ctx, calls } = faultyContext(app.ctx, { ack: (_id, ack) => receiptsFail && ack.status === 'INVALID' });
    for (let attempt = 1; attempt < LETTER_ATTEMPTS; attempt++) {
      const err = await pollMailbox(ctx, mb).catch((e) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect(err.retryable).toBe(true);
      expect(err.message).toMatch(new RegExp(`Digital Post letter ${memo.messageUUID} is quarantined, but its INVALID receipt could not be sent \\(attempt ${attempt} of ${LETTER_ATTEMPTS};`));
      expect((await health()).lastError).toBe(err.message);
      expect(await rows()).toHaveLength(1);
    }
    expect(calls.fetch).toEqual([memo.messageUUID]); // fetched once: later polls only owe the receipt
    expect(calls.ack).toHaveLength(LETTER_ATTEMPTS - 1);

    // The last attempt: given up, the poll succeeds, health says what happened.
    expect(await pollMailbox(ctx, mb)).toEqual({ stored: 0, duplicates: 0, quarantined: 0, more: false });
    const [marked] = await rows();
    expect(marked.reason.startsWith(`${RECEIPT_NOT_SENT_PREFIX} ${LETTER_ATTEMPTS} attempts (the letter is kept in quarantine; it stays waiting at Digital Post)`)).toBe(true);
    expect(marked.reason).toMatch(kind === 'invalid' ? /Quarantined because: .*createdDateTime.*year 0000/ : /Quarantined because: Brevdue's database cannot hold this letter/);
    const h = await health();
    expect(h).toMatchObject({ consecutiveFailures: 0, backoffUntil: null });
    expect(h.lastError).toMatch(new RegExp(`^The Digital Post letter ${memo.messageUUID} is passed by: ${RECEIPT_NOT_SENT_PREFIX} ${LETTER_ATTEMPTS} attempts`));
    expect(app.sims!.ngdp.api.waiting(company.cvr)).toHaveLength(1); // not lost: still at the provider, and kept here

    // Later polls pass it by: no fetch, no receipt, no failure, still one row.
    const acks = calls.ack.length;
    expect(await pollMailbox(ctx, mb)).toEqual({ stored: 0, duplicates: 0, quarantined: 0, more: false });
    expect(calls.ack).toHaveLength(acks);
    expect(calls.fetch).toHaveLength(1);
    expect((await health()).lastError).toBeNull();
    expect(await rows()).toHaveLength(1);

    // An admin tries it again: still not taken in (422, why), the mark goes, the next poll sends the receipt.
    const tried = await retry(marked.id);
    expect(tried.status).toBe(422);
    expect(tried.body.error.code).toBe(kind === 'invalid' ? 'still_invalid' : 'still_refused');
    expect(tried.body.error.message).toMatch(kind === 'invalid' ? /is still not a valid letter: .*year 0000/ : /still cannot be stored: Brevdue's database cannot hold this letter/);
    expect(tried.body.error.message).toMatch(/It stays in quarantine\. Its INVALID receipt is sent to Digital Post again at the mailbox's next poll\./);
    const [kept] = await rows();
    expect(kept.id).toBe(marked.id);
    expect(kept.reason.startsWith(RECEIPT_NOT_SENT_PREFIX)).toBe(false);
    expect((await health()).nextPollAt!.getTime()).toBeLessThanOrEqual(Date.now());
    receiptsFail = false;
    expect(await pollMailbox(ctx, mb)).toEqual({ stored: 0, duplicates: 0, quarantined: 1, more: false });
    expect(calls.fetch).toHaveLength(1);
    expect(app.sims!.ngdp.api.receipts().find((r) => r.messageUUID === memo.messageUUID)).toMatchObject({ receiptStatus: 'INVALID' });
    expect(app.sims!.ngdp.api.waiting(company.cvr)).toEqual([]);
    expect(await rows()).toHaveLength(1);
  }, 60_000);

  test('a letter whose receipt was given up, taken in on trying again: the next poll finds it stored and receipts it COMPLETED, once', async () => {
    const memo = demoMemo({ recipientCvr: company.cvr });
    inject(buildMemoXml(memo));
    await refuseLetters(db(), '22008');
    let receiptsFail = true;
    const { ctx } = faultyContext(app.ctx, { ack: () => receiptsFail });
    for (let i = 1; i < LETTER_ATTEMPTS; i++) await expect(pollMailbox(ctx, mb)).rejects.toBeInstanceOf(ProviderError);
    await pollMailbox(ctx, mb);
    const [marked] = await rows();
    expect(marked.reason.startsWith(RECEIPT_NOT_SENT_PREFIX)).toBe(true);

    await acceptLettersAgain(db());
    await db().update(mailboxes).set({ nextPollAt: new Date(Date.now() + 3_600_000) }).where(eq(mailboxes.id, mb.id));
    const ok = await retry(marked.id);
    expect(quarantineRetryResultSchema.parse(ok.body)).toMatchObject({ outcome: 'stored' });
    expect(await rows()).toHaveLength(0);
    expect((await health()).nextPollAt!.getTime()).toBeLessThanOrEqual(Date.now()); // polled soon: it still waits at Digital Post
    receiptsFail = false;
    expect(await pollMailbox(ctx, mb)).toEqual({ stored: 0, duplicates: 1, quarantined: 0, more: false });
    expect(app.sims!.ngdp.api.receipts().filter((r) => r.messageUUID === memo.messageUUID).map((r) => r.receiptStatus)).toEqual(['COMPLETED']);
    expect(app.sims!.ngdp.api.waiting(company.cvr)).toEqual([]);
    expect(await lettersOf(memo.messageUUID)).toHaveLength(1);
  }, 60_000);

  test('a letter the database refused, tried again once it can hold it: stored once, its row gone only after; a second copy is not stored again', async () => {
    const memo = demoMemo({ recipientCvr: company.cvr });
    inject(buildMemoXml(memo));
    await refuseLetters(db(), '22008');
    const ctx = { ...app.ctx, jobs: noJobs };
    expect(await pollMailbox(ctx, mb)).toEqual({ stored: 0, duplicates: 0, quarantined: 1, more: false });
    const [q] = await rows();
    expect(q.reason).toMatch(/^Brevdue's database cannot hold this letter/);

    // Still refused: 422, the row stays. The database itself failing: 503, the row stays.
    const refused = await retry(q.id);
    expect([refused.status, refused.body.error.code]).toEqual([422, 'still_refused']);
    expect(refused.body.error.message).toMatch(/still cannot be stored: .*22008.*It stays in quarantine\. Give this reason to your Brevdue supplier\.$/);
    await acceptLettersAgain(db());
    await refuseLetters(db(), 'XX000');
    const failed = await retry(q.id);
    expect([failed.status, failed.body.error.code]).toEqual([503, 'store_failed']);
    expect(failed.body.error.message).toMatch(/could not be stored this time: .*XX000.*It stays in quarantine; try again in a few minutes\.$/);
    expect((await rows()).map((r) => r.id)).toEqual([q.id]);
    expect(await lettersOf(memo.messageUUID)).toHaveLength(0);

    // Fixed: stored, queued for routing, its row gone, the timeline says where it came from, audited.
    await acceptLettersAgain(db());
    const ok = await retry(q.id);
    expect(ok.status).toBe(200);
    const result = quarantineRetryResultSchema.parse(ok.body);
    expect(result).toMatchObject({ outcome: 'stored', message: expect.stringMatching(/is stored and goes on to routing and delivery/) });
    const [letter] = await lettersOf(memo.messageUUID);
    expect(letter.id).toBe(result.messageId);
    expect(await rows()).toHaveLength(0);
    expect(await db().select().from(routeQueue).where(eq(routeQueue.messageId, letter.id))).toHaveLength(1);
    const timeline = await db().select().from(events).where(eq(events.messageId, letter.id)).orderBy(events.id);
    expect(timeline.map((e) => e.type)).toEqual(['fetched', 'stored', 'quarantine_released']);
    expect(timeline[2].actor).toMatch(/\(/);
    // The tries that changed something or left it in quarantine are audited (not the 503: nothing happened).
    await eventually(async () => (await audits(q.id)).length === 2, 5_000, 'the retry audited');
    const tries = (await audits(q.id)).sort((x, y) => x.seq - y.seq).map((e) => e.details);
    expect(tries).toEqual([expect.objectContaining({ outcome: 'still_refused', status: 422 }), expect.objectContaining({ outcome: 'stored', messageId: letter.id, mailboxId: mb.id, status: 200 })]);

    // Again: the row is gone (404 with a sentence).
    const again = await retry(q.id);
    expect([again.status, again.body.error.code]).toEqual([404, 'not_found']);
    expect(again.body.error.message).toMatch(/tried again or removed already/);

    // The same letter quarantined once more (say through another way in): not stored or queued twice.
    const [dup] = await db().insert(quarantine).values({
      orgId: mb.orgId, mailboxId: mb.id, providerMessageId: `again-${memo.messageUUID}`, reason: 'Given up after 5 attempts to store it: test',
      rawEnc: app.ctx.sealer.seal(Buffer.from(buildMemoXml(memo))),
    }).returning();
    await db().delete(routeQueue).where(eq(routeQueue.messageId, letter.id)); // routed meanwhile
    await db().update(messages).set({ status: 'routed' }).where(eq(messages.id, letter.id));
    const second = await retry(dup.id);
    expect(second.status).toBe(200);
    expect(quarantineRetryResultSchema.parse(second.body)).toMatchObject({ outcome: 'already_stored', messageId: letter.id });
    expect(await lettersOf(memo.messageUUID)).toHaveLength(1);
    expect(await db().select().from(routeQueue).where(eq(routeQueue.messageId, letter.id))).toHaveLength(0);
    expect(await rows()).toHaveLength(0);
  }, 60_000);

  test('an invalid MeMo: still invalid is a 422 with the reason (audited, it stays); once the validator takes it, it is stored', async () => {
    const bad = demoMemo({ recipientCvr: company.cvr });
    inject(invalidXml(bad));
    expect(await pollMailbox({ ...app.ctx, jobs: noJobs }, mb)).toEqual({ stored: 0, duplicates: 0, quarantined: 1, more: false });
    const [q] = await rows();
    const tried = await retry(q.id);
    expect([tried.status, tried.body.error.code]).toEqual([422, 'still_invalid']);
    expect(tried.body.error.message).toMatch(new RegExp(`^The Digital Post letter ${bad.messageUUID} is still not a valid letter: .*createdDateTime.*year 0000 does not exist.*It stays in quarantine\\. If the sender sent it like this, ask them to send it again\\.$`));
    expect(await rows()).toEqual([q]);
    expect((await audits(q.id)).map((a) => a.details)).toEqual([expect.objectContaining({ outcome: 'still_invalid', status: 422, mailboxId: mb.id })]);

    // A letter an earlier validator refused that today's accepts (its stored bytes are a valid MeMo).
    const good = demoMemo({ recipientCvr: company.cvr });
    const [old] = await db().insert(quarantine).values({
      orgId: mb.orgId, mailboxId: mb.id, providerMessageId: good.messageUUID, reason: 'MessageBody/createdDateTime: not a date (an older validator)',
      rawEnc: app.ctx.sealer.seal(Buffer.from(buildMemoXml(good))),
    }).returning();
    const ok = await retry(old.id);
    expect(ok.status).toBe(200);
    expect(quarantineRetryResultSchema.parse(ok.body).outcome).toBe('stored');
    expect(await lettersOf(good.messageUUID)).toHaveLength(1);
    expect((await rows()).map((r) => r.id)).toEqual([q.id]);
  });

  test('a letter never fetched: forgotten, the mailbox polled soon, and the next poll takes it', async () => {
    const memo = demoMemo({ recipientCvr: company.cvr });
    inject(buildMemoXml(memo));
    let fetchFails = true;
    const { ctx } = faultyContext(app.ctx, { fetch: () => fetchFails });
    for (let i = 1; i < LETTER_ATTEMPTS; i++) await expect(pollMailbox(ctx, mb)).rejects.toBeInstanceOf(ProviderError);
    await pollMailbox(ctx, mb);
    const [q] = await rows();
    expect(q.reason).toMatch(/^Not fetched after 5 attempts/);
    fetchFails = false;
    expect(await pollMailbox(ctx, mb)).toEqual({ stored: 0, duplicates: 0, quarantined: 0, more: false }); // passed by

    await db().update(mailboxes).set({ nextPollAt: new Date(Date.now() + 3_600_000) }).where(eq(mailboxes.id, mb.id));
    const r = await retry(q.id);
    expect(r.status).toBe(202);
    expect(quarantineRetryResultSchema.parse(r.body)).toEqual({
      outcome: 'fetch_again', messageId: null,
      message: `The Digital Post letter ${memo.messageUUID} is fetched again from Digital Post at the mailbox's next poll. If it still cannot be fetched, it is given up after ${LETTER_ATTEMPTS} more attempts and shows here again.`,
    });
    expect(await rows()).toHaveLength(0);
    expect((await health()).nextPollAt!.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await pollMailbox(ctx, mb)).toEqual({ stored: 1, duplicates: 0, quarantined: 0, more: false });
    expect(app.sims!.ngdp.api.receipts().find((x) => x.messageUUID === memo.messageUUID)).toMatchObject({ receiptStatus: 'COMPLETED' });
    expect(app.sims!.ngdp.api.waiting(company.cvr)).toEqual([]);
  }, 60_000);

  test('who may, and which row: admins only; another mailbox\'s row, an unknown id and a malformed one are refused with a sentence', async () => {
    const [other] = await db().select().from(mailboxes).where(and(eq(mailboxes.cvr, second.cvr), eq(mailboxes.provider, 'ngdp')));
    const [q] = await db().insert(quarantine).values({
      orgId: mb.orgId, mailboxId: mb.id, providerMessageId: 'p-1', reason: 'Not fetched after 5 attempts (test)', rawEnc: app.ctx.sealer.seal('<NotFetched/>'),
    }).returning();
    const asOperator = await retry(q.id, mb.id, { 'X-Brevdue-Demo-Role': 'operator' });
    expect(asOperator.status).toBe(403);
    const elsewhere = await retry(q.id, other.id);
    expect([elsewhere.status, elsewhere.body.error.code]).toEqual([404, 'not_found']);
    expect((await retry(randomUUID())).status).toBe(404);
    const malformed = await retry('not-an-id');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toMatch(/quarantined letter's id \(UUID\)/);
    expect(await rows()).toHaveLength(1);
    // A removed mailbox fetches nothing: the pane cannot reach it (404), the command line says why.
    await db().update(mailboxes).set({ removedAt: new Date() }).where(eq(mailboxes.id, mb.id));
    expect((await retry(q.id)).status).toBe(404);
    const out: string[] = [];
    const err: string[] = [];
    const env = { openStore: async () => ({ db: db(), sealer: app.ctx.sealer, close: async () => undefined }) };
    expect(await main(['quarantine', 'retry', q.id], { out: (t) => out.push(t), err: (t) => err.push(t) }, env)).toBe(3);
    expect(err.join('')).toMatch(/its mailbox has been removed, so nothing fetches it\. Add the Digital Post mailbox of CVR \d{8} again, then try again\./);
  });

  test('brevdue quarantine retry: the same, from the command line, audited', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t) };
    const env = { openStore: async () => ({ db: db(), sealer: app.ctx.sealer, close: async () => undefined }) };
    const good = demoMemo({ recipientCvr: company.cvr });
    const [held] = await db().insert(quarantine).values({
      orgId: mb.orgId, mailboxId: mb.id, providerMessageId: good.messageUUID, reason: 'Given up after 5 attempts to store it: test',
      rawEnc: app.ctx.sealer.seal(Buffer.from(buildMemoXml(good))),
    }).returning();
    const [bad] = await db().insert(quarantine).values({
      orgId: mb.orgId, mailboxId: mb.id, providerMessageId: 'bad-1', reason: 'invalid', rawEnc: app.ctx.sealer.seal(Buffer.from(invalidXml())),
    }).returning();

    expect(await main(['quarantine', 'retry', held.id], io, env)).toBe(0);
    const [letter] = await lettersOf(good.messageUUID);
    expect(out.join('')).toBe(`The Digital Post letter ${good.messageUUID} is stored and goes on to routing and delivery like any new letter. (letter ${letter.id})\n`);
    expect((await audits(held.id))[0]).toMatchObject({ actor: expect.stringMatching(/^command line \(/), details: { outcome: 'stored', messageId: letter.id } });

    expect(await main(['quarantine', 'retry', bad.id], io, env)).toBe(3);
    expect(err.join('')).toMatch(/^brevdue: The Digital Post letter bad-1 is still not a valid letter: .*year 0000.*It stays in quarantine\./);
    expect((await audits(bad.id))[0].details).toMatchObject({ outcome: 'still_invalid' });
    expect(await main(['quarantine', 'retry', 'x'], io, env)).toBe(2);
    expect(await main(['quarantine', 'retry', randomUUID()], io, env)).toBe(3);
    expect((await rows()).map((r) => r.id)).toEqual([bad.id]);
  });
});

describe.each(testDatabases)('a quarantined letter tried again, with the pipeline running, on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, pollIntervalMs: 60_000, processEveryMs: 100 });
  });
  afterAll(async () => {
    await app.stop();
    await drop();
  });

  test('is stored, routed and delivered exactly once, also when tried twice and when the same letter is quarantined twice', async () => {
    const db = app.database.db;
    const [mb] = await db.select().from(mailboxes).where(and(eq(mailboxes.cvr, company.cvr), eq(mailboxes.provider, 'ngdp')));
    const memo = demoMemo({ recipientCvr: company.cvr, label: `Karantæne ${randomUUID().slice(0, 8)}` });
    const raw = app.ctx.sealer.seal(Buffer.from(buildMemoXml(memo)));
    const [a, b] = await db.insert(quarantine).values([
      { orgId: mb.orgId, mailboxId: mb.id, providerMessageId: memo.messageUUID, reason: 'Given up after 5 attempts to store it: the database was restarting', rawEnc: raw },
      { orgId: mb.orgId, mailboxId: mb.id, providerMessageId: `copy-${memo.messageUUID}`, reason: 'Given up after 5 attempts to store it: the same', rawEnc: raw },
    ]).returning();
    // Two admins at once, on both rows: one letter.
    const answers = await Promise.all([a.id, a.id, b.id].map((id) => callApi(app, 'POST', `/admin/mailboxes/${mb.id}/quarantine/${id}/retry`)));
    expect(answers.every((r) => r.status === 200 || r.status === 404)).toBe(true);
    const outcomes = answers.filter((r) => r.status === 200).map((r) => quarantineRetryResultSchema.parse(r.body).outcome);
    expect(outcomes.filter((o) => o === 'stored')).toHaveLength(1);
    expect(outcomes).toContain('already_stored');
    const letters = await db.select().from(messages).where(eq(messages.memoUuid, memo.messageUUID));
    expect(letters).toHaveLength(1);
    await eventually(async () => (await db.select().from(messages).where(eq(messages.id, letters[0].id)))[0].status === 'delivered', 30_000, 'the letter delivered');
    await new Promise((r) => setTimeout(r, 500));
    expect(app.sims!.graph.api.messages(DEMO_SHARED_MAILBOX).filter((m) => m.subject === memo.label)).toHaveLength(1);
    expect(await db.select().from(deliveries).where(eq(deliveries.messageId, letters[0].id))).toHaveLength(1);
    expect(await db.select().from(quarantine).where(eq(quarantine.mailboxId, mb.id))).toHaveLength(0);
  }, 60_000);
});
