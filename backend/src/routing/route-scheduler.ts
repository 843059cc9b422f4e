// Routing every stored letter. Storing a letter queues it (route_queue, in the same transaction);
// every process claims due letters, oldest first, with a lease, routes a few at a time, and the
// routing transaction removes the queue row. A failed attempt is recorded on the row (the error,
// when) and tried again after a backoff (5 s doubling to 15 minutes): a letter is never dropped.
// One agenda job per letter did this before, with ≈ 5 statements of agenda's own per letter and its
// in-memory queue rescanned on every job start and end (docs/PERFORMANCE.md, session 8).
import { and, inArray, isNotNull, sql } from 'drizzle-orm';
import type { AppContext } from '../context';
import type { Db } from '../store/db';
import { routeQueue } from '../store/schema';
import { errorMessage } from '../log';
import { maskCpr } from '../../../shared/src/identifiers';
import { createClaimLoop } from '../jobs/claim-loop';
import { routeStoredLetter } from './apply';
import { ROUTE_DUE_SQL } from './route-due';
import { preparedSql, rowsOf } from '../store/prepared';

export interface RouteSchedulerOptions {
  /** Letters routed at once in this process. */
  concurrency?: number;
  /** How often due letters are looked for when nothing woke the scheduler meanwhile. */
  tickMs?: number;
  /** How long a claim holds before another process may take the letter over. */
  leaseMs?: number;
}

export interface RouteScheduler {
  start(): void;
  /** Stops claiming and waits (at most `drainMs`) for letters being routed. */
  stop(drainMs?: number): Promise<void>;
  /** A letter was queued: look now rather than at the next tick. */
  wake(): void;
  running(): number;
}

// A short lease renewed while routing runs: after a crash another process routes the letter within seconds.
export const ROUTE_DEFAULTS = Object.freeze({ concurrency: 8, tickMs: 250, leaseMs: 15_000 });

export function createRouteScheduler(ctx: AppContext, opts: RouteSchedulerOptions = {}): RouteScheduler {
  const leaseMs = opts.leaseMs ?? ROUTE_DEFAULTS.leaseMs;
  const loop = createClaimLoop<string>({
    concurrency: opts.concurrency ?? ROUTE_DEFAULTS.concurrency,
    tickMs: opts.tickMs ?? ROUTE_DEFAULTS.tickMs,
    claim: (n) => claimDueLetters(ctx.db, n, leaseMs),
    run: (messageId) => routeOne(ctx, messageId),
    release: async (ids) => { await ctx.db.update(routeQueue).set({ leaseUntil: null }).where(inArray(routeQueue.messageId, ids)); },
    // Only leases still held: a routed letter's row is gone, a failed one's lease was cleared.
    renew: async (ids) => {
      await ctx.db.update(routeQueue).set({ leaseUntil: sql`now() + make_interval(secs => ${leaseMs / 1000})` })
        .where(and(inArray(routeQueue.messageId, ids), isNotNull(routeQueue.leaseUntil)));
    },
    renewEveryMs: Math.max(1000, Math.floor(leaseMs / 3)),
    log: ctx.log,
    what: 'letters to route',
  });
  return { start: loop.start, stop: loop.stop, wake: loop.wake, running: loop.running };
}

/** Due letters no process holds, oldest due first; each gets a lease. Returns their message ids. */
export async function claimDueLetters(db: Db, n: number, leaseMs: number): Promise<string[]> {
  const claim = preparedSql(db, 'route_claim_due', () => sql`UPDATE route_queue SET lease_until = now() + make_interval(secs => ${sql.placeholder('leaseS')})
    WHERE message_id IN (SELECT message_id FROM route_queue WHERE ${sql.raw(ROUTE_DUE_SQL)} ORDER BY due_at LIMIT ${sql.placeholder('n')} FOR UPDATE SKIP LOCKED)
    RETURNING message_id`);
  return rowsOf<{ message_id: string }>(await claim.execute({ leaseS: leaseMs / 1000, n })).map((x) => x.message_id);
}

/** Routes one claimed letter; a failure is recorded on its queue row and tried again later. Never throws. */
async function routeOne(ctx: AppContext, messageId: string): Promise<void> {
  try {
    await routeStoredLetter(ctx, messageId);
  } catch (e) {
    const error = maskCpr(errorMessage(e)).slice(0, 500);
    try {
      // `attempts` in the expressions is the value before this update.
      const r = await ctx.db.execute(sql`UPDATE route_queue SET attempts = attempts + 1, last_error = ${error}, failed_at = now(),
          lease_until = NULL, due_at = now() + make_interval(secs => least(900, 5 * power(2, attempts)))
        WHERE message_id = ${messageId} RETURNING attempts, due_at`);
      const row = (r as unknown as { rows: { attempts: number; due_at: string | Date }[] }).rows[0];
      ctx.log.warn('routing a letter failed; it stays queued and is tried again', {
        messageId, attempt: row?.attempts, retryAt: row ? new Date(row.due_at).toISOString() : undefined, error,
      });
    } catch (e2) {
      ctx.log.warn('routing a letter failed, and so did recording it; its lease runs out and it is tried again then', { messageId, error, recordError: errorMessage(e2) });
    }
  }
}
