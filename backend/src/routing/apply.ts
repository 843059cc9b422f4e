// Routes one stored letter: gathers its facts and documents' text and the organisation's rules,
// decides (pure, route.ts), and records the decision — deliveries, or the triage queue — with every
// rule that matched and why, in one statement. Running it twice creates nothing twice. Rule
// deliveries teach the assistant; a letter left in triage gets its suggestions, and is placed by
// the assistant when it is at least as sure as the admin asked.
import { eq, sql } from 'drizzle-orm';
import type { AppContext } from '../context';
import { cvrNumbers, messages, letterColumns, organisations, routeQueue } from '../store/schema';
import { addEvent } from '../store/letters';
import { displayFolderPath } from '../delivery/mailbox';
import { compileRules, type CompiledRules } from './route';
import { listRules, ruleOf } from './rules-store';
import { routingInputOf } from './input';
import { getRoutingSettings } from './settings';
import type { Rule } from './types';
import { apiSuggestion, registryNames } from '../triage/queue';
import { placeLetter } from '../triage/place';
import { AUTO_PLACE_MIN_OUTCOMES, autoPlaceRefusal, offeredSuggestions, percent } from '../assistant/model';
import { explanationAtRest } from '../assistant/explain';
import { errorMessage } from '../log';
import { purgeReasonOf, settleUndelivered } from '../retention/not-delivered';
import { prepared, preparedSql, rowsOf } from '../store/prepared';
import type { RoutingExplanation } from '../../../shared/src/contracts';

/** Which of autoPlaceRefusal's reasons held back a confident suggestion (the timeline says it in the reader's language). */
function refusalCode(top: { basis?: { specific?: string | null; outcomes: number } }): { code: string; params?: Record<string, number> } {
  if (!top.basis?.specific) return { code: 'nothing_specific' };
  return { code: 'too_few_placements', params: { outcomes: Math.round(top.basis.outcomes), needed: AUTO_PLACE_MIN_OUTCOMES } };
}

