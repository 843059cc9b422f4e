// A data subject request's erase (dsr/requests.ts dsrErase) racing an admin's "try again" of a
// quarantined letter that names the person (ingest/quarantine-retry.ts). Whichever goes first, once the
// erase has returned nothing of the letter's content is left: a retry that read the row before the erase
// committed answers 409 `erased` and writes nothing (no letter stored from the bytes it opened, no reason
// quoting the letter written back over the erased one); a retry that stored the letter first is followed
// by the erase, which finds that letter and purges it. Each interleaving is forced by holding one side
// before a write (tests/helpers/db-hooks.ts), or, on a PostgreSQL server, inside its transaction.
import { and, eq } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { cprMentions, documents, mailboxes, messages, quarantine } from '../../backend/src/store/schema';
import { storeQuarantine } from '../../backend/src/store/letters';
import { retryQuarantined } from '../../backend/src/ingest/quarantine-retry';
import { dsrErase, dsrSearch, dsrSearchQuarantine } from '../../backend/src/dsr/requests';
import { ERASED_REASON, LETTER_ATTEMPTS, NOT_FETCHED_PREFIX, notFetchedRecord } from '../../backend/src/ingest/letter-failures';
import { HttpError } from '../../backend/src/api/errors';
import type { AppContext, MailboxRow } from '../../backend/src/context';
import type { Memo } from '../../backend/src/memo/types';
import { testDatabases, eventually } from '../helpers/databases';
import { NO_JOBS } from '../helpers/notices';
import { beforeWrites, gate, type Write } from '../helpers/db-hooks';

const [company] = DEMO_ORGANISATION.cvrs;
const CPR = '010190-1234';
const CPR10 = '0101901234';
/** What a reason may quote of a letter besides a CPR number (a name, a file name). */
const PERSONAL = 'Jens Hansen (fil "jens-hansen-journal.pdf")';

