// The lease an attempt (or recovery) holds on a delivery row is also its fence. The holder knows the
// exact lease_until it set (whole milliseconds, so it survives the round trip through JavaScript); a
// later claim sets another. Every write the holder makes matches on its value, so an attempt that was
// overtaken (it outlived its lease and another attempt claimed the row) can no longer change the row:
// not its outcome, not its progress. While an attempt runs, its lease is renewed (keepLease), so a slow
// attempt is not overtaken in the first place.
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../store/db';
import { deliveries } from '../store/schema';
import { preparedSql, rowsOf } from '../store/prepared';
import type { Logger } from '../log';
import { errorMessage } from '../log';

/** How long a claim holds without renewal: longer than any one Graph call (30 s; upload chunks 60 s). */
export const DELIVERY_LEASE_MS = 180_000;
/** How often a running attempt renews its lease: several renewals fit into one lease. */
export const LEASE_RENEW_MS = 30_000;

/** SQL: a new lease from now, in whole milliseconds (see the top of this file). */
export const NEW_LEASE_SQL = `date_trunc('milliseconds', now() + make_interval(secs => ${DELIVERY_LEASE_MS / 1000}))`;
/** SQL: lease_until as epoch milliseconds, exact (a float8 holds them), whatever the driver does with timestamps. */
export const LEASE_MS_SQL = '(extract(epoch from lease_until) * 1000)::float8';

export interface DeliveryLease {
  readonly deliveryId: string;
  /** The lease_until this holder set last. */
  until: Date;
  /** A renewal found the row no longer held by us: another attempt claimed it. */
  lost: boolean;
}

/** The attempt was overtaken: the delivery is another attempt's now. Nothing of this one is recorded. */
export class LeaseLost extends Error {
  constructor(deliveryId: string) {
    super(`Delivery ${deliveryId}: this attempt ran past its lease and another attempt took the delivery over; this one stops and records nothing.`);
    this.name = 'LeaseLost';
  }
}

/** Drizzle condition: the row is pending and still under this holder's lease. */
export function heldBy(lease: DeliveryLease): SQL {
  return and(eq(deliveries.id, lease.deliveryId), eq(deliveries.status, 'pending'), eq(deliveries.leaseUntil, lease.until))!;
}

/** Records the attempt's progress, only while it still holds the delivery; throws LeaseLost otherwise. */
export async function saveProgressHeld(db: Db | Tx, lease: DeliveryLease, progress: Record<string, unknown>): Promise<void> {
  const done = await db.update(deliveries).set({ progress }).where(heldBy(lease)).returning({ id: deliveries.id });
  if (!done.length) { lease.lost = true; throw new LeaseLost(lease.deliveryId); }
}

/**
 * Renews the lease every `everyMs` until stopped. A renewal that finds the row taken marks the lease
 * lost and stops: the attempt's next write then fails with LeaseLost. `stop` waits for a renewal under
 * way, so the outcome is written against the lease as it is then.
 */
export function keepLease(db: Db, lease: DeliveryLease, log: Logger, everyMs = LEASE_RENEW_MS): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const renew = preparedSql(db, 'delivery_lease_renew', () => sql`UPDATE deliveries SET lease_until = ${sql.raw(NEW_LEASE_SQL)}
    WHERE id = ${sql.placeholder('id')} AND status = 'pending' AND lease_until = ${sql.placeholder('lease')}::timestamptz
    RETURNING ${sql.raw(LEASE_MS_SQL)} AS lease_ms`);
  const timer = setInterval(() => {
    running = running.then(async () => {
      if (lease.lost) return;
      try {
        const [row] = rowsOf<{ lease_ms: number }>(await renew.execute({ id: lease.deliveryId, lease: lease.until.toISOString() }));
        if (row) lease.until = new Date(Number(row.lease_ms));
        else { lease.lost = true; clearInterval(timer); }
      } catch (e) {
        // The database was not reachable: the lease still runs for minutes; the next renewal tries again.
        log.warn('renewing a delivery lease failed; trying again', { deliveryId: lease.deliveryId, error: errorMessage(e) });
      }
    });
  }, everyMs);
  timer.unref?.();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
