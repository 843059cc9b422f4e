// Job names, shared by the runner, the jobs view and the metrics.
/** `poll` is not an agenda job (ingest/poll-scheduler.ts); the name labels polling in the jobs view and metrics. */
export const JOB = { poll: 'poll-mailbox', route: 'route-letter', deliver: 'deliver', receipt: 'ngdp-receipt', notifyDead: 'notify-dead-letter', recover: 'recover-uncertain', retention: 'retention-purge', statsCompact: 'stats-compact' } as const;
