// After a crash or an outage many deliveries are "uncertain": Graph may or may not hold their copy.
// Each would look for itself before creating again, one request each. At start we look for them
// together instead: one JSON $batch of up to 20 lookups per mailbox. Found copies are recorded as
// delivered; the rest lose their uncertainty, so their next attempt creates at once. A copy made as the
// `session` variant may still lack large documents: recovery never finishes one, the delivery's attempt
// finds it and uploads what is missing.
//
// Recovery is a guest in each mailbox's lane: it waits for a slot like any request and passes a mailbox
// by while Graph has asked us to wait (PacerBusy, or a 429 inside the batch, whose Retry-After pauses the
// lane). It takes its lease only once it holds the slot, and every write it makes is fenced on that
// lease (attempt-lease.ts), so a delivery attempt that claimed a row meanwhile keeps its lease and flag.
import { and, eq, inArray, isNull, lt, or } from 'drizzle-orm';
import type { AppContext } from '../context';
import { deliveries, destinations } from '../store/schema';
import { markDelivered } from './deliver';
import { destinationRefusal } from './registry/allowed';
import { heldBy, type DeliveryLease } from './attempt-lease';
import { DELIVERY_ID_PROPERTY, DELIVERY_VARIANT_PROPERTY } from './render';
import { call, displayFolderPath, enc } from './mailbox';
import type { MailProgress } from './mail-delivery';
import { PacerBusy } from './pacing/pacer';
import { retryAfterMs } from './pacing/middleware';
import { errorMessage } from '../log';

const BATCH = 20;
/** Recovery's lease on the rows of one batch: the batch call (30 s at most) and the writes after it. */
const LEASE_MS = 60_000;

interface FoundCopy { id?: string; internetMessageId?: string; singleValueExtendedProperties?: { id?: string; value?: string }[] }
interface BatchAnswer { responses: { id: string; status: number; headers?: Record<string, string>; body?: { value?: FoundCopy[] } }[] }

