// Routes one stored letter: loads its facts and the organisation's rules, decides (pure), and
// records the decision and the deliveries in one transaction. Running it twice creates nothing twice.
import { and, eq, inArray } from 'drizzle-orm';
import type { AppContext } from '../context';
import { deliveries, destinations, messages, rules, letterColumns } from '../store/schema';
import { addEvent } from '../store/letters';
import { displayFolderPath } from '../delivery/mailbox';
import { routeLetter, type Rule } from './route';
import { conditionSchema } from './conditions';
import type { RoutingFacts } from './facts';

export async function routeStoredLetter(ctx: AppContext, messageId: string): Promise<void> {
  const [msg] = await ctx.db.select(letterColumns).from(messages).where(eq(messages.id, messageId));
  if (!msg) return; // purged meanwhile
  if (msg.status !== 'received') {
    // Already routed; make sure every pending delivery has a job (a crash may have come in between).
    const pending = await ctx.db.select({ id: deliveries.id }).from(deliveries)
      .where(and(eq(deliveries.messageId, messageId), eq(deliveries.status, 'pending')));
    for (const d of pending) await ctx.jobs.deliverSoon(d.id);
    return;
  }
  const rows = await ctx.db.select().from(rules).where(eq(rules.orgId, msg.orgId));
  const parsedRules: Rule[] = rows.map((r) => ({ ...r, conditions: conditionSchema.parse(r.conditions) }));
  const decision = routeLetter(msg.routingFacts as unknown as RoutingFacts, parsedRules);

  const deliveryIds = await ctx.db.transaction(async (tx) => {
    // Claim the letter: a second route job for it finds it no longer 'received' and does nothing.
    const claimed = await tx.update(messages).set({ status: decision.kind === 'triage' ? 'triage' : 'routed' })
      .where(and(eq(messages.id, messageId), eq(messages.status, 'received'))).returning({ id: messages.id });
    if (claimed.length === 0) return [];
    if (decision.kind === 'triage') {
      await addEvent(tx, msg.orgId, messageId, 'triage', 'system', `Waiting in triage: ${decision.why.join('; ')}`, { why: decision.why });
      return [];
    }
    const dests = await tx.select().from(destinations)
      .where(and(eq(destinations.orgId, msg.orgId), inArray(destinations.id, decision.destinationIds)));
    if (dests.length === 0) {
      const why = [`rule "${decision.ruleName}" names no existing destination`];
      await tx.update(messages).set({ status: 'triage' }).where(eq(messages.id, messageId));
      await addEvent(tx, msg.orgId, messageId, 'triage', 'system', `Waiting in triage: ${why[0]}`, { why });
      return [];
    }
    const names = dests.map((d) => `${d.displayName} (${d.mailbox}, ${displayFolderPath(d.folderPath)})`);
    const ins = await tx.insert(deliveries)
      .values(dests.map((d) => ({ orgId: msg.orgId, messageId, destinationId: d.id, reason: 'initial' })))
      .onConflictDoNothing().returning({ id: deliveries.id });
    await addEvent(tx, msg.orgId, messageId, 'routed', 'system',
      `Rule "${decision.ruleName}" matched (${decision.why.join('; ')}) → ${names.join(', ')}`,
      { ruleId: decision.ruleId, why: decision.why, destinationIds: dests.map((d) => d.id) });
    return ins.map((r) => r.id);
  });
  for (const id of deliveryIds) await ctx.jobs.deliverSoon(id);
}