export async function routeStoredLetter(ctx: AppContext, messageId: string): Promise<void> {
  // The letter and its organisation's routing version (rules, CVR names, registry: see routingOf).
  const [row] = await prepared(ctx.db, 'route_letter', (db) => db.select({ msg: letterColumns, routingVersion: organisations.routingVersion })
    .from(messages).innerJoin(organisations, eq(organisations.id, messages.orgId))
    .where(eq(messages.id, sql.placeholder('id'))).prepare('route_letter')).execute({ id: messageId });
  if (!row) return; // deleted meanwhile
  const { msg } = row;
  if (msg.purgedAt) {
    // Its content is gone: nothing to route or deliver (an empty mail helps no one). The purge settles
    // this itself; here for a router that claimed the letter before it, or a letter an earlier version
    // purged while it waited (retention/not-delivered.ts).
    await ctx.db.transaction((tx) => settleUndelivered(tx, msg.orgId, [messageId], purgeReasonOf(msg.routingFacts)));
    return;
  }
  if (msg.status !== 'received') {
    // Already routed: its deliveries carry their own schedule (due_at). A queue row left over would be
    // claimed again and again, so it goes.
    await ctx.db.delete(routeQueue).where(eq(routeQueue.messageId, messageId));
    return;
  }
  const input = await routingInputOf(ctx, msg);
  // The registry: the decision's destinations are checked against it, and the assistant reads its ids and names below.
  const { rules: compiledRules, registry } = await routingOf(ctx, msg.orgId, Number(row.routingVersion));
  const decision = compiledRules(input);
  const matchedText = decision.matched.map((m) => `rule "${m.ruleName}" matched (${m.why.join('; ') || 'always'})`);

  const known = decision.kind === 'triage' ? [] : decision.destinations.filter((c) => registry.byId.has(c.destinationId));
  const triageWhy = decision.kind === 'triage' ? [...matchedText, ...decision.why]
    : known.length === 0 ? [...matchedText, 'the matching rules name no existing destination'] : null;
  const names = known.map((c) => {
    const d = registry.byId.get(c.destinationId)!;
    const folder = c.folderPath ?? d.folderPath;
    return d.kind === 'teams_channel' ? `${d.displayName} (Teams)` : `${d.displayName} (${d.mailbox}, ${displayFolderPath(folder)})`;
  });
  // The same, as data the task pane says in the reader's language (shared routingExplanationSchema).
  const explanation: RoutingExplanation = {
    outcome: decision.kind === 'triage'
      ? (decision.cause && decision.cause.code !== 'no_rule_matched' ? { code: decision.cause.code, params: { rule: decision.cause.rule } } : { code: 'no_rule_matched' })
      : known.length === 0 ? { code: 'no_existing_destination' } : { code: 'routed' },
    matched: decision.matched.map((m) => ({ rule: m.ruleName, held: m.held ?? [] })),
  };
  const places = known.map((c) => {
    const d = registry.byId.get(c.destinationId)!;
    return { name: d.displayName, kind: d.kind, mailbox: d.mailbox, folder: d.kind === 'teams_channel' ? null : displayFolderPath(c.folderPath ?? d.folderPath) };
  });
  const event = triageWhy
    ? { type: 'triage', text: `Waiting in triage: ${triageWhy.join('; ')}`, data: { why: triageWhy, matched: decision.matched, explanation } }
    : { type: 'routed', text: `${matchedText.join('; ')} → ${names.join(', ')}`, data: {
      ruleId: decision.matched[0]?.ruleId, why: decision.matched.flatMap((m) => m.why), matched: decision.matched,
      destinationIds: known.map((c) => c.destinationId), explanation, places,
    } };
  const claimed = await recordDecision(ctx.db, messageId, triageWhy ? 'triage' : 'routed',
    known.map((c) => ({ d: c.destinationId, f: c.folderPath ?? null })), event);
  if (!claimed) return; // another attempt routed it first
  const result = { deliveryIds: claimed.deliveryIds, destinationIds: known.map((c) => c.destinationId), triage: !!triageWhy };
  for (const id of result.deliveryIds) await ctx.jobs.deliverSoon(id);

  let outcome: 'rule' | 'triage' | 'auto' = result.triage ? 'triage' : 'rule';
  try {
    if (!result.triage) {
      await ctx.assistant.learn(msg.orgId, input, result.destinationIds, 'rule', registry.ids);
      return;
    }
    const suggestions = await ctx.assistant.suggest(msg.orgId, input, registry.ids, registry.names);
    // None worth offering: none to note either; such a first suggestion is far below any threshold (≥ 0.5).
    const offered = offeredSuggestions(suggestions);
    if (offered.length === 0) return;
    // The timeline is in clear: its sentences do not name a word of the sealed documents' text.
    const shown = offered.map((s) => ({ ...apiSuggestion(s, registry.names), explanation: explanationAtRest(s, registry.names) }));
    const threshold = (await getRoutingSettings(ctx.db, msg.orgId)).autoPlaceThreshold;
    const top = suggestions[0];
    // Confident is not enough: the confidence must rest on people's placements and on something of
    // this letter's own (autoPlaceRefusal); otherwise it waits for a person, who is told why.
    const refusal = threshold === null ? null : autoPlaceRefusal(top, threshold);
    const held = threshold !== null && top.confidence >= threshold && refusal !== null;
    await addEvent(ctx.db, msg.orgId, messageId, 'suggested', 'assistant',
      `The assistant suggests ${shown.map((s) => `${s.destinations.join(' + ')} (${percent(s.confidence)})`).join(', ')}` +
      (held ? `; not placed automatically: ${refusal}` : ''),
      { suggestions: shown, ...(held ? { notAutoPlaced: refusal, notAutoPlacedCode: refusalCode(top) } : {}) });
    if (threshold !== null && refusal === null) {
      await placeLetter(ctx, msg.orgId, messageId, top.destinationIds, { kind: 'assistant', confidence: top.confidence, explanation: shown[0].explanation.en, explanationDa: shown[0].explanation.da });
      outcome = 'auto';
    }
  } catch (e) {
    ctx.log.warn('the assistant step after routing failed; the letter waits in triage', { messageId, error: errorMessage(e) });
  } finally {
    ctx.metrics?.lettersRouted.inc({ outcome }); // once per letter, after the assistant had its turn
  }
}

