// Polling hundreds of mailboxes. Each mailbox row says when it is polled next (next_poll_at); every
// process claims due mailboxes, oldest due first, with FOR UPDATE SKIP LOCKED and a lease
// (polling_until), polls a few at a time, and writes the next time: the interval (±10 %) after a
// poll, at once when a backlog is left (behind mailboxes already due: fair), the backoff after
// provider errors. A process that dies mid-poll leaves the lease to run out; another process then
// polls the mailbox. One agenda job per mailbox did this before: with 300 mailboxes at a 1 s interval
// agenda's in-memory queue of locked-but-waiting jobs cost most of a core and ≈ 250 MB/s of garbage
// with nothing to fetch (docs/PERFORMANCE.md, session 7).
import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { AppContext, MailboxRow } from '../context';
import { mailboxes } from '../store/schema';
import { createClaimLoop } from '../jobs/claim-loop';
import { providerModule } from './connectors';
import { backoffMs, pollMailbox, reportedPollErrors } from './poll';
import { ingestErrorText } from './error-text';
import { POLL_DUE_SQL } from './poll-due';
import { prepared } from '../store/prepared';

export interface PollSchedulerOptions {
  intervalMs: number;
  /** Polls at once in this process (each holds at most one letter in memory at a time). */
  concurrency?: number;
  /** How often due mailboxes are looked for when nothing finished meanwhile. */
  tickMs?: number;
  /** How long a claim holds before another process may take the mailbox over. */
  leaseMs?: number;
  random?: () => number;
}

export interface PollScheduler {
  start(): void;
  /** Stops claiming and waits (at most `drainMs`) for running polls to finish and write their next time. */
  stop(drainMs?: number): Promise<void>;
  /** A mailbox added, resumed or reconfigured: poll it soon. */
  pollSoon(mailboxId: string): Promise<void>;
  /** Polls running in this process now. */
  running(): number;
}

// A short lease, renewed while the poll runs: after a crash the mailbox is polled again within
// seconds (a 60 s lease without renewal stalled storing for up to a minute per kill in bench:crash).
export const POLL_DEFAULTS = Object.freeze({ concurrency: 6, tickMs: 250, leaseMs: 15_000 });

export function createPollScheduler(ctx: AppContext, opts: PollSchedulerOptions): PollScheduler {
  const leaseMs = opts.leaseMs ?? POLL_DEFAULTS.leaseMs;
  const random = opts.random ?? Math.random;
  const loop = createClaimLoop<ClaimedMailbox>({
    concurrency: opts.concurrency ?? POLL_DEFAULTS.concurrency,
    tickMs: opts.tickMs ?? POLL_DEFAULTS.tickMs,
    claim: (n) => claimDueMailboxes(ctx, n, leaseMs),
    run: (mb) => pollOne(ctx, mb, opts.intervalMs, random),
    release: async (rows) => { await ctx.db.update(mailboxes).set({ pollingUntil: null }).where(inArray(mailboxes.id, rows.map((r) => r.id))); },
    // Only leases still held: a poll that ended meanwhile released its mailbox (polling_until NULL).
    renew: async (rows) => {
      await ctx.db.update(mailboxes).set({ pollingUntil: sql`now() + make_interval(secs => ${leaseMs / 1000})` })
        .where(and(inArray(mailboxes.id, rows.map((r) => r.id)), isNotNull(mailboxes.pollingUntil)));
    },
    renewEveryMs: Math.max(1000, Math.floor(leaseMs / 3)),
    log: ctx.log,
    what: 'mailboxes to poll',
  });
  return {
    start: loop.start,
    stop: loop.stop,
    async pollSoon(mailboxId) {
      await ctx.db.update(mailboxes).set({ nextPollAt: sql`now()` }).where(eq(mailboxes.id, mailboxId));
      loop.wake();
    },
    running: loop.running,
  };
}

/** Due, active mailboxes not held by another poll, oldest due first; each gets a lease. */
export type ClaimedMailbox = MailboxRow & { backoffUntil: Date | null; consecutiveFailures: number };

export async function claimDueMailboxes(ctx: Pick<AppContext, 'db'>, n: number, leaseMs: number): Promise<ClaimedMailbox[]> {
  const claim = prepared(ctx.db, 'poll_claim_due', (db) => db.update(mailboxes)
    .set({ pollingUntil: sql`now() + make_interval(secs => ${sql.placeholder('leaseS')})` })
    .where(sql`${mailboxes.id} IN (
      SELECT id FROM mailboxes
      WHERE ${sql.raw(POLL_DUE_SQL)}
      ORDER BY next_poll_at NULLS FIRST
      LIMIT ${sql.placeholder('n')}
      FOR UPDATE SKIP LOCKED)`)
    .returning().prepare('poll_claim_due'));
  return (await claim.execute({ leaseS: leaseMs / 1000, n })) as ClaimedMailbox[];
}

/** Polls one claimed mailbox and writes when it is polled next; never throws. */
async function pollOne(ctx: AppContext, mb: ClaimedMailbox, intervalMs: number, random: () => number): Promise<void> {
  let more = false;
  let failedWaitS: number | null = null;
  try {
    const inBackoff = mb.backoffUntil && mb.backoffUntil > new Date();
    // Push mailboxes are not polled: Digital Post brings their letters.
    if (!inBackoff && !providerModule(mb.provider).receivesByPush(mb.config)) more = (await pollMailbox(ctx, mb)).more;
  } catch (e) {
    // pollMailbox logged and recorded its failures; anything else is logged here, never swallowed.
    if (!(e && typeof e === 'object' && reportedPollErrors.has(e))) {
      ctx.log.error('mailbox poll failed', { mailboxId: mb.id, cvr: mb.cvr, provider: mb.provider, error: ingestErrorText(e, 'The poll failed') });
    }
    // The wait applies even when the failure could not be recorded on the mailbox (backoff_until unset).
    failedWaitS = backoffMs(mb.consecutiveFailures + 1, e, random) / 1000;
  }
  // ±10 %: mailboxes added together drift apart instead of polling in lockstep.
  const nextMs = Math.round(intervalMs * (0.9 + random() * 0.2));
  try {
    await prepared(ctx.db, 'poll_next', (db) => db.update(mailboxes).set({
      pollingUntil: null,
      // A backlog: again at once (behind mailboxes already due); provider trouble: after the backoff.
      nextPollAt: sql`CASE WHEN ${sql.placeholder('more')}::boolean THEN now() WHEN backoff_until > now() THEN backoff_until
        WHEN ${sql.placeholder('failedS')}::float8 IS NOT NULL THEN now() + make_interval(secs => ${sql.placeholder('failedS')}::float8)
        ELSE now() + make_interval(secs => ${sql.placeholder('nextS')}::float8) END`,
    }).where(eq(mailboxes.id, sql.placeholder('id'))).prepare('poll_next')).execute({ more, failedS: failedWaitS, nextS: nextMs / 1000, id: mb.id });
  } catch (e) {
    ctx.log.warn('could not record when to poll a mailbox next; its lease runs out and it is polled then', { mailboxId: mb.id, error: ingestErrorText(e, 'Recording it failed') });
  }
}
