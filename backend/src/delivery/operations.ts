// What people do to a letter's deliveries from the task pane: resend (same destination, a new
// copy) and reroute (new destinations from the registry; the earlier copy left or moved as the
// organisation configured). Each becomes new delivery rows, run by the same engine, and an event on
// the letter's timeline naming who asked. A reroute also corrects the assistant (triage/lesson.ts);
// a resend says nothing new about where the letter belongs, so it teaches nothing. After an outage
// (a mailbox full, the app's access revoked), an admin sends every delivery that gave up again at
// once: retryFailed.
import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { AppContext } from '../context';
import { deliveries, destinations, events, messages } from '../store/schema';
import { addEvent } from '../store/letters';
import type { Tx } from '../store/db';
import { HttpError } from '../api/errors';
import { getDeliverySettings } from './settings';
import { chosenDestinations } from './registry/destinations';
import { destinationRefusal, mailDomainOf, unreachableMailboxesText } from './registry/allowed';
import type { MailProgress } from './mail-delivery';
import { mayUseDestinationFor, orgScope, visibleDeliveries, type Scope } from '../store/scope';
import { lessonOf, rerouteLesson, teachReroute, type RerouteLesson } from '../triage/lesson';
import { targetOf } from '../assistant/model';

export interface Actor { id: string; name: string }
const actorLabel = (a: Actor) => a.name || a.id;

async function letterOf(ctx: AppContext, orgId: string, messageId: string) {
  const [m] = await ctx.db.select({ id: messages.id, cvr: messages.cvr, status: messages.status, purgedAt: messages.purgedAt }).from(messages)
    .where(and(eq(messages.orgId, orgId), eq(messages.id, messageId)));
  if (!m) throw new HttpError(404, 'not_found', 'No letter with that id in your organisation.');
  // A purged letter has no documents left: a new copy would arrive empty.
  if (m.purgedAt) throw purgedError(m.purgedAt);
  return m;
}

const purgedError = (at: Date) => new HttpError(410, 'purged', `This letter's content was deleted on ${at.toISOString().slice(0, 10)} (retention or a data subject request); only its trace is left, so it cannot be sent again.`);

/** Under the letter's lock: a purge that committed after letterOf read the letter is seen here (its deliveries would arrive empty). */
async function refusePurgedLocked(tx: Tx, messageId: string): Promise<void> {
  const [p] = await tx.select({ purgedAt: messages.purgedAt }).from(messages).where(eq(messages.id, messageId));
  if (p?.purgedAt) throw purgedError(p.purgedAt);
}

/**
 * `scope`: the caller's (default: the whole organisation). Only deliveries it sees are sent again
 * (store/scope.ts mayUseDestinationFor): one beyond its limits answers as a delivery that is not there.
 */
