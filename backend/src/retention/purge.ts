// Retention: a letter's content is deleted retention_days after it was received (per organisation,
// default 90), unless an admin put it on legal hold. What stays is the trace: ids, dates, sender,
// CVR, status, deliveries and the timeline's steps (their free text and data are cleared, since
// rule explanations can quote the letter). The same purge serves data subject erasure (dsr/).
// Quarantined letters were never delivered to anyone: deleting one nobody has looked at would be a
// silent drop. Past the retention period a quarantined letter is deleted once an admin has acted on
// it — tried it again (audited as quarantine.retry) and it stayed in quarantine (still invalid or
// refused; one taken in leaves quarantine by itself), or erased it in a data subject request. One
// nobody acted on is kept, counted in the run's audit entry (quarantineKept) and listed in the task
// pane's mailbox view with its "Try again" button — but not for ever: the admins were mailed when it
// arrived (delivery/quarantine-notice.ts), and quarantine_keep_days (default 90) after the retention
// period it is deleted too, each with its own audit entry (quarantine.expired), so the sealed letter
// (which may name persons) is not kept without bound because nobody looked. A deleted row leaves a
// content-free tombstone (quarantine_tombstones: mailbox, provider id, dates): a letter whose INVALID
// receipt never reached the provider is still waiting there, and polls pass it by through that, so it
// is never fetched and quarantined again (with content a data subject had erased).
import { and, eq, inArray, isNull, lt, ne, not, notExists, sql } from 'drizzle-orm';
import type { Sealer } from '../crypto/envelope';
import type { Db } from '../store/db';
import { databaseErrorOf, type Tx } from '../store/db';
import { NOT_FETCHED_PREFIX, tombstoneReason } from '../ingest/letter-failures';
import { cprMentions, documents, events, messages, organisations, quarantine, quarantineNotices, quarantineTombstones, replies } from '../store/schema';
import { appendAudit } from '../audit/chain';
import { lettersDue, lettersHeld, quarantineActedOn, quarantineDue, retentionCuts, type RetentionCuts } from './due';
import { settleUndelivered } from './not-delivered';

/** What a purged letter's label becomes: the label is content too (it may name an illness). */
export const PURGED_LABEL = '[slettet]';
export const PURGED_EVENT_TEXT = 'Detaljer slettet sammen med brevets indhold';

export type PurgeReason = 'retention' | 'dsr';

/**
 * Purges the content of these letters of one organisation, skipping any on legal hold or already
 * purged; returns the ids purged. Idempotent: a second run finds nothing to do.
 */
export async function purgeLetters(db: Db, sealer: Sealer, orgId: string, ids: string[], reason: PurgeReason): Promise<string[]> {
  if (ids.length === 0) return [];
  // raw_enc is NOT NULL: a sealed empty value marks "nothing here" and opens like any other.
  const emptyRaw = sealer.seal(Buffer.alloc(0));
  return db.transaction(async (tx) => {
    const claimed = await tx.update(messages).set({
      rawEnc: emptyRaw, label: PURGED_LABEL, notification: null, searchText: '', routingFacts: { purged: reason }, purgedAt: new Date(),
    }).where(and(eq(messages.orgId, orgId), inArray(messages.id, ids), eq(messages.legalHold, false), isNull(messages.purgedAt)))
      .returning({ id: messages.id });
    const done = claimed.map((c) => c.id);
    if (done.length === 0) return [];
    await tx.delete(documents).where(inArray(documents.messageId, done));
    await tx.delete(cprMentions).where(inArray(cprMentions.messageId, done));
    await tx.update(events).set({ text: PURGED_EVENT_TEXT, data: {} }).where(inArray(events.messageId, done));
    // Replies: the sent MeMo and the attachment names go; status, receipt id and who sent it stay.
    await tx.update(replies).set({ memoEnc: emptyRaw, attachments: [], error: null }).where(inArray(replies.messageId, done));
    await tx.insert(events).values(done.map((messageId) => ({
      orgId, messageId, type: 'purged', actor: 'system',
      text: reason === 'retention' ? 'Indholdet er slettet: opbevaringsperioden er udløbet' : 'Indholdet er slettet efter en anmodning fra den registrerede',
      data: { reason },
    })));
    // Nothing of it is delivered any more: queue row, pending deliveries and status (not-delivered.ts).
    await settleUndelivered(tx, orgId, done, reason);
    return done;
  });
}

