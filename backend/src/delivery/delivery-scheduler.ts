// Delivering every pending delivery. A delivery row says when its next attempt is due (due_at: at
// once when made, after a failed attempt's backoff, when Graph allows again after throttling); every
// process claims due rows, oldest due first, with FOR UPDATE SKIP LOCKED. The claim is the attempt's
// own claim (attempts + 1, the lease, "uncertain" when an earlier lease was left behind), so an
// attempt costs no statement of scheduling. One agenda job per delivery did this before: ≈ 8 of the
// ≈ 36 statements per letter were agenda's, and its in-memory queue was rescanned on every job start
// and end (docs/PERFORMANCE.md, session 8).
import { inArray, sql } from 'drizzle-orm';
import type { AppContext } from '../context';
import type { Db } from '../store/db';
import { deliveries } from '../store/schema';
import { createClaimLoop } from '../jobs/claim-loop';
import { attemptClaimed, claimForAttempt, type ClaimedDelivery } from './deliver';

export interface DeliverySchedulerOptions {
  /** Attempts at once in this process; Graph pacing per mailbox keeps each mailbox within its limits. */
  concurrency?: number;
  /** How often due deliveries are looked for when nothing woke the scheduler meanwhile. */
  tickMs?: number;
}

export interface DeliveryScheduler {
  start(): void;
  stop(drainMs?: number): Promise<void>;
  /** A delivery was made or made due: look now rather than at the next tick. */
  wake(): void;
  running(): number;
}

export const DELIVERY_DEFAULTS = Object.freeze({ concurrency: 32, tickMs: 250 });

export function createDeliveryScheduler(ctx: AppContext, opts: DeliverySchedulerOptions = {}): DeliveryScheduler {
  const loop = createClaimLoop<ClaimedDelivery>({
    concurrency: opts.concurrency ?? DELIVERY_DEFAULTS.concurrency,
    tickMs: opts.tickMs ?? DELIVERY_DEFAULTS.tickMs,
    claim: (n) => claimDueDeliveries(ctx.db, n),
    run: (c) => attemptClaimed(ctx, c),
    // Claimed while stopping: the attempt never started, so it does not count.
    release: async (rows) => {
      await ctx.db.update(deliveries).set({ leaseUntil: null, attempts: sql`greatest(${deliveries.attempts} - 1, 0)` })
        .where(inArray(deliveries.id, rows.map((r) => r.id)));
    },
    log: ctx.log,
    what: 'deliveries to make',
  });
  return { start: loop.start, stop: loop.stop, wake: loop.wake, running: loop.running };
}

/** Claims due deliveries no process holds, oldest due first, for one attempt each (deliver.ts claimForAttempt). */
export function claimDueDeliveries(db: Db, n: number): Promise<ClaimedDelivery[]> {
  return claimForAttempt(db, 'due', n);
}