export async function resend(ctx: AppContext, orgId: string, messageId: string, actor: Actor,
  opts: { deliveryId?: string; scope?: Scope }): Promise<string[]> {
  const m = await letterOf(ctx, orgId, messageId);
  const s = opts.scope ?? orgScope(orgId);
  const rows = (await ctx.db.select({ d: deliveries, dest: destinations }).from(deliveries)
    .innerJoin(destinations, eq(destinations.id, deliveries.destinationId))
    .where(and(eq(deliveries.orgId, orgId), eq(deliveries.messageId, messageId),
      ...(opts.deliveryId ? [eq(deliveries.id, opts.deliveryId)] : []), inArray(deliveries.status, ['delivered', 'dead']))))
    .filter((r) => mayUseDestinationFor(s, m.cvr, r.dest.id));
  if (opts.deliveryId && rows.length === 0) {
    throw new HttpError(409, 'not_resendable', 'That delivery is not finished yet (or not on this letter); only delivered or failed deliveries can be sent again.');
  }
  // One new copy per destination, however many earlier deliveries went there.
  const byDest = new Map(rows.filter((r) => !r.dest.archivedAt).map((r) => [r.dest.id, r]));
  if (byDest.size === 0) throw new HttpError(409, 'nothing_to_resend', 'The letter has no finished delivery to an existing destination; use reroute to choose one.');
  // The operator's allow-list (registry/allowed.ts): said now rather than by a delivery that gives up.
  for (const { dest } of byDest.values()) {
    const refusal = destinationRefusal(ctx.destinationPolicy, orgId, dest);
    if (refusal) throw new HttpError(400, refusal.code, `"${dest.displayName}" cannot receive letters now. ${refusal.message}`, { params: { ...refusal.params, destination: dest.displayName } });
  }
  const ids = await ctx.db.transaction(async (tx) => {
    await lockLetters(tx, [messageId]);
    await refusePurgedLocked(tx, messageId);
    const ins = await tx.insert(deliveries).values([...byDest.values()].map((r) => ({
      orgId, messageId, destinationId: r.dest.id, reason: 'resend', requestedBy: actorLabel(actor),
    }))).returning({ id: deliveries.id });
    await tx.update(messages).set({ status: 'routed' }).where(and(eq(messages.id, messageId), eq(messages.status, 'failed')));
    await addEvent(tx, orgId, messageId, 'resend_requested', actorLabel(actor),
      `${actorLabel(actor)} asked to send the letter again to ${[...byDest.values()].map((r) => r.dest.displayName).join(', ')}`,
      { deliveryIds: ins.map((i) => i.id), destinationIds: [...byDest.keys()], actorId: actor.id, destinations: [...byDest.values()].map((r) => r.dest.displayName) });
    return ins.map((i) => i.id);
  });
  for (const id of ids) await ctx.jobs.deliverSoon(id);
  return ids;
}

/**
 * `scope`: the caller's (default: the whole organisation). It may reroute only to destinations its
 * limits admit with the letter, and a "move" moves or removes only earlier copies it sees: a copy in a
 * mailbox beyond its limits stays where it is, and is not counted in what the timeline says stays.
 * A copy in a mailbox the operator's allow-list refuses stays too, counted apart with its domain
 * (`refused`); the delivery checks the list again before it removes one (mail-delivery.ts).
 */