export interface RetentionRunResult {
  organisations: number;
  letters: number;
  /** Quarantined letters deleted: past retention, and an admin acted on them. */
  quarantined: number;
  /** Quarantined letters past retention kept because no admin has acted on them yet. */
  quarantineKept: number;
  /** Quarantined letters nobody acted on, deleted quarantine_keep_days past the retention period. */
  quarantineExpired: number;
}

export { QUARANTINE_RETRY_ACTION } from './due';
/** The audit action of a quarantined letter nobody acted on, deleted by retention (one entry per letter). */
export const QUARANTINE_EXPIRED_ACTION = 'quarantine.expired';
/** quarantine_keep_days when an organisation has not set it: see organisations.quarantine_keep_days. */
export const QUARANTINE_KEEP_DAYS_DEFAULT = 90;

/**
 * One retention run over every organisation: letters received more than retention_days ago, not on
 * legal hold, not yet purged; and quarantined letters past retention that an admin has acted on
 * (tried again, and they stayed), which have no trace worth keeping and are deleted; the others are
 * kept. Each organisation's run is audited with its counts.
 */
export async function runRetention(db: Db, sealer: Sealer, now = new Date(), batch = 200): Promise<RetentionRunResult> {
  const orgs = await db.select({ id: organisations.id, days: organisations.retentionDays, keepDays: organisations.quarantineKeepDays }).from(organisations);
  const result: RetentionRunResult = { organisations: orgs.length, letters: 0, quarantined: 0, quarantineKept: 0, quarantineExpired: 0 };
  for (const org of orgs) {
    const cuts = retentionCuts(now, { retentionDays: org.days, quarantineKeepDays: org.keepDays });
    const { cutoff } = cuts;
    let letters = 0;
    for (;;) {
      const due = await db.select({ id: messages.id }).from(messages).where(lettersDue(org.id, cutoff)).orderBy(messages.receivedAt).limit(batch);
      if (due.length === 0) break;
      const purged = await purgeLetters(db, sealer, org.id, due.map((d) => d.id), 'retention');
      letters += purged.length;
      if (purged.length === 0) break; // all taken by a concurrent run or put on hold meanwhile
    }
    const q = await purgeQuarantine(db, org.id, cuts, { retentionDays: org.days, quarantineKeepDays: org.keepDays });
    result.letters += letters;
    result.quarantined += q.deleted;
    result.quarantineKept += q.kept;
    result.quarantineExpired += q.expired;
    const [{ held }] = await db.select({ held: sql<number>`count(*)::int` }).from(messages).where(lettersHeld(org.id, cutoff));
    await appendAudit(db, {
      orgId: org.id, actor: 'system', action: 'retention.purge', targetType: 'organisation', targetId: org.id,
      details: {
        retentionDays: org.days, cutoff: cutoff.toISOString(), lettersPurged: letters, quarantinePurged: q.deleted, quarantineKept: q.kept,
        quarantineKeepDays: org.keepDays, quarantineExpired: q.expired, keptOnLegalHold: held,
      },
    });
  }
  return result;
}

/**
 * The organisation's quarantined letters received before `cutoff`: those an admin acted on (tried
 * again, or erased in a data subject request) are deleted; of the others, those received before
 * `expiry` (quarantine_keep_days earlier) are deleted each with a quarantine.expired audit entry in
 * the same transaction; the rest are counted as kept. Then notices that name no letter any more go.
 */
