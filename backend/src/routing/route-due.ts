// No imports on purpose: the jobs view and the metrics use this without loading the route scheduler.
/**
 * SQL on `route_queue`: a letter whose routing is due (at once, or after a failed attempt's backoff)
 * and that no process holds. The scheduler's claim, the jobs view (api/jobs.ts) and the job-lag
 * metric all use this one definition.
 */
export const ROUTE_DUE_SQL = `due_at <= now() AND (lease_until IS NULL OR lease_until < now())`;
