// Where a rule stands in the priority order, as the editor offers it (first, before rule X, last),
// the priorities that put it there, and the earlier rules that would take all its letters — for the
// edited rule, and for every rule of the list (pure; the check itself is the backend's
// routing/shadow.ts). A new rule is placed, until the admin chooses, before the first rules that
// would otherwise take every letter it could match: it is reached, and the rules above that keep
// deciding what they decided. "Last", the old place, hid new rules behind catch-alls such as the
// demo's "Alt til <CVR>"; "first" would take letters from narrower rules above without anyone
// choosing that.
import { firstShadow, shadowedRules, shadowingRules, type OrderedRule } from '../../../../../backend/src/routing/shadow';
import type { RuleView } from '../../../../../shared/src/contracts';
import type { Condition } from './model';

/** 'first', 'last', or before the rule with that id. */
export type Placement = 'first' | 'last' | `before:${string}`;

const MAX_PRIORITY = 1_000_000;

/** The other rules, in priority order (the edited rule left out). */
export const othersOf = <R extends { id: string }>(ordered: readonly R[], id: string | null): R[] => ordered.filter((r) => r.id !== id);

/** The index in `others` the rule goes before (others.length: at the end). A rule no longer there: the end. */
export function placementIndex(others: readonly { id: string }[], placement: Placement): number {
  if (placement === 'first') return 0;
  if (placement === 'last') return others.length;
  const i = others.findIndex((r) => `before:${r.id}` === placement);
  return i < 0 ? others.length : i;
}

/** The placement for index `i` of `others` (the same one placementIndex reads back). */
export function placementAt(others: readonly { id: string }[], i: number): Placement {
  return i <= 0 && others.length > 0 ? 'first' : i >= others.length ? 'last' : `before:${others[i].id}`;
}

/** The placement that keeps a stored rule where it is. */
export function placementOf(ordered: readonly { id: string }[], id: string): Placement {
  const i = ordered.findIndex((r) => r.id === id);
  return placementAt(othersOf(ordered, id), i < 0 ? ordered.length : i);
}

/**
 * The priority that puts a rule before others[index]: between its neighbours when there is room
 * (no other rule changes), else every rule renumbered 10, 20, … in the new order (`changes`: only
 * the other rules whose priority differs).
 */
export function placePriorities(others: readonly { id: string; priority: number }[], index: number): { priority: number; changes: { id: string; priority: number }[] } {
  const lo = others[index - 1]?.priority;
  const hi = others[index]?.priority;
  let p: number | null;
  if (lo === undefined && hi === undefined) p = 10;
  else if (lo === undefined) p = hi! >= 10 ? hi! - 10 : hi! > 0 ? hi! - 1 : null;
  else if (hi === undefined) p = lo + 10 <= MAX_PRIORITY ? lo + 10 : lo < MAX_PRIORITY ? lo + 1 : null;
  else p = hi - lo >= 2 ? lo + Math.floor((hi - lo) / 2) : null;
  if (p !== null) return { priority: p, changes: [] };
  const changes = others.map((r, i) => ({ id: r.id, priority: (i < index ? i + 1 : i + 2) * 10 }))
    .filter((c, i) => c.priority !== others[i].priority);
  return { priority: (index + 1) * 10, changes };
}

const ordered = (r: RuleView): OrderedRule => ({ id: r.id, name: r.name, enabled: r.enabled, continue: r.continue, conditions: r.conditions as Condition });

/** The enabled rules without "continue" before others[index] that together take every letter the rule could match (empty: none shown). */
export function shadowedBy(conditions: Condition, others: readonly RuleView[], index: number, orgCvrs: readonly string[]): RuleView[] {
  const ids = new Set(shadowingRules(conditions, others.slice(0, index).map(ordered), { orgCvrs }).map((r) => r.id));
  return others.filter((r) => ids.has(r.id));
}

/** Where a new rule goes until the admin chooses: before the first rules that would shadow it, else last (see above). */
export function suggestedPlacement(conditions: Condition, others: readonly RuleView[], orgCvrs: readonly string[]): Placement {
  const shadow = firstShadow(conditions, others.map(ordered), { orgCvrs });
  return shadow ? placementAt(others, others.findIndex((r) => r.id === shadow.rules[0].id)) : 'last';
}

/** Why a listed rule never applies: the earlier rules that take its letters, and the one to move it before. */
export interface ListShadow {
  by: RuleView[];
  before: RuleView;
}

/** Every enabled rule of `rules` (priority order) that earlier rules shadow, by id (shadow.ts's shadowedRules). */
export function listShadows(rules: readonly RuleView[], orgCvrs: readonly string[]): Map<string, ListShadow> {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const out = new Map<string, ListShadow>();
  for (const [id, s] of shadowedRules(rules.map(ordered), { orgCvrs })) {
    out.set(id, { by: s.by.map((r) => byId.get(r.id)!), before: byId.get(s.before.id)! });
  }
  return out;
}

/** The priorities that move stored rule `id` to just before rule `beforeId`: its own, and others' when there is no room. */
export function moveBeforePriorities(rules: readonly RuleView[], id: string, beforeId: string): { priority: number; changes: { id: string; priority: number }[] } {
  const others = othersOf(rules, id);
  return placePriorities(others, placementIndex(others, `before:${beforeId}`));
}
