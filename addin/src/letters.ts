// Pure helpers about one letter's deliveries (no React): what resend can send again, where copies
// are, and whether anything is still on its way.
import type { DeliveryInfo, MessageDetail } from '../../shared/src/contracts';

export interface ResendTarget {
  /** The delivery to send again (the latest finished one to that destination). */
  deliveryId: string;
  destination: DeliveryInfo['destination'];
}

/**
 * What "resend" can send again: one target per destination whose latest delivery finished
 * (delivered or given up). The server sends one copy per destination too.
 */
export function resendTargets(m: Pick<MessageDetail, 'deliveries'>): ResendTarget[] {
  const byDest = new Map<string, ResendTarget>();
  for (const d of m.deliveries) {
    if (d.status !== 'delivered' && d.status !== 'dead') continue;
    byDest.set(d.destination.id, { deliveryId: d.id, destination: d.destination });
  }
  return [...byDest.values()];
}

/** Destinations that already hold a copy of the letter (delivered or on the way). */
export function destinationsWithCopy(m: Pick<MessageDetail, 'deliveries'>): Set<string> {
  return new Set(m.deliveries.filter((d) => d.status !== 'dead').map((d) => d.destination.id));
}

/** True when a reroute may move or remove an earlier copy: a delivered copy in a mailbox. */
export function hasMovableCopy(m: Pick<MessageDetail, 'deliveries'>): boolean {
  return m.deliveries.some((d) => d.status === 'delivered' && d.destination.mailbox && d.graphMessageId);
}

/** Settled: nothing more will happen by itself (no copy on its way), so the detail stops refreshing. */
export function isSettled(m: Pick<MessageDetail, 'status' | 'deliveries'>): boolean {
  return (m.status === 'delivered' || m.status === 'failed') && !m.deliveries.some((d) => d.status === 'pending');
}
