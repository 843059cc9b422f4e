// Shadowed rules: earlier rules that take every letter a rule could match, so the rule never applies
// where it stands (the first matching rule decides unless it continues; route.ts). Pure, and judged
// from the conditions' form only, like validate.ts's "can never match": it names shadowing it can
// show — a catch-all, a test the rule itself asks for, or one rule per value of a field each letter
// has exactly one value of (the demo's "Alt til <CVR>" rules, one per company) — and is silent when
// it cannot tell. The task pane imports it (recheck, behind validate.ts, is tree-shaken away there):
// the editor warns while a rule is placed, and the rules list marks every rule that never applies.
import { PROVIDERS, type Condition } from './conditions';
import { canonical, tautology, unsatisfiable } from './validate';

export interface OrderedRule {
  id: string;
  name: string;
  enabled: boolean;
  continue: boolean;
  conditions: Condition;
}

export interface ShadowOptions {
  /**
   * The organisation's CVR numbers. Letters only arrive for them (mailboxes belong to them), so
   * rules that each take one CVR's letters together take every letter; empty: not used.
   */
  orgCvrs: readonly string[];
}

/** Whether every letter that meets `c` meets `e` too (false when the form does not show it). */
export function implies(c: Condition, e: Condition): boolean {
  if (tautology(e)) return true;
  if ('any' in c) return c.any.every((x) => implies(x, e));
  if ('all' in e) return e.all.every((x) => implies(c, x));
  if ('any' in e && e.any.some((x) => implies(c, x))) return true;
  if ('all' in c) return c.all.some((x) => implies(x, e));
  return canonical(c) === canonical(e);
}

/** Fields each letter has exactly one value of, with every value it can have. */
function partitions(opts: ShadowOptions): { values: Condition[] }[] {
  return [
    { values: opts.orgCvrs.map((cvr): Condition => ({ recipientCvr: cvr })) },
    { values: PROVIDERS.map((provider): Condition => ({ provider })) },
    { values: [{ replyRequired: true }, { replyRequired: false }] },
    { values: [{ cprPresent: true }, { cprPresent: false }] },
  ].filter((p) => p.values.length > 0);
}

/**
 * The rules among `earlier` (in order) that together take every letter a rule with `conditions`
 * could match: one enabled rule without "continue" whose conditions follow from the rule's, or, per
 * value of a partitioning field, such a rule for the letters with that value. Empty: none shown.
 */
export function shadowingRules(conditions: Condition, earlier: readonly OrderedRule[], opts: ShadowOptions): OrderedRule[] {
  const stoppers = earlier.filter((r) => r.enabled && !r.continue);
  if (stoppers.length === 0) return [];
  const one = stoppers.find((r) => implies(conditions, r.conditions));
  if (one) return [one];
  for (const p of partitions(opts)) {
    const taking = new Set<OrderedRule>();
    const covered = p.values.every((v) => {
      const narrowed: Condition = { all: [conditions, v] };
      // A value the rule itself rules out (another CVR than the one it asks for) needs no rule.
      if (unsatisfiable(narrowed)) return true;
      const r = stoppers.find((s) => implies(narrowed, s.conditions));
      if (r) taking.add(r);
      return r !== undefined;
    });
    if (covered && taking.size > 0) return stoppers.filter((s) => taking.has(s));
  }
  return [];
}

/**
 * The first stretch of `ordered` that shadows a rule with `conditions`, and the rules in it that
 * do: the rule is reached only when it stands before `rules[0]`. Null: no place in the list
 * shadows it (shadowing only grows with more rules before it, so the shortest stretch is searched).
 */
export function firstShadow(conditions: Condition, ordered: readonly OrderedRule[], opts: ShadowOptions): { end: number; rules: OrderedRule[] } | null {
  if (shadowingRules(conditions, ordered, opts).length === 0) return null;
  let lo = 0; // ordered[0..lo) does not shadow
  let hi = ordered.length; // ordered[0..hi) does
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (shadowingRules(conditions, ordered.slice(0, mid), opts).length > 0) hi = mid; else lo = mid;
  }
  return { end: hi, rules: shadowingRules(conditions, ordered.slice(0, hi), opts) };
}

/** Why a rule never applies where it stands: the earlier rules that take its letters, and the one to put it before. */
export interface RuleShadow {
  /** The earlier rules (in order) that together take every letter the rule could match. */
  by: OrderedRule[];
  /** The first of them: placed just before it the rule is reached, passing no more rules than needed. */
  before: OrderedRule;
}

/**
 * Every enabled rule of `ordered` (priority order) that earlier rules shadow, by id. Disabled rules
 * are left out: they apply nowhere anyway, and an admin may have parked one on purpose.
 */
export function shadowedRules(ordered: readonly OrderedRule[], opts: ShadowOptions): Map<string, RuleShadow> {
  const out = new Map<string, RuleShadow>();
  ordered.forEach((r, i) => {
    if (!r.enabled) return;
    const s = firstShadow(r.conditions, ordered.slice(0, i), opts);
    if (s) out.set(r.id, { by: s.rules, before: s.rules[0] });
  });
  return out;
}