async function purgeQuarantine(db: Db, orgId: string, cuts: RetentionCuts, days: { retentionDays: number; quarantineKeepDays: number }): Promise<{ deleted: number; kept: number; expired: number }> {
  const { cutoff } = cuts;
  // Which rule takes each one (due.ts, shared with the admin's preview): acted on, or expired.
  const past = await db.select({ id: quarantine.id, acted: sql<boolean>`${quarantineActedOn(orgId)}`, due: sql<boolean>`${quarantineDue(orgId, cuts)}` })
    .from(quarantine).where(and(eq(quarantine.orgId, orgId), lt(quarantine.receivedAt, cutoff)));
  let deleted = 0;
  let expired = 0;
  if (past.length) {
    const acted = past.filter((p) => p.acted).map((p) => p.id);
    for (let i = 0; i < acted.length; i += 500) {
      deleted += await db.transaction(async (tx) => {
        const gone = await tx.delete(quarantine)
          .where(and(eq(quarantine.orgId, orgId), lt(quarantine.receivedAt, cutoff), inArray(quarantine.id, acted.slice(i, i + 500)))).returning(tombstoneColumns);
        await leaveTombstones(tx, gone);
        return gone.length;
      });
    }
    for (const p of past) {
      if (!p.acted && p.due && await expireQuarantined(db, orgId, p.id, cuts, days)) expired++;
    }
  }
  // Notices whose letters are all gone (taken in, deleted) are of no further use once past retention.
  await db.delete(quarantineNotices).where(and(eq(quarantineNotices.orgId, orgId), ne(quarantineNotices.status, 'pending'), lt(quarantineNotices.createdAt, cutoff),
    notExists(db.select({ one: sql`1` }).from(quarantine).where(eq(quarantine.noticeId, quarantineNotices.id)))));
  return { deleted, kept: past.length - deleted - expired, expired };
}

const tombstoneColumns = {
  orgId: quarantine.orgId, mailboxId: quarantine.mailboxId, providerMessageId: quarantine.providerMessageId, receivedAt: quarantine.receivedAt, reason: quarantine.reason,
};

/**
 * What is left of deleted quarantine rows, in the deleting transaction: mailbox, provider id, dates and
 * a fixed reason (quarantine_tombstones). A letter whose INVALID receipt never reached the provider is
 * still waiting there; without this the next poll would fetch it and quarantine it again — content a
 * data subject had erased, or retention had just deleted. A letter never fetched leaves none: Brevdue
 * never held its content, and a later poll may fetch it at last.
 */
async function leaveTombstones(tx: Tx, rows: { orgId: string; mailboxId: string; providerMessageId: string; receivedAt: Date; reason: string }[]): Promise<void> {
  const stones = rows.filter((r) => !r.reason.startsWith(NOT_FETCHED_PREFIX))
    .map((r) => ({ orgId: r.orgId, mailboxId: r.mailboxId, providerMessageId: r.providerMessageId, receivedAt: r.receivedAt, reason: tombstoneReason(r.reason) }));
  if (stones.length) await tx.insert(quarantineTombstones).values(stones).onConflictDoNothing();
}

/**
 * Deletes one quarantined letter nobody acted on, with its audit entry, in one transaction: both or
 * neither. A letter tried again meanwhile (an audit entry of its own) is left to the rule above.
 * Another audit writer taking the entry's place aborts the transaction: it is simply run again.
 */
async function expireQuarantined(db: Db, orgId: string, id: string, cuts: RetentionCuts, days: { retentionDays: number; quarantineKeepDays: number }): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(async (tx) => {
        const [row] = await tx.delete(quarantine).where(and(eq(quarantine.id, id), quarantineDue(orgId, cuts), not(quarantineActedOn(orgId))))
          .returning({ ...tombstoneColumns, noticeId: quarantine.noticeId });
        if (!row) return false;
        await leaveTombstones(tx, [row]);
        const [notice] = row.noticeId
          ? await tx.select({ sentAt: quarantineNotices.sentAt, sentTo: quarantineNotices.sentTo }).from(quarantineNotices).where(eq(quarantineNotices.id, row.noticeId))
          : [];
        // Ids and dates only: the reason may quote the letter.
        await appendAudit(tx, {
          orgId, actor: 'system', action: QUARANTINE_EXPIRED_ACTION, targetType: 'quarantine', targetId: id,
          details: {
            mailboxId: row.mailboxId, providerMessageId: row.providerMessageId, receivedAt: row.receivedAt.toISOString(),
            retentionDays: days.retentionDays, quarantineKeepDays: days.quarantineKeepDays,
            adminsMailedAt: notice?.sentAt?.toISOString() ?? null,
          },
        });
        return true;
      });
    } catch (e) {
      // 23505: another writer took the entry's seq; 25P02: appendAudit's own retry inside the aborted transaction.
      const code = databaseErrorOf(e)?.code;
      if (attempt >= 5 || (code !== '23505' && code !== '25P02')) throw e;
      await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
    }
  }
}
