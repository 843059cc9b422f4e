// No imports on purpose: the jobs view and the metrics use this without loading the delivery scheduler.
/** SQL on `deliveries`: a pending delivery no process holds (its attempt may be claimed now). */
export const DELIVERY_FREE_SQL = `status = 'pending' AND (lease_until IS NULL OR lease_until < now())`;
/**
 * SQL on `deliveries`: a free delivery whose next attempt is due (at once, after a failed attempt's
 * backoff, or when Graph allows again). The scheduler's claim, the jobs view (api/jobs.ts) and the
 * job-lag metric all use this one definition.
 */
export const DELIVERY_DUE_SQL = `${DELIVERY_FREE_SQL} AND due_at <= now()`;
