// Job names, shared by the runner, the jobs view and the metrics.
/**
 * `poll`, `route` and `deliver` are not agenda jobs (ingest/poll-scheduler.ts, routing/route-scheduler.ts,
 * delivery/delivery-scheduler.ts); their names label that work in the jobs view and the metrics.
 */
export const JOB = { poll: 'poll-mailbox', route: 'route-letter', deliver: 'deliver', receipt: 'ngdp-receipt', notifyDead: 'notify-dead-letter', recover: 'recover-uncertain', retention: 'retention-purge', statsCompact: 'stats-compact', quarantineNotices: 'quarantine-notices' } as const;
