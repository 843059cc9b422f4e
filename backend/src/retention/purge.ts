// Retention: a letter's content is deleted retention_days after it was received (per organisation,
// default 90), unless an admin put it on legal hold. What stays is the trace: ids, dates, sender,
// CVR, status, deliveries and the timeline's steps (their free text and data are cleared, since
// rule explanations can quote the letter). The same purge serves data subject erasure (dsr/).
// Quarantined letters were never delivered to anyone: deleting one nobody has looked at would be a
// silent drop. Past the retention period a quarantined letter is deleted only once an admin has acted
// on it — tried it again (audited as quarantine.retry) and it stayed in quarantine (still invalid or
// refused; one taken in leaves quarantine by itself). Until then it is kept and counted in the run's
// audit entry (quarantineKept); the task pane's mailbox view lists it with its "Try again" button.
import { and, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Sealer } from '../crypto/envelope';
import type { Db } from '../store/db';
import { auditLog, cprMentions, documents, events, messages, organisations, quarantine, replies } from '../store/schema';
import { appendAudit } from '../audit/chain';

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
}

/** The audit action of an admin's "try again" on a quarantined letter (API and CLI). */
export const QUARANTINE_RETRY_ACTION = 'quarantine.retry';

/**
 * One retention run over every organisation: letters received more than retention_days ago, not on
 * legal hold, not yet purged; and quarantined letters past retention that an admin has acted on
 * (tried again, and they stayed), which have no trace worth keeping and are deleted; the others are
 * kept. Each organisation's run is audited with its counts.
 */
export async function runRetention(db: Db, sealer: Sealer, now = new Date(), batch = 200): Promise<RetentionRunResult> {
  const orgs = await db.select({ id: organisations.id, days: organisations.retentionDays }).from(organisations);
  const result: RetentionRunResult = { organisations: orgs.length, letters: 0, quarantined: 0, quarantineKept: 0 };
  for (const org of orgs) {
    const cutoff = new Date(now.getTime() - org.days * 86_400_000);
    let letters = 0;
    for (;;) {
      const due = await db.select({ id: messages.id }).from(messages)
        .where(and(eq(messages.orgId, org.id), lt(messages.receivedAt, cutoff), eq(messages.legalHold, false), isNull(messages.purgedAt)))
        .orderBy(messages.receivedAt).limit(batch);
      if (due.length === 0) break;
      const purged = await purgeLetters(db, sealer, org.id, due.map((d) => d.id), 'retention');
      letters += purged.length;
      if (purged.length === 0) break; // all taken by a concurrent run or put on hold meanwhile
    }
    const q = await purgeQuarantine(db, org.id, cutoff);
    result.letters += letters;
    result.quarantined += q.deleted;
    result.quarantineKept += q.kept;
    const [{ held }] = await db.select({ held: sql<number>`count(*)::int` }).from(messages)
      .where(and(eq(messages.orgId, org.id), lt(messages.receivedAt, cutoff), eq(messages.legalHold, true), isNull(messages.purgedAt)));
    await appendAudit(db, {
      orgId: org.id, actor: 'system', action: 'retention.purge', targetType: 'organisation', targetId: org.id,
      details: { retentionDays: org.days, cutoff: cutoff.toISOString(), lettersPurged: letters, quarantinePurged: q.deleted, quarantineKept: q.kept, keptOnLegalHold: held },
    });
  }
  return result;
}

/** Deletes the organisation's quarantined letters received before `cutoff` that an admin has acted on; counts the others. */
async function purgeQuarantine(db: Db, orgId: string, cutoff: Date): Promise<{ deleted: number; kept: number }> {
  const past = await db.select({ id: quarantine.id }).from(quarantine).where(and(eq(quarantine.orgId, orgId), lt(quarantine.receivedAt, cutoff)));
  if (past.length === 0) return { deleted: 0, kept: 0 };
  const acted = new Set<string>();
  for (let i = 0; i < past.length; i += 500) {
    const ids = past.slice(i, i + 500).map((p) => p.id);
    const rows = await db.selectDistinct({ id: auditLog.targetId }).from(auditLog)
      .where(and(eq(auditLog.orgId, orgId), eq(auditLog.action, QUARANTINE_RETRY_ACTION), eq(auditLog.targetType, 'quarantine'), inArray(auditLog.targetId, ids)));
    for (const r of rows) if (r.id) acted.add(r.id);
  }
  let deleted = 0;
  const due = [...acted];
  for (let i = 0; i < due.length; i += 500) {
    const gone = await db.delete(quarantine)
      .where(and(eq(quarantine.orgId, orgId), lt(quarantine.receivedAt, cutoff), inArray(quarantine.id, due.slice(i, i + 500)))).returning({ id: quarantine.id });
    deleted += gone.length;
  }
  return { deleted, kept: past.length - deleted };
}
