// Runs one delivery attempt: render, find-or-create through Graph, record the outcome. Failures are
// retried with backoff up to a bound, then the delivery is dead-lettered with a readable reason.
import { and, asc, eq, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { AppContext } from '../context';
import { cvrNumbers, deliveries, destinations, documents, messages, letterColumns } from '../store/schema';
import { addEvent } from '../store/letters';
import { errorMessage } from '../log';
import { renderMail } from './render';
import { createMessage, displayFolderPath, ensureFolder, findDelivered } from './mailbox';

const LEASE_MS = 120_000; // longer than one attempt can take (Graph calls time out after 30 s)

export async function runDelivery(ctx: AppContext, deliveryId: string): Promise<void> {
  // Claim the delivery: only one worker attempts it at a time, whatever the job runner does.
  const claimed = await ctx.db.update(deliveries)
    .set({ attempts: sql`${deliveries.attempts} + 1`, leaseUntil: new Date(Date.now() + LEASE_MS) })
    .where(and(eq(deliveries.id, deliveryId), eq(deliveries.status, 'pending'),
      or(isNull(deliveries.leaseUntil), lt(deliveries.leaseUntil, new Date()))))
    .returning({ attempts: deliveries.attempts });
  if (claimed.length === 0) {
    // Delivered or dead: nothing to do. Leased: its holder may have died, so look again after the lease.
    const [cur] = await ctx.db.select({ status: deliveries.status, leaseUntil: deliveries.leaseUntil })
      .from(deliveries).where(eq(deliveries.id, deliveryId));
    if (cur?.status === 'pending' && cur.leaseUntil) await ctx.jobs.deliverSoon(deliveryId, new Date(cur.leaseUntil.getTime() + 1000));
    return;
  }
  const attempt = claimed[0].attempts;
  const [row] = await ctx.db.select({ d: deliveries, dest: destinations, m: letterColumns })
    .from(deliveries)
    .innerJoin(destinations, eq(destinations.id, deliveries.destinationId))
    .innerJoin(messages, eq(messages.id, deliveries.messageId))
    .where(eq(deliveries.id, deliveryId));
  if (!row) return;
  const { d, dest, m } = row;

  try {
    if (dest.kind !== 'mailbox') throw new Error(`Destination kind "${dest.kind}" is not deliverable yet.`);
    const target = { mailbox: dest.mailbox, folderPath: dest.folderPath };
    // Look first: a previous attempt may have created the message and died before recording it.
    let graphId = await findDelivered(ctx.graph, dest.mailbox, d.id);
    const found = graphId !== undefined;
    if (!graphId) {
      const folderId = await ensureFolder(ctx.graph, ctx.folders, target);
      const docs = await ctx.db.select().from(documents).where(and(eq(documents.messageId, m.id), ne(documents.role, 'technical')))
        .orderBy(asc(documents.position));
      const [cvr] = await ctx.db.select().from(cvrNumbers).where(and(eq(cvrNumbers.orgId, m.orgId), eq(cvrNumbers.cvr, m.cvr)));
      const mail = renderMail({ ...m, cvrName: cvr?.name ?? m.cvr },
        docs.map((x) => ({ filename: x.filename, mimeType: x.mimeType, content: ctx.sealer.open(x.contentEnc) })), d.id);
      graphId = await createMessage(ctx.graph, dest.mailbox, folderId, mail);
    }
    await ctx.db.transaction(async (tx) => {
      await tx.update(deliveries).set({ status: 'delivered', graphMessageId: graphId, deliveredAt: new Date(), lastError: null, leaseUntil: null })
        .where(eq(deliveries.id, d.id));
      await tx.update(messages).set({ status: 'delivered' })
        .where(and(eq(messages.id, m.id), inArray(messages.status, ['routed', 'failed'])));
      await addEvent(tx, m.orgId, m.id, 'delivered', 'system',
        `Delivered to ${dest.displayName} (${dest.mailbox}, ${displayFolderPath(dest.folderPath)})${found ? ', found from an earlier attempt' : ''}`,
        { deliveryId: d.id, destinationId: dest.id, graphMessageId: graphId, attempt, foundExisting: found });
    });
    ctx.log.info('letter delivered', { deliveryId: d.id, messageId: m.id, destination: dest.displayName, attempt, foundExisting: found });
  } catch (e) {
    const reason = describeGraphError(e);
    const dead = attempt >= ctx.delivery.maxAttempts;
    await ctx.db.transaction(async (tx) => {
      await tx.update(deliveries).set({ status: dead ? 'dead' : 'pending', lastError: reason, leaseUntil: null }).where(eq(deliveries.id, d.id));
      if (dead) await tx.update(messages).set({ status: 'failed' }).where(eq(messages.id, m.id));
      await addEvent(tx, m.orgId, m.id, dead ? 'delivery_failed' : 'delivery_attempt', 'system',
        dead ? `Delivery to ${dest.displayName} gave up after ${attempt} attempts: ${reason}`
          : `Delivery attempt ${attempt} to ${dest.displayName} failed, will retry: ${reason}`,
        { deliveryId: d.id, attempt, reason });
    });
    ctx.log.warn('delivery attempt failed', { deliveryId: d.id, attempt, dead, reason });
    if (!dead) await ctx.jobs.deliverSoon(d.id, new Date(Date.now() + ctx.delivery.backoffMs(attempt)));
  }
}

/** A sentence for people from a Graph SDK error (status, Graph code and message), or any error. */
export function describeGraphError(e: unknown): string {
  const g = e as { statusCode?: number; code?: string | null; message?: string };
  if (typeof g.statusCode === 'number' && g.statusCode > 0) {
    return `Microsoft Graph answered ${g.statusCode}${g.code ? ` ${g.code}` : ''}: ${g.message ?? 'no message'}`;
  }
  return errorMessage(e);
}
