// Dry run: what a draft rule set would do to the letters of the last N days, compared with the
// rules in force — before anyone enables it. Nothing is written (document text already extracted
// is reused; missing text is extracted and kept, as routing would).
import { and, desc, eq, gte, inArray } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context';
import { destinations, messages, letterColumns } from '../store/schema';
import { HttpError } from '../api/errors';
import { checkedRule, listRules, ruleContext, ruleOf } from './rules-store';
import { compileRules } from './route';
import { routingInputOf } from './input';
import type { RouteDecision, Rule } from './types';
import type { DryRunResponse, RuleInput } from '../../../shared/src/contracts';

const MAX_LETTERS = 5000;
const MAX_CHANGES_SHOWN = 500;

export async function dryRun(ctx: AppContext, orgId: string, req: { rules: (RuleInput & { id?: string })[]; days: number }): Promise<DryRunResponse> {
  const rc = await ruleContext(ctx.db, orgId);
  const draft: Rule[] = [];
  const problems: DryRunResponse['problems'] = [];
  for (const input of req.rules) {
    try { draft.push(checkedRule(input, input.id ?? randomUUID(), rc)); } catch (e) {
      if (e instanceof HttpError) problems.push({ rule: input.name, problems: [e.message] }); else throw e;
    }
  }
  if (problems.length) return { letters: 0, changed: 0, toTriageBefore: 0, toTriageAfter: 0, changes: [], problems };

  const current = (await listRules(ctx.db, orgId)).flatMap((r) => { try { return [ruleOf(r)]; } catch { return []; } });
  const since = new Date(Date.now() - req.days * 86_400_000);
  const letters = await ctx.db.select(letterColumns).from(messages)
    .where(and(eq(messages.orgId, orgId), gte(messages.receivedAt, since))).orderBy(desc(messages.receivedAt)).limit(MAX_LETTERS);
  const names = new Map((await ctx.db.select({ id: destinations.id, n: destinations.displayName }).from(destinations)
    .where(and(eq(destinations.orgId, orgId), inArray(destinations.id, [...rc.destinationIds, ...draft.flatMap((r) => r.action.kind === 'destinations' ? r.action.destinationIds : [])]))))
    .map((d) => [d.id, d.n]));
  const ruleNames = new Map([...current, ...draft].map((r) => [r.id, r.name]));
  const view = (d: RouteDecision) => ({
    kind: d.kind,
    destinations: d.kind === 'destinations' ? [...new Set(d.destinations.map((x) => names.get(x.destinationId) ?? x.destinationId))].sort() : [],
    rules: d.matched.map((m) => ruleNames.get(m.ruleId) ?? m.ruleName),
  });
  const routeCurrent = compileRules(current);
  const routeDraft = compileRules(draft);
  let changed = 0; let toTriageBefore = 0; let toTriageAfter = 0;
  const changes: DryRunResponse['changes'] = [];
  for (const m of letters) {
    const input = await routingInputOf(ctx, m);
    const before = view(routeCurrent(input));
    const after = view(routeDraft(input));
    if (before.kind === 'triage') toTriageBefore++;
    if (after.kind === 'triage') toTriageAfter++;
    if (before.kind === after.kind && before.destinations.join('\u0000') === after.destinations.join('\u0000')) continue;
    changed++;
    if (changes.length < MAX_CHANGES_SHOWN) {
      changes.push({ messageId: m.id, label: m.label, senderName: m.senderName, receivedAt: m.receivedAt.toISOString(), before, after });
    }
  }
  return { letters: letters.length, changed, toTriageBefore, toTriageAfter, changes, problems: [] };
}
