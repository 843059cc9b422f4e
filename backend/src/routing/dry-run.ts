// Dry run: what a draft rule set would do to the letters of the last N days, compared with the
// rules in force — before anyone enables it. Nothing is written (document text already extracted
// is reused; missing text is extracted and kept, as routing would). With the edited rule named
// (`draft`), it also counts the letters that rule's conditions hold for and which earlier rules would
// still place them, so "nothing changes" comes with its reason.
import { and, desc, eq, gte, inArray } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context';
import { cvrNumbers, destinations, messages, letterColumns } from '../store/schema';
import { HttpError } from '../api/errors';
import { checkedRule, listRules, ruleContext, ruleOf } from './rules-store';
import { compileRules, decisionKey, orderRules } from './route';
import { routingInputOf } from './input';
import type { RouteDecision, Rule } from './types';
import type { DryRunResponse, RuleInput } from '../../../shared/src/contracts';

const MAX_LETTERS = 5000;
const MAX_CHANGES_SHOWN = 500;

const MAX_PLACED_BY = 20;

export async function dryRun(ctx: AppContext, orgId: string, req: { rules: (RuleInput & { id?: string })[]; days: number; draft?: number }): Promise<DryRunResponse> {
  const rc = await ruleContext(ctx.db, orgId);
  const draft: Rule[] = [];
  const problems: DryRunResponse['problems'] = [];
  for (const input of req.rules) {
    try { draft.push(checkedRule(input, input.id ?? randomUUID(), rc)); } catch (e) {
      // Each problem on its own, not the save's refusal ("… was not saved"): nothing is being saved here.
      if (e instanceof HttpError) {
        const details = e.details.problems ?? [{ code: e.code, ...(e.details.params ? { params: e.details.params } : {}), message: e.message }];
        problems.push({ rule: input.name, problems: details.map((p) => p.message), details });
      } else throw e;
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
  const nameOf = (id: string) => names.get(id) ?? id;
  const view = (d: RouteDecision) => ({
    kind: d.kind,
    destinations: d.kind === 'destinations' ? [...new Set(d.destinations.map((x) => nameOf(x.destinationId)))].sort() : [],
    places: d.kind === 'destinations'
      ? d.destinations.map((x) => ({ destination: nameOf(x.destinationId), folder: x.folderPath ?? null }))
        .sort((a, b) => a.destination.localeCompare(b.destination) || (a.folder ?? '').localeCompare(b.folder ?? ''))
      : [],
    rules: d.matched.map((m) => ruleNames.get(m.ruleId) ?? m.ruleName),
  });
  // As routing compiles them (apply.ts): with the CVR names {cvrName} templates read.
  const cvrNames = Object.fromEntries((await ctx.db.select({ cvr: cvrNumbers.cvr, name: cvrNumbers.name }).from(cvrNumbers)
    .where(eq(cvrNumbers.orgId, orgId))).map((x) => [x.cvr, x.name]));
  const routeCurrent = compileRules(current, { cvrNames });
  const routeDraft = compileRules(draft, { cvrNames });
  // The edited rule alone, to see whether its conditions hold (a disabled rule is reached by nothing: no count).
  const focus = req.draft !== undefined && draft[req.draft]?.enabled ? draft[req.draft] : null;
  const routeFocus = focus && compileRules([{ ...focus, continue: false }], { cvrNames });
  let matching = 0;
  const placedBy = new Map<string, number>();
  let changed = 0; let toTriageBefore = 0; let toTriageAfter = 0;
  const changes: DryRunResponse['changes'] = [];
  const at = new Date(); // one clock for both sides: a letter without a creation time files by now's year in each
  for (const m of letters) {
    const input = await routingInputOf(ctx, m);
    const now = routeCurrent(input, { now: at });
    const then = routeDraft(input, { now: at });
    if (now.kind === 'triage') toTriageBefore++;
    if (then.kind === 'triage') toTriageAfter++;
    if (focus && routeFocus!(input, { now: at }).matched.length > 0) {
      matching++;
      // Not reached: the last rule that matched stopped before it.
      const stopper = then.matched.some((x) => x.ruleId === focus.id) ? undefined : then.matched.at(-1);
      if (stopper) placedBy.set(stopper.ruleId, (placedBy.get(stopper.ruleId) ?? 0) + 1);
    }
    // The destinations with their folders: a template that files the same letters elsewhere is a change.
    if (decisionKey(now) === decisionKey(then)) continue;
    const before = view(now);
    const after = view(then);
    changed++;
    if (changes.length < MAX_CHANGES_SHOWN) {
      changes.push({ messageId: m.id, label: m.label, senderName: m.senderName, receivedAt: m.receivedAt.toISOString(), before, after });
    }
  }
  return {
    letters: letters.length, changed, toTriageBefore, toTriageAfter, changes, problems: [],
    ...(focus ? {
      draft: {
        matching,
        // Most letters first; ties in rule order.
        placedBy: orderRules(draft).filter((r) => placedBy.has(r.id)).map((r) => ({ rule: r.name, letters: placedBy.get(r.id)! }))
          .sort((a, b) => b.letters - a.letters).slice(0, MAX_PLACED_BY),
      },
    } : {}),
  };
}