/**
 * The decision in one statement: claim the letter ('received' → routed/triage; a second attempt finds
 * nothing to claim; nor a letter purged meanwhile), take it off the route queue, make its initial
 * deliveries (unique per destination) and put the decision on its timeline. Atomic without a
 * transaction; a crash before it leaves the letter queued. Returns null when the letter was not
 * 'received' (and unpurged) any more.
 */
async function recordDecision(db: AppContext['db'], messageId: string, status: 'routed' | 'triage',
  targets: { d: string; f: string | null }[], event: { type: string; text: string; data: Record<string, unknown> }): Promise<{ deliveryIds: string[] } | null> {
  const statement = preparedSql(db, 'route_record_decision', () => sql`WITH dequeued AS (DELETE FROM route_queue WHERE message_id = ${sql.placeholder('id')}),
    claimed AS (UPDATE messages SET status = ${sql.placeholder('status')} WHERE id = ${sql.placeholder('id')} AND status = 'received' AND purged_at IS NULL RETURNING id, org_id),
    made AS (
      INSERT INTO deliveries (org_id, message_id, destination_id, reason, folder_path)
      SELECT c.org_id, c.id, t.d, 'initial', t.f FROM claimed c, json_to_recordset(${sql.placeholder('targets')}::json) AS t(d uuid, f text)
      ON CONFLICT DO NOTHING RETURNING id),
    noted AS (
      INSERT INTO events (org_id, message_id, type, actor, text, data)
      SELECT c.org_id, c.id, ${sql.placeholder('type')}, 'system', ${sql.placeholder('text')}, ${sql.placeholder('data')}::jsonb FROM claimed c)
    SELECT (SELECT count(*) FROM claimed)::int AS claimed, coalesce((SELECT json_agg(id) FROM made), '[]'::json) AS ids`);
  const r = await statement.execute({
    id: messageId, status, targets: JSON.stringify(targets), type: event.type, text: event.text, data: JSON.stringify(event.data),
  });
  const [row] = rowsOf<{ claimed: number; ids: string[] | string }>(r);
  if (!row || Number(row.claimed) === 0) return null;
  const ids = typeof row.ids === 'string' ? JSON.parse(row.ids) as string[] : row.ids;
  return { deliveryIds: ids };
}

// What routing reads besides the letter, per database and organisation: the compiled rule set (with the
// CVR names its folder templates use) and the registry, kept under the organisation's routing_version.
// Triggers bump that number in the same transaction as any change of rules, CVR numbers or destinations
// (migration 0016), so one number read with the letter tells whether they are still current. Keyed by
// the database handle too: versions of two databases (tests run many) say nothing about each other.
type Registry = Awaited<ReturnType<typeof registryNames>>;
interface RoutingState { version: number; rules: CompiledRules; registry: Registry }
const routingStates = new WeakMap<object, Map<string, RoutingState>>();

async function routingOf(ctx: AppContext, orgId: string, version: number): Promise<RoutingState> {
  let byOrg = routingStates.get(ctx.db);
  if (!byOrg) routingStates.set(ctx.db, (byOrg = new Map()));
  const hit = byOrg.get(orgId);
  if (hit?.version === version) return hit;
  // Read after the version: a change committed meanwhile is read now and cached under the older
  // number, so the next letter (seeing the newer one) reads again; never the other way round.
  const rows = await listRules(ctx.db, orgId);
  const cvrs = await ctx.db.select({ cvr: cvrNumbers.cvr, name: cvrNumbers.name }).from(cvrNumbers).where(eq(cvrNumbers.orgId, orgId));
  const registry = await registryNames(ctx, orgId);
  const rules: Rule[] = [];
  for (const r of rows) {
    try { rules.push(ruleOf(r)); } catch (e) {
      // A stored rule that no longer parses must not stop the others; admins see it in the log.
      ctx.log.error('a stored rule is invalid and was skipped', { ruleId: r.id, error: errorMessage(e) });
    }
  }
  const state = { version, rules: compileRules(rules, { cvrNames: Object.fromEntries(cvrs.map((x) => [x.cvr, x.name])) }), registry };
  byOrg.set(orgId, state);
  return state;
}
