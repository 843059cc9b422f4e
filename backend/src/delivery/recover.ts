// After a crash or an outage many deliveries are "uncertain": Graph may or may not hold their copy.
// Each would look for itself before creating again, one request each. At start we look for them
// together instead: one JSON $batch of up to 20 lookups per mailbox. Found copies are recorded as
// delivered; the rest lose their uncertainty, so their next attempt creates at once.
import { and, eq, inArray, isNull, lt, or } from 'drizzle-orm';
import type { AppContext } from '../context';
import { deliveries, destinations } from '../store/schema';
import { markDelivered } from './deliver';
import { DELIVERY_ID_PROPERTY } from './render';
import { call, displayFolderPath, enc } from './mailbox';
import type { MailProgress } from './mail-delivery';
import { errorMessage } from '../log';

const BATCH = 20;
const LEASE_MS = 60_000;

interface BatchAnswer { responses: { id: string; status: number; body?: { value?: { id?: string; internetMessageId?: string }[] } }[] }

export async function recoverUncertain(ctx: AppContext): Promise<{ checked: number; found: number; batches: number }> {
  const now = new Date();
  const rows = await ctx.db.select({ id: deliveries.id, orgId: deliveries.orgId, messageId: deliveries.messageId, progress: deliveries.progress, dest: destinations })
    .from(deliveries).innerJoin(destinations, eq(destinations.id, deliveries.destinationId))
    .where(and(eq(deliveries.status, 'pending'), eq(deliveries.uncertain, true), inArray(destinations.kind, ['shared_mailbox', 'user_mailbox']),
      or(isNull(deliveries.leaseUntil), lt(deliveries.leaseUntil, now))));
  // Half-finished work (large attachments under way, a move) is left to the delivery itself.
  const simple = rows.filter((r) => {
    const p = r.progress as MailProgress;
    return r.dest.mailbox && p.variant !== 'session' && !p.moveFrom;
  });
  const byMailbox = new Map<string, typeof simple>();
  for (const r of simple) byMailbox.set(r.dest.mailbox!.toLowerCase(), [...(byMailbox.get(r.dest.mailbox!.toLowerCase()) ?? []), r]);
  let checked = 0; let found = 0; let batches = 0;
  for (const [mailbox, list] of byMailbox) {
    for (let i = 0; i < list.length; i += BATCH) {
      const chunk = list.slice(i, i + BATCH);
      const claimed = new Set((await ctx.db.update(deliveries).set({ leaseUntil: new Date(Date.now() + LEASE_MS) })
        .where(and(inArray(deliveries.id, chunk.map((c) => c.id)), eq(deliveries.status, 'pending'), or(isNull(deliveries.leaseUntil), lt(deliveries.leaseUntil, new Date()))))
        .returning({ id: deliveries.id })).map((r) => r.id));
      const mine = chunk.filter((c) => claimed.has(c.id));
      if (!mine.length) continue;
      let answer: BatchAnswer | null = null;
      const release = await ctx.pacer.acquire(`mailbox:${mailbox}`, 0, 60_000).catch(() => null);
      try {
        answer = await call<BatchAnswer>(ctx.graph, '/$batch', (r) => r.post({
          requests: mine.map((d, n) => ({
            id: String(n), method: 'GET',
            url: `/users/${enc(mailbox)}/messages?$filter=${encodeURIComponent(`singleValueExtendedProperties/Any(ep: ep/id eq '${DELIVERY_ID_PROPERTY}' and ep/value eq '${d.id}')`)}&$select=id,internetMessageId&$top=1`,
          })),
        }));
        batches++;
      } catch (e) {
        ctx.log.warn('batch lookup of uncertain deliveries failed; each will look for itself', { mailbox, error: errorMessage(e) });
      } finally { release?.(); }
      for (const [n, d] of mine.entries()) {
        const r = answer?.responses.find((x) => x.id === String(n));
        if (!r || r.status !== 200) {
          await ctx.db.update(deliveries).set({ leaseUntil: null }).where(eq(deliveries.id, d.id));
          continue;
        }
        checked++;
        const graphId = r.body?.value?.[0]?.id;
        if (!graphId) {
          // Not there: the next attempt may create without looking again.
          await ctx.db.update(deliveries).set({ uncertain: false, leaseUntil: null }).where(eq(deliveries.id, d.id));
          continue;
        }
        found++;
        const copy = r.body!.value![0];
        await markDelivered(ctx.db,
          { deliveryId: d.id, orgId: d.orgId, messageId: d.messageId, graphMessageId: graphId, internetMessageId: copy.internetMessageId ?? null },
          `Delivered to ${d.dest.displayName} (${d.dest.mailbox}, ${displayFolderPath(d.dest.folderPath)}); found after an interrupted attempt`,
          { destinationId: d.dest.id, foundExisting: true, recoveredInBatch: true });
      }
    }
  }
  if (checked) ctx.log.info('uncertain deliveries checked', { checked, found, batches });
  return { checked, found, batches };
}
