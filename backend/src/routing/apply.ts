// Routes one stored letter: gathers its facts and documents' text and the organisation's rules,
// decides (pure, route.ts), and records the decision — deliveries, or the triage queue — with every
// rule that matched and why, in one transaction. Running it twice creates nothing twice. Rule
// deliveries teach the assistant; a letter left in triage gets its suggestions, and is placed by
// the assistant when it is at least as sure as the admin asked.
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { AppContext } from '../context';
import { cvrNumbers, deliveries, destinations, messages, letterColumns, routeQueue } from '../store/schema';
import { addEvent } from '../store/letters';
import { displayFolderPath } from '../delivery/mailbox';
import { compileRules, type CompiledRules } from './route';
import { listRules, ruleOf } from './rules-store';
import { routingInputOf } from './input';
import { getRoutingSettings } from './settings';
import type { Rule } from './types';
import { registryNames, apiSuggestion } from '../triage/queue';
import { placeLetter } from '../triage/place';
import { errorMessage } from '../log';

export async function routeStoredLetter(ctx: AppContext, messageId: string): Promise<void> {
  const [msg] = await ctx.db.select(letterColumns).from(messages).where(eq(messages.id, messageId));
  if (!msg) return; // purged meanwhile
  if (msg.status !== 'received') {
    // Already routed (its queue row is left over from an older version, or a test queued it twice);
    // make sure every pending delivery has a job (a crash may have come in between).
    await ctx.db.delete(routeQueue).where(eq(routeQueue.messageId, messageId));
    const pending = await ctx.db.select({ id: deliveries.id }).from(deliveries)
      .where(and(eq(deliveries.messageId, messageId), eq(deliveries.status, 'pending')));
    for (const d of pending) await ctx.jobs.deliverSoon(d.id);
    return;
  }
  const input = await routingInputOf(ctx, msg);
  const decision = (await compiledRulesOf(ctx, msg.orgId))(input);
  const matchedText = decision.matched.map((m) => `rule "${m.ruleName}" matched (${m.why.join('; ') || 'always'})`);

  const result = await ctx.db.transaction(async (tx) => {
    // Claim the letter and take it off the route queue in one statement: a second attempt finds it no
    // longer 'received' and does nothing; a crash before the commit leaves it queued.
    const claimed = await tx.execute(sql`WITH dequeued AS (DELETE FROM route_queue WHERE message_id = ${messageId})
      UPDATE messages SET status = ${decision.kind === 'triage' ? 'triage' : 'routed'} WHERE id = ${messageId} AND status = 'received' RETURNING id`);
    if ((claimed as unknown as { rows: unknown[] }).rows.length === 0) return null;
    const toTriage = async (why: string[], statusSet = false) => {
      if (!statusSet) await tx.update(messages).set({ status: 'triage' }).where(eq(messages.id, messageId));
      await addEvent(tx, msg.orgId, messageId, 'triage', 'system', `Waiting in triage: ${why.join('; ')}`, { why, matched: decision.matched });
      return { deliveryIds: [] as string[], destinationIds: [] as string[], triage: true };
    };
    if (decision.kind === 'triage') return toTriage([...matchedText, ...decision.why], true);
    const ids = decision.destinations.map((d) => d.destinationId);
    const dests = await tx.select().from(destinations)
      .where(and(eq(destinations.orgId, msg.orgId), inArray(destinations.id, ids), isNull(destinations.archivedAt)));
    const known = decision.destinations.filter((c) => dests.some((d) => d.id === c.destinationId));
    if (known.length === 0) return toTriage([...matchedText, 'the matching rules name no existing destination']);
    const byId = new Map(dests.map((d) => [d.id, d]));
    const ins = await tx.insert(deliveries)
      .values(known.map((c) => ({ orgId: msg.orgId, messageId, destinationId: c.destinationId, reason: 'initial', folderPath: c.folderPath ?? null })))
      .onConflictDoNothing().returning({ id: deliveries.id });
    const names = known.map((c) => {
      const d = byId.get(c.destinationId)!;
      const folder = c.folderPath ?? d.folderPath;
      return d.kind === 'teams_channel' ? `${d.displayName} (Teams)` : `${d.displayName} (${d.mailbox}, ${displayFolderPath(folder)})`;
    });
    await addEvent(tx, msg.orgId, messageId, 'routed', 'system', `${matchedText.join('; ')} → ${names.join(', ')}`, {
      ruleId: decision.matched[0]?.ruleId, why: decision.matched.flatMap((m) => m.why), matched: decision.matched,
      destinationIds: known.map((c) => c.destinationId),
    });
    return { deliveryIds: ins.map((r) => r.id), destinationIds: known.map((c) => c.destinationId), triage: false };
  });
  if (!result) return;
  for (const id of result.deliveryIds) await ctx.jobs.deliverSoon(id);

  let outcome: 'rule' | 'triage' | 'auto' = result.triage ? 'triage' : 'rule';
  try {
    const registry = await registryNames(ctx, msg.orgId);
    if (!result.triage) {
      await ctx.assistant.learn(msg.orgId, input, result.destinationIds, 'rule', registry.ids);
      return;
    }
    const suggestions = await ctx.assistant.suggest(msg.orgId, input, registry.ids, registry.names);
    if (suggestions.length === 0) return;
    const shown = suggestions.map((s) => apiSuggestion(s, registry.names));
    await addEvent(ctx.db, msg.orgId, messageId, 'suggested', 'assistant',
      `The assistant suggests ${shown.map((s) => `${s.destinations.join(' + ')} (${Math.round(s.confidence * 100)} %)`).join(', ')}`,
      { suggestions: shown });
    const threshold = (await getRoutingSettings(ctx.db, msg.orgId)).autoPlaceThreshold;
    const top = suggestions[0];
    if (threshold !== null && top.confidence >= threshold) {
      await placeLetter(ctx, msg.orgId, messageId, top.destinationIds, { kind: 'assistant', confidence: top.confidence, explanation: top.explanation.en });
      outcome = 'auto';
    }
  } catch (e) {
    ctx.log.warn('the assistant step after routing failed; the letter waits in triage', { messageId, error: errorMessage(e) });
  } finally {
    ctx.metrics?.lettersRouted.inc({ outcome }); // once per letter, after the assistant had its turn
  }
}