export async function reroute(ctx: AppContext, orgId: string, messageId: string, actor: Actor,
  opts: { destinationIds: string[]; oldCopy?: 'leave' | 'move'; scope?: Scope }): Promise<string[]> {
  const m = await letterOf(ctx, orgId, messageId);
  const s = opts.scope ?? orgScope(orgId);
  const wanted = [...new Set(opts.destinationIds)];
  const outside = wanted.filter((id) => !mayUseDestinationFor(s, m.cvr, id));
  if (outside.length) {
    throw new HttpError(403, 'forbidden', `Your role lets you deliver only to some destinations, and ${outside.length === 1 ? 'one you chose is' : `${outside.length} you chose are`} not among them. Choose from the list, or ask your administrator.`);
  }
  const dests = await chosenDestinations(ctx.db, orgId, wanted, ctx.destinationPolicy);
  const oldCopy = opts.oldCopy ?? (await getDeliverySettings(ctx.db, orgId)).rerouteOldCopy;
  let lesson: RerouteLesson | null = null;
  const ids = await ctx.db.transaction(async (tx) => {
    // Under the letter's lock: a reroute running at the same moment pairs its own copies after this one's.
    await lockLetters(tx, [messageId]);
    // The status as it is now (routing may have decided since letterOf read it).
    const [{ status, purgedAt }] = await tx.select({ status: messages.status, purgedAt: messages.purgedAt }).from(messages).where(eq(messages.id, messageId));
    if (purgedAt) throw purgedError(purgedAt); // purged since letterOf read it
    // Also read under it, so a second reroute takes back this one's lesson. (A letter placed since
    // letterOf read 'triage' has a lesson now, which decides instead.)
    lesson = rerouteLesson(await lessonOf(tx, orgId, messageId), wanted, status === 'triage' || status === 'received');
    // Earlier copies that can be moved or removed: delivered into a mailbox, and not already taken by
    // another reroute's move (done or under way; one that gave up may have left its copy in place).
    const earlier = await tx.select({ d: deliveries, dest: destinations }).from(deliveries)
      .innerJoin(destinations, eq(destinations.id, deliveries.destinationId))
      .where(and(eq(deliveries.orgId, orgId), eq(deliveries.messageId, messageId), eq(deliveries.status, 'delivered'), NOT_YET_REPLACED))
      // Oldest first, so which copy a move takes is the same every time: where the letter went first.
      .orderBy(asc(deliveries.createdAt), asc(deliveries.id));
    const candidates = earlier.filter((r) => r.dest.mailbox && r.d.graphMessageId && !wanted.includes(r.dest.id) && mayUseDestinationFor(s, m.cvr, r.dest.id));
    // A copy in a mailbox the operator's allow-list refuses now (registry/allowed.ts) is not moved or
    // removed: Brevdue makes no Graph call there. It stays where it is, and the timeline says why
    // (its domain, never the allowed ones: readers see the event).
    const refused = oldCopy === 'move' ? candidates.filter((r) => destinationRefusal(ctx.destinationPolicy, orgId, r.dest)) : [];
    const movable = candidates.filter((r) => !refused.includes(r));
    const refusedDomains = [...new Set(refused.map((r) => mailDomainOf(r.dest.mailbox!)))];
    // "Move" pairs earlier copies with new mailbox destinations: the same mailbox first (a real move).
    const pairs = new Map<string, MailProgress['moveFrom']>();
    if (oldCopy === 'move') {
      const pool = [...movable];
      const mailDests = dests.filter((d) => d.mailbox);
      for (const pass of ['same', 'other'] as const) {
        for (const nd of mailDests) {
          if (pairs.has(nd.id)) continue;
          const i = pool.findIndex((r) => (pass === 'same') === (r.dest.mailbox!.toLowerCase() === nd.mailbox!.toLowerCase()));
          if (i < 0) continue;
          const [r] = pool.splice(i, 1);
          pairs.set(nd.id, { deliveryId: r.d.id, mailbox: r.dest.mailbox!, graphMessageId: r.d.graphMessageId! });
        }
      }
    }
    const ins = await tx.insert(deliveries).values(dests.map((nd) => {
      const moveFrom = pairs.get(nd.id);
      return {
        orgId, messageId, destinationId: nd.id, reason: 'reroute', requestedBy: actorLabel(actor),
        replacesDeliveryId: moveFrom?.deliveryId ?? null,
        progress: moveFrom ? { moveFrom } : {},
      };
    })).returning({ id: deliveries.id });
    // A letter not routed yet is decided by this person: routing, which claims only 'received'
    // letters, leaves it alone (it would otherwise deliver by rule as well, and teach the rule's place).
    if (status === 'failed' || status === 'triage' || status === 'received') {
      await tx.update(messages).set({ status: 'routed' }).where(eq(messages.id, messageId));
    }
    const left = movable.length - pairs.size;
    await addEvent(tx, orgId, messageId, 'reroute_requested', actorLabel(actor),
      `${actorLabel(actor)} rerouted the letter to ${dests.map((d) => d.displayName).join(', ')}`
      + (oldCopy === 'move' && pairs.size ? `; ${pairs.size} earlier cop${pairs.size === 1 ? 'y' : 'ies'} will be moved` : '')
      + (left > 0 ? `; ${left} earlier cop${left === 1 ? 'y stays' : 'ies stay'} where ${left === 1 ? 'it is' : 'they are'}` : '')
      + (refused.length > 0 ? `; ${refused.length} earlier cop${refused.length === 1 ? 'y stays where it is' : 'ies stay where they are'}: `
        + unreachableMailboxesText(refusedDomains) : ''),
      { deliveryIds: ins.map((i) => i.id), destinationIds: dests.map((d) => d.id), oldCopy, actorId: actor.id,
        destinations: dests.map((d) => d.displayName), moving: oldCopy === 'move' ? pairs.size : 0, staying: Math.max(0, left),
        // Named by delivery, so a caller who does not see those copies does not see their domains (store/read.ts scopedTimeline).
        ...(refused.length > 0 ? { refused: refused.length, refusedDomains, refusedDeliveryIds: refused.map((r) => r.d.id) } : {}),
        // The lesson this letter now stands for in the assistant (lessonOf reads it back).
        ...(lesson ? { taught: targetOf(lesson.to) } : {}) });
    return ins.map((i) => i.id);
  });
  for (const id of ids) await ctx.jobs.deliverSoon(id);
  if (lesson) await teachReroute(ctx, orgId, messageId, lesson);
  return ids;
}

