// A letter whose content was deleted (retention, or a data subject's erasure) before it was delivered
// is never delivered afterwards: an empty "[slettet]" mail helps no one. The purge settles its way out
// in its own transaction (settleUndelivered); routing (routing/apply.ts) and delivery
// (delivery/deliver.ts) refuse a purged letter too, for what a race or an earlier version left behind.
// The letter ends 'failed' (it was not delivered) and its timeline says why: a `delivery_failed` event
// with `purged` (the reason) in its data, per delivery ended (`deliveryId`, `destination`) or once for a
// letter never routed. A delivery ended so is dead with its notice marked done: no admin is mailed.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from '../store/db';
import { events, messages, routeQueue } from '../store/schema';
import { rowsOf } from '../store/prepared';
import type { PurgeReason } from './purge';

/** The purge reason recorded in a purged letter's routing facts (retention/purge.ts). */
export function purgeReasonOf(routingFacts: Record<string, unknown> | null | undefined): PurgeReason {
  return routingFacts?.purged === 'dsr' ? 'dsr' : 'retention';
}

const why = (reason: PurgeReason) => (reason === 'dsr' ? 'at the data subject\'s request' : 'the retention period had passed');

/** deliveries.last_error of a delivery ended because its letter's content was deleted. */
export function notDeliveredError(reason: PurgeReason, copyUnknown = false): string {
  return `Nothing was sent: the letter's content was deleted (${why(reason)}) before it was delivered.`
    + (copyUnknown ? ' An earlier attempt did not finish and may have left a copy there; if so, delete it in Microsoft 365.' : '');
}

/** The timeline's sentence: one delivery ended, or (no destination) a letter never routed. */
export function notDeliveredText(reason: PurgeReason, destination?: string, copyUnknown = false): string {
  return (destination ? `Not delivered to ${destination}` : 'Not routed or delivered')
    + `: the letter's content was deleted (${why(reason)}) before it was delivered`
    + (copyUnknown ? '; an earlier attempt did not finish and may have left a copy there' : '');
}

/**
 * In the purging transaction, for letters just purged: their route queue rows go; pending deliveries
 * nobody is attempting and that cannot have left a copy end (dead, notice done); letters not routed yet,
 * or in triage, become 'failed', and so do routed ones with nothing delivered or pending left. A pending
 * delivery under an attempt's lease, or one an earlier attempt may have made a copy of (uncertain, a
 * copy's id in its progress, a lease left behind) stays pending: its attempt finishes, or the next one
 * looks for the copy and never makes one (delivery/deliver.ts), so the trace names every copy that
 * exists. Idempotent: a second run changes nothing and writes no event.
 */
export async function settleUndelivered(tx: Tx, orgId: string, ids: string[], reason: PurgeReason): Promise<void> {
  if (ids.length === 0) return;
  const idList = sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `);
  await tx.delete(routeQueue).where(inArray(routeQueue.messageId, ids));
  const ended = rowsOf<{ id: string; message_id: string; display_name: string }>(await tx.execute(sql`UPDATE deliveries d
    SET status = 'dead', last_error = ${notDeliveredError(reason)}, last_failed_at = now(), dead_notified_at = now(), lease_until = NULL
    FROM destinations t
    WHERE t.id = d.destination_id AND d.message_id IN (${idList}) AND d.status = 'pending' AND d.lease_until IS NULL
      AND NOT d.uncertain AND d.progress->'graphMessageId' IS NULL AND d.progress->'cardPosted' IS NULL
    RETURNING d.id, d.message_id, t.display_name`));
  const unrouted = await tx.update(messages).set({ status: 'failed' })
    .where(and(eq(messages.orgId, orgId), inArray(messages.id, ids), inArray(messages.status, ['received', 'triage']))).returning({ id: messages.id });
  await tx.execute(sql`UPDATE messages SET status = 'failed' WHERE id IN (${idList}) AND status = 'routed'
    AND NOT EXISTS (SELECT 1 FROM deliveries WHERE message_id = messages.id AND status IN ('pending', 'delivered'))`);
  const said = [
    ...unrouted.map((u) => ({ orgId, messageId: u.id, type: 'delivery_failed', actor: 'system', text: notDeliveredText(reason), data: { purged: reason } })),
    ...ended.map((d) => ({
      orgId, messageId: d.message_id, type: 'delivery_failed', actor: 'system', text: notDeliveredText(reason, d.display_name),
      data: { purged: reason, deliveryId: d.id, destination: d.display_name },
    })),
  ];
  if (said.length) await tx.insert(events).values(said);
}