// Compiled rule sets per organisation, rebuilt when any rule's version (or the set) changes.
const compiled = new Map<string, { key: string; rules: CompiledRules }>();

async function compiledRulesOf(ctx: AppContext, orgId: string): Promise<CompiledRules> {
  // A fingerprint of the rule set (every change bumps a rule's version) and the CVR names (folder
  // templates use them): one short row per letter, the rules themselves only when it changed.
  const fp = await ctx.db.execute(sql`select md5(
      (select coalesce(string_agg(r.id::text || ':' || r.version, ',' order by r.id), '') from rules r where r.org_id = ${orgId} and r.deleted_at is null)
      || '|' || (select coalesce(string_agg(c.cvr || ':' || c.name, ',' order by c.cvr), '') from cvr_numbers c where c.org_id = ${orgId})) as key`);
  const key = String((fp as unknown as { rows: { key: string }[] }).rows[0].key);
  const hit = compiled.get(orgId);
  if (hit?.key === key) return hit.rules;
  const rows = await listRules(ctx.db, orgId);
  const cvrs = await ctx.db.select({ cvr: cvrNumbers.cvr, name: cvrNumbers.name }).from(cvrNumbers).where(eq(cvrNumbers.orgId, orgId));
  const rules: Rule[] = [];
  for (const row of rows) {
    try { rules.push(ruleOf(row)); } catch (e) {
      // A stored rule that no longer parses must not stop the others; admins see it in the log.
      ctx.log.error('a stored rule is invalid and was skipped', { ruleId: row.id, error: errorMessage(e) });
    }
  }
  const c = compileRules(rules, { cvrNames: Object.fromEntries(cvrs.map((x) => [x.cvr, x.name])) });
  compiled.set(orgId, { key, rules: c });
  return c;
}