/** A delivered copy no later reroute has moved or removed, or is about to (replaces_delivery_id names it). */
const NOT_YET_REPLACED = sql.raw(`NOT EXISTS (SELECT 1 FROM deliveries r WHERE r.replaces_delivery_id = deliveries.id AND r.status <> 'dead')`);

/** A dead delivery is retried only while its letter still has its content (purged since the list was read: nothing to send). */
const LETTER_NOT_PURGED = sql.raw('NOT EXISTS (SELECT 1 FROM messages pm WHERE pm.id = deliveries.message_id AND pm.purged_at IS NOT NULL)');

/**
 * A dead delivery is retried only while it is the latest delivery of its letter to its destination: a
 * later resend, reroute or placement there (delivered, under way or failed itself) has taken its place,
 * and reviving it as well would put a second copy in the mailbox.
 */
// Written out: drizzle leaves columns unqualified in an UPDATE, where they would bind to `later`.
const LATEST_TO_DESTINATION = sql.raw(`NOT EXISTS (SELECT 1 FROM deliveries later WHERE later.message_id = deliveries.message_id
  AND later.destination_id = deliveries.destination_id AND later.created_at > deliveries.created_at)`);

/**
 * Resend, reroute and retryFailed lock the letters they add deliveries to or revive deliveries of, in
 * id order: a retry that waited for a resend's transaction then sees its new row (the next statement's
 * snapshot does) and leaves the dead row it replaced alone; the row check alone would miss it.
 */
async function lockLetters(tx: Tx, ids: string[]): Promise<void> {
  await tx.select({ id: messages.id }).from(messages).where(inArray(messages.id, ids)).orderBy(asc(messages.id)).for('update');
}

/**
 * Dead deliveries that can be tried again: ones the scope sees (a limit admitting the letter and the
 * destination together: store/scope.ts visibleDeliveries), of letters whose content is still there, to
 * destinations not archived, and not since replaced (LATEST_TO_DESTINATION).
 * Latest failure first (so each destination's first row carries its latest reason).
 */
async function retryableFailed(ctx: AppContext, scope: Scope, destinationId?: string) {
  const rows = await ctx.db.select({
    id: deliveries.id, messageId: deliveries.messageId, destinationId: deliveries.destinationId, displayName: destinations.displayName,
    lastError: deliveries.lastError, lastFailedAt: deliveries.lastFailedAt,
  }).from(deliveries)
    .innerJoin(destinations, eq(destinations.id, deliveries.destinationId))
    .innerJoin(messages, eq(messages.id, deliveries.messageId))
    .where(and(eq(deliveries.orgId, scope.orgId), eq(deliveries.status, 'dead'), isNull(destinations.archivedAt), isNull(messages.purgedAt),
      LATEST_TO_DESTINATION, visibleDeliveries(scope), ...(destinationId ? [eq(deliveries.destinationId, destinationId)] : [])))
    .orderBy(desc(deliveries.lastFailedAt));
  return rows;
}

