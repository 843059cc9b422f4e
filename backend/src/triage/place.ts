// Placing a letter from the triage queue: a person (or the assistant, above the admin's threshold)
// chooses destinations from the registry; that delivers the letter and teaches the assistant.
import { and, eq, isNull } from 'drizzle-orm';
import type { AppContext } from '../context';
import { deliveries, destinations, messages, letterColumns } from '../store/schema';
import { addEvent } from '../store/letters';
import { chosenDestinations } from '../delivery/registry/destinations';
import { HttpError } from '../api/errors';
import { routingInputOf } from '../routing/input';
import { errorMessage } from '../log';
import { percent } from '../assistant/model';

const purgedError = (at: Date) => new HttpError(410, 'purged', `This letter's content was deleted on ${at.toISOString().slice(0, 10)} (retention or a data subject request); only its trace is left, so it cannot be placed.`);

export type PlacedBy = { kind: 'person'; name: string } | { kind: 'assistant'; confidence: number; explanation: string; explanationDa?: string };

export async function placeLetter(ctx: AppContext, orgId: string, messageId: string, destinationIds: string[], by: PlacedBy): Promise<string[]> {
  const wanted = [...new Set(destinationIds)];
  const dests = await chosenDestinations(ctx.db, orgId, wanted, ctx.destinationPolicy); // the operator's allow-list too (registry/allowed.ts)
  const [msg] = await ctx.db.select(letterColumns).from(messages).where(and(eq(messages.orgId, orgId), eq(messages.id, messageId)));
  if (!msg) throw new HttpError(404, 'not_found', 'No letter with that id in your organisation.');
  if (msg.purgedAt) throw purgedError(msg.purgedAt);
  const who = by.kind === 'person' ? by.name : 'assistant';
  const ids = await ctx.db.transaction(async (tx) => {
    // Claim: only a letter still waiting in triage can be placed, and only once; never one purged since
    // it was read (the purge takes it out of triage: its deliveries would arrive empty).
    const claimed = await tx.update(messages).set({ status: 'routed' })
      .where(and(eq(messages.id, messageId), eq(messages.status, 'triage'), isNull(messages.purgedAt))).returning({ id: messages.id });
    if (!claimed.length) {
      const [now] = await tx.select({ purgedAt: messages.purgedAt }).from(messages).where(eq(messages.id, messageId));
      if (now?.purgedAt) throw purgedError(now.purgedAt);
      throw new HttpError(409, 'not_in_triage', 'This letter is not waiting in triage (someone may have placed it already); use reroute to send it elsewhere.');
    }
    const ins = await tx.insert(deliveries).values(dests.map((d) => ({ orgId, messageId, destinationId: d.id, reason: 'placement', requestedBy: who })))
      .returning({ id: deliveries.id });
    const names = dests.map((d) => d.displayName).join(', ');
    if (by.kind === 'person') {
      await addEvent(tx, orgId, messageId, 'placed', who, `${who} placed the letter: ${names}`, { destinationIds: wanted, deliveryIds: ins.map((i) => i.id), destinations: dests.map((d) => d.displayName) });
    } else {
      await addEvent(tx, orgId, messageId, 'auto_placed', 'assistant',
        `The assistant placed the letter automatically (${percent(by.confidence)} sure): ${names}. ${by.explanation}`,
        { destinationIds: wanted, deliveryIds: ins.map((i) => i.id), confidence: by.confidence, automatic: true, destinations: dests.map((d) => d.displayName),
          ...(by.explanationDa ? { explanation: { da: by.explanationDa, en: by.explanation } } : {}) });
    }
    return ins.map((i) => i.id);
  });
  for (const id of ids) await ctx.jobs.deliverSoon(id);
  // Teach the assistant; a failure here must not undo the placement.
  try {
    const active = await ctx.db.select({ id: destinations.id }).from(destinations).where(and(eq(destinations.orgId, orgId), isNull(destinations.archivedAt)));
    await ctx.assistant.learn(orgId, await routingInputOf(ctx, msg), wanted, by.kind === 'person' ? 'placement' : 'auto', active.map((a) => a.id));
  } catch (e) {
    ctx.log.warn('the assistant could not learn from a placement', { messageId, error: errorMessage(e) });
  }
  return ids;
}
