// Retention: a letter's content is deleted retention_days after it was received (per organisation,
// default 90), unless an admin put it on legal hold. What stays is the trace: ids, dates, sender,
// CVR, status, deliveries and the timeline's steps (their free text and data are cleared, since
// rule explanations can quote the letter). The same purge serves data subject erasure (dsr/).
import { and, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Sealer } from '../crypto/envelope';
import type { Db } from '../store/db';
import { cprMentions, documents, events, messages, organisations, quarantine, replies } from '../store/schema';
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

export interface RetentionRunResult { organisations: number; letters: number; quarantined: number }

/**
 * One retention run over every organisation: letters received more than retention_days ago, not on
 * legal hold, not yet purged; and quarantined (invalid) letters past retention, which have no trace
 * worth keeping and are deleted. Each organisation's run is audited with its counts.
 */
export async function runRetention(db: Db, sealer: Sealer, now = new Date(), batch = 200): Promise<RetentionRunResult> {
  const orgs = await db.select({ id: organisations.id, days: organisations.retentionDays }).from(organisations);
  const result: RetentionRunResult = { organisations: orgs.length, letters: 0, quarantined: 0 };
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
    const q = await db.delete(quarantine).where(and(eq(quarantine.orgId, org.id), lt(quarantine.receivedAt, cutoff))).returning({ id: quarantine.id });
    result.letters += letters;
    result.quarantined += q.length;
    const [{ held }] = await db.select({ held: sql<number>`count(*)::int` }).from(messages)
      .where(and(eq(messages.orgId, org.id), lt(messages.receivedAt, cutoff), eq(messages.legalHold, true), isNull(messages.purgedAt)));
    await appendAudit(db, {
      orgId: org.id, actor: 'system', action: 'retention.purge', targetType: 'organisation', targetId: org.id,
      details: { retentionDays: org.days, cutoff: cutoff.toISOString(), lettersPurged: letters, quarantinePurged: q.length, keptOnLegalHold: held },
    });
  }
  return result;
}