describe.each(testDatabases)('a data subject erase racing a quarantine retry on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let mb: MailboxRow;
  let orgId: string;

  beforeEach(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false });
    [mb] = await app.database.db.select().from(mailboxes).where(and(eq(mailboxes.cvr, company.cvr), eq(mailboxes.provider, 'ngdp'))) as MailboxRow[];
    orgId = app.demoOrgId!;
  });
  afterEach(async () => {
    await app.stop();
    await drop();
  });

  const db = () => app.database.db;
  const ctxWith = (d: AppContext['db']): AppContext => ({ ...app.ctx, db: d, jobs: NO_JOBS });
  const retry = (d: AppContext['db'], id: string) =>
    retryQuarantined(ctxWith(d), orgId, id, { mailboxId: mb.id, actor: 'Admin (test)' }).catch((e: unknown) => e);
  const erase = (d: AppContext['db']) => dsrErase(d, app.ctx.sealer, orgId, CPR10);
  /** A valid letter about the person (its CPR number in the notification), held in quarantine as if the database had refused it. */
  const heldLetter = async (): Promise<{ memo: Memo; id: string }> => {
    const memo = demoMemo({ recipientCvr: company.cvr, notification: `Vedrørende ${CPR}` });
    await storeQuarantine(db(), app.ctx.sealer, mb, memo.messageUUID, `Brevdue's database cannot hold this letter: ${PERSONAL}`, Buffer.from(buildMemoXml(memo)));
    const [row] = await db().select().from(quarantine).where(eq(quarantine.providerMessageId, memo.messageUUID));
    return { memo, id: row.id };
  };

  /** After the erase: no letter content about the person, and the quarantine row gone or erased. */
  async function nothingLeft(memo: Memo, quarantineId: string) {
    for (const m of await db().select().from(messages).where(eq(messages.memoUuid, memo.messageUUID))) {
      expect(m.purgedAt).not.toBeNull();
      expect(await db().select().from(documents).where(eq(documents.messageId, m.id))).toEqual([]);
    }
    expect(await db().select().from(cprMentions)).toEqual([]);
    expect((await dsrSearch(db(), app.ctx.sealer, orgId, CPR10)).filter((l) => !l.purgedAt)).toEqual([]);
    expect((await dsrSearchQuarantine(db(), app.ctx.sealer, orgId, CPR10)).quarantined).toEqual([]);
    const [row] = await db().select().from(quarantine).where(eq(quarantine.id, quarantineId));
    if (row) {
      expect(row.erasedAt).not.toBeNull();
      expect(row.reason).toContain(ERASED_REASON);
      expect(row.reason).not.toMatch(/Jens Hansen|jens-hansen|createdDateTime/);
      expect(app.ctx.sealer.open(row.rawEnc)).toHaveLength(0);
    }
  }

  const expectErased = (r: unknown) => {
    expect(r).toBeInstanceOf(HttpError);
    expect(r).toMatchObject({ status: 409, code: 'erased' });
  };

  test('the retry read the row, then the erase committed: no letter is stored from the opened bytes (409 erased)', async () => {
    const { memo, id } = await heldLetter();
    const g = gate();
    const retried = retry(beforeWrites(db(), () => g.wait()), id);
    await g.reached; // the retry has read the row and opened its bytes; it is about to write
    const erased = await erase(db());
    expect(erased).toMatchObject({ ok: true, erased: [], quarantineErased: [id] });
    g.open();
    const r = await retried;
    expect(await db().select({ id: messages.id }).from(messages).where(eq(messages.memoUuid, memo.messageUUID))).toEqual([]);
    await nothingLeft(memo, id);
    expectErased(r);
  }, 60_000);

  test('still invalid on trying again, with the erase between read and write: the erased reason is not overwritten by one quoting the letter', async () => {
    const memo = demoMemo({ recipientCvr: company.cvr, label: PERSONAL, notification: `Vedrørende ${CPR}` });
    const xml = buildMemoXml(memo).replace(/(<(?:\w+:)?createdDateTime>)[^<]+/, '$10000-03-01T10:00:00Z');
    await storeQuarantine(db(), app.ctx.sealer, mb, memo.messageUUID, `MessageBody: ${PERSONAL} createdDateTime 0000-03-01 is not allowed`, Buffer.from(xml));
    const [{ id }] = await db().select().from(quarantine).where(eq(quarantine.providerMessageId, memo.messageUUID));
    const g = gate();
    const retried = retry(beforeWrites(db(), () => g.wait()), id);
    await g.reached;
    expect(await erase(db())).toMatchObject({ ok: true, quarantineErased: [id] });
    g.open();
    const r = await retried;
    const [row] = await db().select().from(quarantine).where(eq(quarantine.id, id));
    expect(row.reason).toBe(ERASED_REASON);
    await nothingLeft(memo, id);
    expectErased(r);
  }, 60_000);

  test('still invalid, erased and its record deleted (retention) between read and write: the retry puts no row back', async () => {
    const memo = demoMemo({ recipientCvr: company.cvr, notification: `Vedrørende ${CPR}` });
    const xml = buildMemoXml(memo).replace(/(<(?:\w+:)?createdDateTime>)[^<]+/, '$10000-03-01T10:00:00Z');
    await storeQuarantine(db(), app.ctx.sealer, mb, memo.messageUUID, 'MessageBody: createdDateTime 0000-03-01 is not allowed', Buffer.from(xml));
    const [{ id }] = await db().select().from(quarantine).where(eq(quarantine.providerMessageId, memo.messageUUID));
    const g = gate();
    const retried = retry(beforeWrites(db(), () => g.wait()), id);
    await g.reached;
    expect(await erase(db())).toMatchObject({ ok: true, quarantineErased: [id] });
    await db().delete(quarantine).where(eq(quarantine.id, id)); // as retention deletes an erased row past the retention period
    g.open();
    expect(await retried).toMatchObject({ status: 404, code: 'not_found' });
    expect(await db().select().from(quarantine).where(eq(quarantine.providerMessageId, memo.messageUUID))).toEqual([]);
    await nothingLeft(memo, id);
  }, 60_000);

  test('a letter never fetched, erased between read and write: 409 erased, the record stays erased', async () => {
    const memo = demoMemo({ recipientCvr: company.cvr });
    const reason = `${NOT_FETCHED_PREFIX} ${LETTER_ATTEMPTS} attempts (it stays waiting at Digital Post): ${PERSONAL}`;
    await storeQuarantine(db(), app.ctx.sealer, mb, memo.messageUUID, reason,
      Buffer.concat([notFetchedRecord('ngdp', memo.messageUUID, reason), Buffer.from(CPR)]));
    const [{ id }] = await db().select().from(quarantine).where(eq(quarantine.providerMessageId, memo.messageUUID));
    const g = gate();
    const retried = retry(beforeWrites(db(), () => g.wait()), id);
    await g.reached;
    expect(await erase(db())).toMatchObject({ ok: true, quarantineErased: [id] });
    g.open();
    const r = await retried;
    const [row] = await db().select().from(quarantine).where(eq(quarantine.id, id));
    expect(row.reason.startsWith(NOT_FETCHED_PREFIX)).toBe(true); // later polls still pass it by
    await nothingLeft(memo, id);
    expectErased(r);
  }, 60_000);

  test('the retry stored the letter while the erase was under way (before the erase reached quarantine): the erase purges the stored letter', async () => {
    const { memo, id } = await heldLetter();
    // The erase is held just before it erases the quarantined letter; meanwhile the retry runs to its end.
    let retried: unknown;
    const held = beforeWrites(db(), async (w: Write) => {
      if (w.kind === 'update' && w.table === 'quarantine' && (w.values as { erasedAt?: Date }).erasedAt && retried === undefined) {
        retried = await retry(db(), id);
      }
    });
    const erased = await erase(held);
    expect(retried).toMatchObject({ outcome: 'stored' });
    const { messageId } = retried as { messageId: string };
    expect(erased).toMatchObject({ ok: true, erased: [messageId] });
    await nothingLeft(memo, id);
  }, 60_000);

  if (tdb.name === 'postgres') {
    test('the retry inside its store transaction (the letter written, not committed) while the erase runs: the erase waits for it and purges the letter', async () => {
      const { memo, id } = await heldLetter();
      // The retry is held inside its transaction, just before its last write (the timeline's events).
      const g = gate();
      const heldRetry = beforeWrites(db(), (w: Write) => (w.inTransaction && w.kind === 'insert' && w.table === 'events' ? g.wait() : undefined));
      const retried = retry(heldRetry, id);
      await g.reached;
      // The erase runs until it is done or waits for a lock the retry's transaction holds.
      let settled = false;
      const erased = erase(db()).finally(() => { settled = true; });
      const waiting = async () => Number((await app.database.pool.query(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")).rows[0].n);
      await eventually(async () => settled || (await waiting()) > 0, 20_000, 'the erase to finish or wait for the retry');
      g.open();
      const [r, e] = await Promise.all([retried, erased]);
      expect(r).toMatchObject({ outcome: 'stored' });
      expect(e).toMatchObject({ ok: true, erased: [(r as { messageId: string }).messageId] });
      await nothingLeft(memo, id);
    }, 60_000);
  }

  test('without a race, an erased letter is refused and a letter tried first is erased afterwards (the ordinary paths)', async () => {
    const first = await heldLetter();
    expect(await erase(db())).toMatchObject({ ok: true, quarantineErased: [first.id] });
    expectErased(await retry(db(), first.id));
    await nothingLeft(first.memo, first.id);

    const second = await heldLetter();
    const r = await retry(db(), second.id);
    expect(r).toMatchObject({ outcome: 'stored' });
    expect(await erase(db())).toMatchObject({ ok: true, erased: [(r as { messageId: string }).messageId], quarantineErased: [] });
    await nothingLeft(second.memo, second.id);
  }, 60_000);
});
