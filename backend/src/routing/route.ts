// Pure routing: given a letter's facts and the organisation's rules in priority order, name the
// destinations and say why. No match means the triage queue.
import type { RoutingFacts } from './facts';
import type { Condition } from './conditions';

export interface Rule {
  id: string;
  name: string;
  priority: number;
  enabled: boolean;
  conditions: Condition;
  destinationIds: string[];
}

export type RouteDecision =
  | { kind: 'destinations'; ruleId: string; ruleName: string; destinationIds: string[]; why: string[] }
  | { kind: 'triage'; why: string[] };

export function routeLetter(facts: RoutingFacts, rules: Rule[]): RouteDecision {
  const ordered = [...rules].filter((r) => r.enabled).sort((a, b) => a.priority - b.priority);
  for (const rule of ordered) {
    const why: string[] = [];
    if (evaluate(rule.conditions, facts, why)) {
      if (rule.destinationIds.length === 0) return { kind: 'triage', why: [`rule "${rule.name}" sends to triage`, ...why] };
      return { kind: 'destinations', ruleId: rule.id, ruleName: rule.name, destinationIds: rule.destinationIds, why };
    }
  }
  return { kind: 'triage', why: ['no rule matched'] };
}

/** Evaluates a condition; on success `why` holds the tests that held. */
export function evaluate(c: Condition, f: RoutingFacts, why: string[]): boolean {
  if ('all' in c) {
    const local: string[] = [];
    const ok = c.all.every((x) => evaluate(x, f, local));
    if (ok) why.push(...local);
    return ok;
  }
  if ('any' in c) {
    for (const x of c.any) {
      const local: string[] = [];
      if (evaluate(x, f, local)) { why.push(...local); return true; }
    }
    return false;
  }
  if ('not' in c) {
    const ok = !evaluate(c.not, f, []);
    if (ok) why.push(`not (${describe(c.not)})`);
    return ok;
  }
  const ok = test(c, f);
  if (ok) why.push(describe(c));
  return ok;
}

function test(c: Condition, f: RoutingFacts): boolean {
  if ('always' in c) return true;
  if ('recipientCvr' in c) return f.recipientCvr === c.recipientCvr;
  if ('senderId' in c) return f.senderId === c.senderId;
  if ('labelContains' in c) return f.label.toLocaleLowerCase('da').includes(c.labelContains.toLocaleLowerCase('da'));
  return false;
}

export function describe(c: Condition): string {
  if ('all' in c) return c.all.map(describe).join(' and ');
  if ('any' in c) return c.any.map(describe).join(' or ');
  if ('not' in c) return `not (${describe(c.not)})`;
  if ('always' in c) return 'catch-all';
  if ('recipientCvr' in c) return `recipient CVR is ${c.recipientCvr}`;
  if ('senderId' in c) return `sender is ${c.senderId}`;
  return `subject contains "${c.labelContains}"`;
}