export async function recoverUncertain(ctx: AppContext): Promise<{ checked: number; found: number; batches: number }> {
  const now = new Date();
  const rows = await ctx.db.select({ id: deliveries.id, orgId: deliveries.orgId, messageId: deliveries.messageId, progress: deliveries.progress, dest: destinations })
    .from(deliveries).innerJoin(destinations, eq(destinations.id, deliveries.destinationId))
    .where(and(eq(deliveries.status, 'pending'), eq(deliveries.uncertain, true), inArray(destinations.kind, ['shared_mailbox', 'user_mailbox']),
      or(isNull(deliveries.leaseUntil), lt(deliveries.leaseUntil, now))));
  // Half-finished work (large attachments under way, a move) is left to the delivery itself. The
  // variant is recorded before the create (mail-delivery.ts), so only inline and link rows remain.
  // A mailbox the operator no longer allows the organisation (registry/allowed.ts) is not looked into:
  // the delivery's own attempt gives up saying why.
  const simple = rows.filter((r) => {
    const p = r.progress as MailProgress;
    return r.dest.mailbox && (p.variant === undefined || p.variant === 'inline' || p.variant === 'link') && !p.moveFrom
      && !destinationRefusal(ctx.destinationPolicy, r.orgId, r.dest);
  });
  const byMailbox = new Map<string, typeof simple>();
  for (const r of simple) byMailbox.set(r.dest.mailbox!.toLowerCase(), [...(byMailbox.get(r.dest.mailbox!.toLowerCase()) ?? []), r]);
  let checked = 0; let found = 0; let batches = 0;
  mailboxes: for (const [mailbox, list] of byMailbox) {
    const lane = `mailbox:${mailbox}`;
    for (let i = 0; i < list.length; i += BATCH) {
      const chunk = list.slice(i, i + BATCH);
      let release: () => void;
      try {
        release = await ctx.pacer.acquire(lane, 0);
      } catch (e) {
        if (!(e instanceof PacerBusy)) throw e;
        // Graph asked us to wait, or the mailbox is busy: its deliveries look for themselves when due.
        ctx.log.info('uncertain deliveries of a paced mailbox left to their own attempts', { mailbox, reason: e.message });
        continue mailboxes;
      }
      let answer: BatchAnswer | null = null;
      const leaseUntil = new Date(Date.now() + LEASE_MS);
      let mine: typeof chunk = [];
      try {
        const claimed = new Set((await ctx.db.update(deliveries).set({ leaseUntil })
          .where(and(inArray(deliveries.id, chunk.map((c) => c.id)), eq(deliveries.status, 'pending'), eq(deliveries.uncertain, true),
            or(isNull(deliveries.leaseUntil), lt(deliveries.leaseUntil, new Date()))))
          .returning({ id: deliveries.id })).map((r) => r.id));
        mine = chunk.filter((c) => claimed.has(c.id));
        if (!mine.length) continue;
        answer = await call<BatchAnswer>(ctx.graph, '/$batch', (r) => r.post({
          requests: mine.map((d, n) => ({
            id: String(n), method: 'GET',
            url: `/users/${enc(mailbox)}/messages?$filter=${encodeURIComponent(`singleValueExtendedProperties/Any(ep: ep/id eq '${DELIVERY_ID_PROPERTY}' and ep/value eq '${d.id}')`)}`
              + `&$expand=${encodeURIComponent(`singleValueExtendedProperties($filter=id eq '${DELIVERY_VARIANT_PROPERTY}')`)}&$select=id,internetMessageId&$top=1`,
          })),
        }));
        batches++;
      } catch (e) {
        ctx.log.warn('batch lookup of uncertain deliveries failed; each will look for itself', { mailbox, error: errorMessage(e) });
      } finally { release(); }
      // Each lookup inside the batch is throttled on its own: a 429 there pauses the lane like any other.
      const throttled = answer?.responses.filter((r) => r.status === 429 || r.status === 503) ?? [];
      if (throttled.length) {
        const waitMs = Math.max(...throttled.map((r) => retryAfterMs(new Headers(r.headers ?? {}))));
        ctx.pacer.pause(lane, waitMs);
        ctx.log.info('Graph throttled lookups inside a batch; the mailbox pauses as asked', { mailbox, waitMs });
      }
      for (const [n, d] of mine.entries()) {
        const lease: DeliveryLease = { deliveryId: d.id, until: leaseUntil, lost: false };
        const r = answer?.responses.find((x) => x.id === String(n));
        if (!r || r.status !== 200) {
          await ctx.db.update(deliveries).set({ leaseUntil: null }).where(heldBy(lease));
          continue;
        }
        checked++;
        const copy = r.body?.value?.[0];
        if (!copy?.id) {
          // Not there: the next attempt may create without looking again.
          await ctx.db.update(deliveries).set({ uncertain: false, leaseUntil: null }).where(heldBy(lease));
          continue;
        }
        if (copy.singleValueExtendedProperties?.[0]?.value === 'session') {
          // Made for uploads that may not all have happened (a row from before the variant was recorded
          // ahead of the create): the delivery's attempt finds it and completes it.
          await ctx.db.update(deliveries).set({ leaseUntil: null }).where(heldBy(lease));
          continue;
        }
        const marked = await markDelivered(ctx.db,
          { deliveryId: d.id, orgId: d.orgId, messageId: d.messageId, graphMessageId: copy.id, internetMessageId: copy.internetMessageId ?? null },
          `Delivered to ${d.dest.displayName} (${d.dest.mailbox}, ${displayFolderPath(d.dest.folderPath)}); found after an interrupted attempt`,
          { destinationId: d.dest.id, foundExisting: true, recoveredInBatch: true }, leaseUntil);
        if (marked) found++;
      }
      if (throttled.length) continue mailboxes;
    }
  }
  if (checked) ctx.log.info('uncertain deliveries checked', { checked, found, batches });
  return { checked, found, batches };
}
