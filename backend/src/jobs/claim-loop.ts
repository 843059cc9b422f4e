// The loop shared by work that lives on its own rows (mailboxes to poll, letters to route): claim
// due rows with a lease (the caller's SQL: FOR UPDATE SKIP LOCKED, so processes never share one),
// run a few at a time, claim again as soon as a slot frees, and look again every tick. Rows stay in
// the database until their work commits, so a crash loses nothing; the lease lets another process
// take over. One agenda job per item did this before: agenda rescans its in-memory queue of locked
// jobs on every start and end, which cost most of a core with hundreds of them (docs/PERFORMANCE.md).
import { errorMessage, type Logger } from '../log';

export interface ClaimLoopOptions<T> {
  /** Items run at once in this process. */
  concurrency: number;
  /** How often due rows are looked for when nothing woke the loop meanwhile. */
  tickMs: number;
  /** Claims at most `n` due rows (with a lease) and returns them. */
  claim(n: number): Promise<T[]>;
  /** Does one claimed item's work and records its outcome; must not throw (a throw is logged). */
  run(item: T): Promise<void>;
  /** Gives back rows claimed while stopping, so the next process need not wait for their leases. */
  release(items: T[]): Promise<void>;
  /**
   * Extends the leases of the items running now, every `renewEveryMs`: the lease can then be short, so
   * after a crash another process takes the rows over within seconds, while long work keeps its rows.
   */
  renew?: (items: T[]) => Promise<void>;
  renewEveryMs?: number;
  log: Logger;
  /** What the loop works on, for log lines: "mailboxes to poll" → "looking for mailboxes to poll failed". */
  what: string;
}

export interface ClaimLoop {
  start(): void;
  /** Stops claiming and waits (at most `drainMs`) for running items to finish. */
  stop(drainMs?: number): Promise<void>;
  /** Looks for due rows now rather than at the next tick. */
  wake(): void;
  /** Items running in this process now. */
  running(): number;
}

export function createClaimLoop<T>(opts: ClaimLoopOptions<T>): ClaimLoop {
  const inFlight = new Set<Promise<void>>();
  const running = new Set<T>();
  let renewTimer: NodeJS.Timeout | null = null;
  let lastRenewWarning = 0;
  let timer: NodeJS.Timeout | null = null;
  let claiming = false;
  let again = false;
  let stopped = true;
  let lastClaimWarning = 0;

  const fill = async () => {
    if (stopped) return;
    if (claiming) { again = true; return; } // woken mid-claim: look once more when this claim ends
    claiming = true;
    try {
      do {
        again = false;
        while (!stopped && inFlight.size < opts.concurrency) {
          const rows = await opts.claim(opts.concurrency - inFlight.size);
          if (stopped) {
            if (rows.length) await opts.release(rows);
            break;
          }
          for (const row of rows) {
            running.add(row);
            const p = opts.run(row)
              .catch((e) => opts.log.error(`working on ${opts.what} failed unexpectedly`, { error: errorMessage(e) }))
              .finally(() => {
                inFlight.delete(p);
                running.delete(row);
                void fill(); // a slot is free: take the next due row now, not at the next tick
              });
            inFlight.add(p);
          }
          if (rows.length === 0) break;
        }
      } while (again && !stopped && inFlight.size < opts.concurrency);
    } catch (e) {
      // Tried again every tick; said once a minute (a database outage would otherwise log every tick).
      if (Date.now() - lastClaimWarning > 60_000) {
        lastClaimWarning = Date.now();
        opts.log.warn(`looking for ${opts.what} failed; trying again every tick`, { error: errorMessage(e) });
      }
    } finally {
      claiming = false;
    }
  };

  const tick = () => {
    timer = null;
    void fill().finally(() => { if (!stopped) timer = setTimeout(tick, opts.tickMs); });
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      tick();
      if (opts.renew && opts.renewEveryMs) {
        renewTimer = setInterval(() => {
          if (running.size === 0) return;
          opts.renew!([...running]).catch((e) => {
            if (Date.now() - lastRenewWarning > 60_000) {
              lastRenewWarning = Date.now();
              opts.log.warn(`extending the leases of ${opts.what} failed; trying again`, { error: errorMessage(e) });
            }
          });
        }, opts.renewEveryMs);
        renewTimer.unref();
      }
    },
    async stop(drainMs = 10_000) {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      const until = Date.now() + drainMs;
      while ((inFlight.size > 0 || claiming) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
      // Renewed until the work ended (or the drain gave up: then the leases run out, as after a crash).
      if (renewTimer) clearInterval(renewTimer);
      renewTimer = null;
      if (inFlight.size > 0) opts.log.warn(`stopped with ${opts.what} still being worked on; their leases expire and another process takes them`, { running: inFlight.size });
    },
    wake() { void fill(); },
    running: () => inFlight.size,
  };
}
