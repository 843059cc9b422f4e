// What a retention run deletes, defined once: the purge (purge.ts) selects by these conditions, and an
// admin's preview of a new setting (api/settings.ts) counts by them, so the preview cannot promise
// other letters than the purge then takes.
import { and, eq, isNotNull, isNull, lt, min, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../store/db';
import { auditLog, messages, quarantine } from '../store/schema';

/** The audit action of an admin's "try again" on a quarantined letter (API and CLI). */
export const QUARANTINE_RETRY_ACTION = 'quarantine.retry';

const DAY_MS = 86_400_000;

export interface RetentionDays { retentionDays: number; quarantineKeepDays: number }
/** A run's cuts: letters received before `cutoff` are past retention; quarantined ones nobody acted on go before `expiry`. */
export interface RetentionCuts { cutoff: Date; expiry: Date }

export function retentionCuts(now: Date, d: RetentionDays): RetentionCuts {
  const cutoff = new Date(now.getTime() - d.retentionDays * DAY_MS);
  return { cutoff, expiry: new Date(cutoff.getTime() - d.quarantineKeepDays * DAY_MS) };
}

/** Letters whose content a run purges: past retention, not on legal hold, not purged yet. */
export function lettersDue(orgId: string, cutoff: Date): SQL {
  return and(eq(messages.orgId, orgId), lt(messages.receivedAt, cutoff), eq(messages.legalHold, false), isNull(messages.purgedAt))!;
}

/** Letters past retention that legal hold keeps (counted in the run's audit entry). */
export function lettersHeld(orgId: string, cutoff: Date): SQL {
  return and(eq(messages.orgId, orgId), lt(messages.receivedAt, cutoff), eq(messages.legalHold, true), isNull(messages.purgedAt))!;
}

/** A quarantined letter an admin acted on: erased in a data subject request, or tried again (its audit entry). */
export function quarantineActedOn(orgId: string): SQL {
  return or(isNotNull(quarantine.erasedAt), sql`exists (select 1 from ${auditLog} where ${auditLog.orgId} = ${orgId}
    and ${auditLog.action} = ${QUARANTINE_RETRY_ACTION} and ${auditLog.targetType} = 'quarantine' and ${auditLog.targetId} = ${quarantine.id}::text)`)!;
}

/** Quarantined letters a run deletes: past retention and acted on, or nobody acted on them and past `expiry` too. */
export function quarantineDue(orgId: string, cuts: RetentionCuts): SQL {
  return and(eq(quarantine.orgId, orgId), lt(quarantine.receivedAt, cuts.cutoff), or(quarantineActedOn(orgId), lt(quarantine.receivedAt, cuts.expiry)))!;
}

export interface DueCounts { letters: number; quarantined: number; keptOnLegalHold: number; oldest: Date | null }

/** What a run at `now` with these days would delete of one organisation. Reads only. */
export async function countDue(db: Db, orgId: string, days: RetentionDays, now = new Date()): Promise<DueCounts> {
  const cuts = retentionCuts(now, days);
  const n = sql<number>`count(*)::int`;
  const [l] = await db.select({ n, oldest: min(messages.receivedAt) }).from(messages).where(lettersDue(orgId, cuts.cutoff));
  const [q] = await db.select({ n, oldest: min(quarantine.receivedAt) }).from(quarantine).where(quarantineDue(orgId, cuts));
  const [h] = await db.select({ n }).from(messages).where(lettersHeld(orgId, cuts.cutoff));
  const dates = [l.oldest, q.oldest].filter((d): d is Date => d instanceof Date);
  return {
    letters: Number(l.n), quarantined: Number(q.n), keptOnLegalHold: Number(h.n),
    oldest: dates.length ? new Date(Math.min(...dates.map((d) => d.getTime()))) : null,
  };
}