/** Failed (dead) deliveries per destination, with the latest reason: what retryFailed would send again. */
export async function failedDeliveries(ctx: AppContext, scope: Scope) {
  const byDest = new Map<string, { destinationId: string; displayName: string; count: number; lastError: string | null; lastFailedAt: string | null }>();
  for (const r of await retryableFailed(ctx, scope)) {
    const cur = byDest.get(r.destinationId);
    if (cur) cur.count++;
    else byDest.set(r.destinationId, { destinationId: r.destinationId, displayName: r.displayName, count: 1, lastError: r.lastError, lastFailedAt: r.lastFailedAt?.toISOString() ?? null });
  }
  const items = [...byDest.values()].sort((a, b) => b.count - a.count || a.displayName.localeCompare(b.displayName, 'da'));
  return { items, total: items.reduce((n, i) => n + i.count, 0) };
}

/**
 * Sends every failed delivery (to one destination, or all the caller may use) again: each dead row
 * becomes pending with a fresh count of attempts. The row itself, not a new copy: it keeps its
 * `uncertain` flag, so a delivery that gave up after a timeout still looks for the copy Graph may have
 * made before it creates one. Each letter's timeline names who asked; a letter marked failed is in
 * progress again. In chunks, each its own transaction (an outage can leave thousands).
 */
export async function retryFailed(ctx: AppContext, scope: Scope, actor: Actor, opts: { destinationId?: string } = {}): Promise<number> {
  const rows = await retryableFailed(ctx, scope, opts.destinationId);
  let retried = 0;
  for (let i = 0; i < rows.length; i += RETRY_CHUNK) {
    const chunk = rows.slice(i, i + RETRY_CHUNK);
    retried += await ctx.db.transaction(async (tx) => {
      // Only rows still dead and still the latest to their destination: another admin, the same click
      // twice, or a resend since the list was read does not send one twice.
      // deadNotifiedAt cleared: if it gives up again, the admins hear of it again — in a new notice (its id
      // and sender cleared too), not one an uncertain attempt at this one's may have sent.
      await lockLetters(tx, [...new Set(chunk.map((r) => r.messageId))]);
      // throttledSince dropped: a delivery that gave up after a day of waiting gets a new day.
      const revived = await tx.update(deliveries).set({ status: 'pending', attempts: 0, dueAt: sql`now()`, leaseUntil: null, deadNotifiedAt: null,
        deadNoticeId: null, deadNoticeSentFrom: null,
        progress: sql`${deliveries.progress} - 'throttledSince'` })
        .where(and(inArray(deliveries.id, chunk.map((r) => r.id)), eq(deliveries.status, 'dead'), LATEST_TO_DESTINATION, LETTER_NOT_PURGED))
        .returning({ id: deliveries.id, messageId: deliveries.messageId, destinationId: deliveries.destinationId });
      if (revived.length === 0) return 0;
      const names = new Map(chunk.map((r) => [r.destinationId, r.displayName]));
      const byLetter = new Map<string, typeof revived>();
      for (const r of revived) byLetter.set(r.messageId, [...(byLetter.get(r.messageId) ?? []), r]);
      await tx.update(messages).set({ status: 'routed' }).where(and(inArray(messages.id, [...byLetter.keys()]), eq(messages.status, 'failed')));
      await tx.insert(events).values([...byLetter].map(([messageId, ds]) => ({
        orgId: scope.orgId, messageId, type: 'resend_requested', actor: actorLabel(actor),
        text: `${actorLabel(actor)} asked to try the failed delivery to ${[...new Set(ds.map((d) => names.get(d.destinationId)))].join(', ')} again`,
        data: { deliveryIds: ds.map((d) => d.id), destinationIds: ds.map((d) => d.destinationId), actorId: actor.id, retryOfFailed: true,
          destinations: [...new Set(ds.map((d) => names.get(d.destinationId) ?? ''))] },
      })));
      return revived.length;
    });
  }
  if (retried > 0) await ctx.jobs.deliverSoon(rows[0].id);
  return retried;
}

const RETRY_CHUNK = 500;
