// After a mailbox's credentials are saved (renewed or attached), the server polls it at once: whether
// that first poll has a result yet, from the mailbox's health before (the save's answer) and now. Pure.
import type { MailboxHealth, MailboxView } from '../../../../../shared/src/contracts';

/** How often the pane asks for the mailbox while it waits (as the backfill list does). */
export const CHECK_EVERY_MS = 3_000;
/** How long it waits for the first poll before saying the credentials are not checked yet. */
export const CHECK_FOR_MS = 45_000;

export type PollOutcome = 'ok' | 'failed';

/** What the save itself says about checking: a paused mailbox is not polled, a push mailbox never is. */
export function needsCheck(v: Pick<MailboxView, 'paused' | 'health'>): boolean {
  return !v.paused && v.health.state !== 'push';
}

/**
 * The first poll's result since `before` (the health the save answered): a newer successful fetch is
 * 'ok', a newer error with failures counted is 'failed' (the later of the two when both are newer);
 * null while no poll has finished since. Times are the server's, so the pane's clock does not matter.
 */
export function pollOutcome(before: Pick<MailboxHealth, 'lastFetchAt' | 'lastErrorAt'>, now: Pick<MailboxHealth, 'lastFetchAt' | 'lastErrorAt' | 'consecutiveFailures'>): PollOutcome | null {
  const newer = (t: string | null, was: string | null) => (t !== null && (was === null || Date.parse(t) > Date.parse(was)) ? Date.parse(t) : null);
  const fetched = newer(now.lastFetchAt, before.lastFetchAt);
  const failed = now.consecutiveFailures > 0 ? newer(now.lastErrorAt, before.lastErrorAt) : null;
  if (failed !== null && (fetched === null || failed >= fetched)) return 'failed';
  if (fetched !== null) return 'ok';
  return null;
}
