// No imports on purpose: the jobs view and the metrics use this without loading the poll scheduler.
/**
 * SQL on `mailboxes`: an active mailbox whose poll is due and that no process holds. The scheduler's claim,
 * the jobs view (api/jobs.ts) and the job-lag metric all use this one definition.
 */
export const POLL_DUE_SQL = `removed_at IS NULL AND paused = false
  AND (next_poll_at IS NULL OR next_poll_at <= now())
  AND (polling_until IS NULL OR polling_until < now())`;
