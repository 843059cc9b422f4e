// The triage queue: an organisation's letters no rule placed, oldest deadline first, each with why
// it is there and the assistant's top suggestions.
import { and, asc, count, desc, eq, isNull, sql } from 'drizzle-orm';
import type { AppContext } from '../context';
import { cvrNumbers, destinations, documents, events, messages, letterColumns } from '../store/schema';
import { routingInputOf } from '../routing/input';
import { summary } from '../store/read';
import { routingExplanationSchema, type RoutingExplanation, type Suggestion as ApiSuggestion, type TriageList } from '../../../shared/src/contracts';
import { offeredSuggestions, type Suggestion } from '../assistant/model';
import { errorMessage } from '../log';
import { mayUseDestination, visibleLetters, type Scope } from '../store/scope';

/** The organisation's destinations that may be chosen (not archived), by name: ids, names, and what routing's timeline shows. */
export async function registryNames(ctx: AppContext, orgId: string) {
  // Not the sealed webhooks and check details of listDestinations. Routing caches this per routing
  // version (routing/apply.ts), so it is read when the registry changed, not per letter.
  const rows = await ctx.db.select({ id: destinations.id, displayName: destinations.displayName, kind: destinations.kind, mailbox: destinations.mailbox, folderPath: destinations.folderPath })
    .from(destinations).where(and(eq(destinations.orgId, orgId), isNull(destinations.archivedAt))).orderBy(asc(destinations.displayName));
  return { ids: rows.map((r) => r.id), names: new Map(rows.map((r) => [r.id, r.displayName])), byId: new Map(rows.map((r) => [r.id, r])) };
}

/** The triage event's explanation when it has one (letters routed before it was stored have only `why`). */
function explanationOf(data: unknown): RoutingExplanation | undefined {
  const r = routingExplanationSchema.safeParse((data as { explanation?: unknown } | undefined)?.explanation);
  return r.success ? r.data : undefined;
}

export function apiSuggestion(s: Suggestion, names: Map<string, string>): ApiSuggestion {
  return {
    destinationIds: s.destinationIds, destinations: s.destinationIds.map((id) => names.get(id) ?? id),
    confidence: Math.max(0, Math.min(1, s.confidence)), explanation: s.explanation,
  };
}

/** The triage letters the scope may see; suggestions only name destinations it may choose. */
export async function listTriage(ctx: AppContext, scope: Scope, q: { limit: number; offset: number }): Promise<TriageList> {
  const { orgId } = scope;
  const where = and(visibleLetters(scope), eq(messages.status, 'triage'));
  const [{ total }] = await ctx.db.select({ total: count() }).from(messages).where(where);
  const rows = await ctx.db.select({ m: letterColumns, cvrName: cvrNumbers.name }).from(messages)
    .leftJoin(cvrNumbers, and(eq(cvrNumbers.orgId, messages.orgId), eq(cvrNumbers.cvr, messages.cvr)))
    .where(where).orderBy(sql`${messages.replyBy} asc nulls last`, asc(messages.receivedAt)).limit(q.limit).offset(q.offset);
  const all = await registryNames(ctx, orgId);
  const registry = { ids: all.ids.filter((id) => mayUseDestination(scope, id)), names: all.names };
  const items: TriageList['items'] = [];
  for (const { m, cvrName } of rows) {
    const [ev] = await ctx.db.select({ data: events.data }).from(events)
      .where(and(eq(events.messageId, m.id), eq(events.type, 'triage'))).orderBy(desc(events.at)).limit(1);
    const [{ n }] = await ctx.db.select({ n: count() }).from(documents).where(eq(documents.messageId, m.id));
    let suggestions: ApiSuggestion[] = [];
    try {
      suggestions = offeredSuggestions(await ctx.assistant.suggest(orgId, await routingInputOf(ctx, m), registry.ids, registry.names)).map((s) => apiSuggestion(s, registry.names));
    } catch (e) {
      ctx.log.warn('no suggestions for a triage letter', { messageId: m.id, error: errorMessage(e) });
    }
    items.push({
      message: summary(m, cvrName, Number(n)),
      why: ((ev?.data as { why?: string[] } | undefined)?.why) ?? [],
      ...(explanationOf(ev?.data) ? { explanation: explanationOf(ev?.data) } : {}),
      suggestions,
    });
  }
  return { items, total: Number(total) };
}
