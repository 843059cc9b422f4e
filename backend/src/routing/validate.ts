// What is wrong with a rule before it is saved, as sentences a person can act on (empty: nothing).
// Refused: destinations that do not exist or were deleted, a destinations rule with none, a folder
// template with problems, a regular expression that is invalid or can backtrack catastrophically
// (text-match.ts explains the time bound), a recipient CVR the organisation does not have, and
// conditions that can never hold together (two senders at once, X and not X, not catch-all, ...).
// Pure apart from regexSafety, which asks recheck and times the worst case once per pattern.
import type { Condition, TextField } from './conditions';
import type { Rule } from './types';
import { describeCondition, showRegex } from './describe';
import { templateProblemList } from './templates';
import { TEXT_LIMITS, foldPhrase, regexSafety, wordsOf } from './text-match';
import { maskCpr } from '../../../shared/src/identifiers';
import type { Problem } from '../../../shared/src/contracts';

export interface RuleValidationContext {
  /** The organisation's CVR numbers. */
  orgCvrs: string[];
  /** Destinations that exist and are not archived. */
  destinationIds: Set<string>;
  /** Names of the organisation's destinations, archived ones too: problems name a destination, not its id. */
  destinationNames?: Map<string, string>;
}

/** A rule as entered: the id, priority and flags do not matter to validateRule. */
export type RuleLike = Pick<Rule, 'name' | 'conditions' | 'action'> & Partial<Pick<Rule, 'id' | 'priority' | 'enabled' | 'continue'>>;

/** The longest text a regex on this field is run on. */
export function regexInputLimit(field: TextField): number {
  switch (field) {
    case 'label': return TEXT_LIMITS.label;
    case 'notification': return TEXT_LIMITS.notification;
    case 'subject+notification': return TEXT_LIMITS.label + 1 + TEXT_LIMITS.notification;
    case 'documents': return TEXT_LIMITS.documents;
    case 'all': return TEXT_LIMITS.label + TEXT_LIMITS.notification + TEXT_LIMITS.documents + 2;
  }
}
const DOCUMENT_NAME_LIMIT = 255;

export function validateRule(rule: RuleLike, ctx: RuleValidationContext): string[] {
  return ruleProblems(rule, ctx).map((p) => p.message);
}

/** validateRule's problems, each with its code and values (shared Problem), for the task pane to translate. */
export function ruleProblems(rule: RuleLike, ctx: RuleValidationContext): Problem[] {
  const problems: Problem[] = [];
  const add = (code: string, params: Problem['params'], message: string) => {
    if (!problems.some((p) => p.message === message)) problems.push({ code, ...(params ? { params } : {}), message });
  };
  const nameOf = (id: string) => ctx.destinationNames?.get(id);
  const shownDestination = (id: string) => { const n = nameOf(id); return n ? `"${n}"` : id; };

  // The action.
  const a = rule.action;
  if (a.kind === 'destinations') {
    if (a.destinationIds.length === 0) add('rule_no_destination', undefined, 'The rule sends letters to no destination: choose at least one destination, or send them to triage instead.');
    const seen = new Set<string>();
    for (const id of a.destinationIds) {
      if (seen.has(id)) { add('destination_twice', { destination: nameOf(id) ?? id }, `Destination ${shownDestination(id)} is chosen twice; choose it once.`); continue; }
      seen.add(id);
      if (!ctx.destinationIds.has(id)) {
        add(nameOf(id) ? 'destination_deleted' : 'destination_unknown', { destination: nameOf(id) ?? id },
          `Destination ${shownDestination(id)} does not exist or has been deleted; choose another destination from the registry.`);
      }
    }
    if (a.folderTemplate !== undefined) for (const p of templateProblemList(a.folderTemplate)) add(p.code, p.params, p.message);
  }

  // Each test on its own.
  walkConditions(rule.conditions, (c) => {
    // Persons' sender ids are stored masked (store/letters.ts): a full CPR number never matches, and
    // would sit in clear in the rule. The message shows it masked too.
    if ('senderId' in c && maskCpr(c.senderId) !== c.senderId) {
      add('sender_cpr', { masked: maskCpr(c.senderId) }, `A sender test names a person's CPR number (${maskCpr(c.senderId)}). Brevdue keeps persons' sender ids only as DDMMYY-XXXX, so it could never match one person: test for "${maskCpr(c.senderId)}" (everyone born that day) or for the sender's name instead.`);
    }
    if ('recipientCvr' in c && !ctx.orgCvrs.includes(c.recipientCvr)) {
      add('recipient_cvr_unknown', { cvr: c.recipientCvr, cvrs: ctx.orgCvrs.join(', ') }, `Recipient CVR ${c.recipientCvr} is not one of the organisation's CVR numbers (${ctx.orgCvrs.join(', ') || 'none yet'}), so that test can never hold; choose one of them.`);
    }
    if ('text' in c) {
      const t = c.text;
      const given = [t.words, t.phrase, t.regex].filter((x) => x !== undefined).length;
      if (given !== 1) add('text_test_kinds', undefined, 'A text test needs exactly one of words, a phrase or a regular expression.');
      if (t.words && (t.words.length === 0 || t.words.some((w) => wordsOf(w).length === 0))) {
        add('text_words_empty', { field: t.field }, `The word list of a text test on ${t.field} is empty or has a word without letters or digits; name at least one real word.`);
      }
      if (t.phrase !== undefined && foldPhrase(t.phrase) === '') add('phrase_empty', undefined, 'A phrase is empty; write the text to look for.');
      if (t.regex) {
        const s = regexSafety(t.regex.pattern, t.regex.flags ?? '', regexInputLimit(t.field));
        if (!s.ok) add(s.code ?? 'regex_unsafe', s.params, s.problem!);
      }
    }
    if ('documentName' in c && 'regex' in c.documentName) {
      const r = c.documentName.regex;
      const s = regexSafety(r.pattern, r.flags ?? '', DOCUMENT_NAME_LIMIT);
      if (!s.ok) add(s.code ?? 'regex_unsafe', s.params, s.problem!);
    }
  });

  // Conditions that can never hold together.
  const never = unsatisfiable(rule.conditions);
  if (never) add('never_matches', { reason: never }, `The rule can never match: ${never}. Change or remove one of those conditions.`);
  return problems;
}

/** Calls f on every condition of the tree, the root first. */
export function walkConditions(c: Condition, f: (c: Condition) => void): void {
  f(c);
  if ('all' in c) c.all.forEach((x) => walkConditions(x, f));
  else if ('any' in c) c.any.forEach((x) => walkConditions(x, f));
  else if ('not' in c) walkConditions(c.not, f);
}

/** Whether a condition holds for every letter (so far as can be seen from its form). */
export function tautology(c: Condition): boolean {
  if ('always' in c) return true;
  if ('all' in c) return c.all.every(tautology);
  if ('any' in c) {
    if (c.any.some(tautology)) return true;
    // X or not X
    const keys = c.any.map(canonical);
    return c.any.some((x) => 'not' in x && keys.includes(canonical(x.not)));
  }
  if ('not' in c) return unsatisfiable(c.not) !== null;
  return false;
}

const SINGLE_VALUED: Record<string, string> = {
  senderId: 'sender', recipientCvr: 'recipient CVR', provider: 'provider', replyRequired: 'reply', cprPresent: 'CPR',
};

/** Why a condition can never hold, or null when it may. */
export function unsatisfiable(c: Condition): string | null {
  if ('not' in c) return tautology(c.not) ? `"not (${describeCondition(c.not)})" never holds, since ${describeCondition(c.not)} always does` : null;
  if ('any' in c) {
    const reasons = c.any.map(unsatisfiable);
    return reasons.every((r) => r !== null) ? `none of the alternatives can hold (${reasons[0]})` : null;
  }
  if ('text' in c && c.text.words && c.text.words.length === 0) return 'a word list is empty';
  if (!('all' in c)) return null;
  for (const k of c.all) {
    const r = unsatisfiable(k);
    if (r) return r;
  }
  const flat = flattenAll(c);
  // Two values of a field a letter has one of.
  const seen = new Map<string, Condition>();
  for (const k of flat) {
    const key = Object.keys(k)[0];
    const single = key in SINGLE_VALUED || (key === 'senderName' && 'equals' in (k as { senderName: object }).senderName);
    if (!single) continue;
    const slot = key === 'senderName' ? 'senderName.equals' : key;
    const prev = seen.get(slot);
    if (prev && canonical(prev) !== canonical(k)) {
      const both = `it asks that ${describeCondition(prev)} and that ${describeCondition(k)}`;
      if (key === 'replyRequired' || key === 'cprPresent') return `${both}, which cannot both be true`;
      return `${both}, and a letter has only one ${key === 'senderName' ? 'sender name' : SINGLE_VALUED[key]}`;
    }
    seen.set(slot, k);
  }
  // X and not X.
  const positives = new Map(flat.filter((k) => !('not' in k)).map((k) => [canonical(k), k] as const));
  for (const k of flat) {
    if (!('not' in k)) continue;
    const x = positives.get(canonical(k.not));
    if (x) return `it asks both that ${describeCondition(x)} and that not (${describeCondition(k.not)})`;
  }
  return null;
}

function flattenAll(c: Condition): Condition[] {
  return 'all' in c ? c.all.flatMap(flattenAll) : [c];
}

/** A key equal for conditions that mean the same (legacy forms, case and spacing of text, order of words). */
export function canonical(c: Condition): string {
  return JSON.stringify(normal(c));
}

function normal(c: Condition): unknown {
  if ('all' in c) return { all: c.all.map(normal) };
  if ('any' in c) return { any: c.any.map(normal) };
  if ('not' in c) return { not: normal(c.not) };
  if ('labelContains' in c) return { text: { field: 'label', phrase: foldPhrase(c.labelContains) } };
  if ('text' in c) {
    const t = c.text;
    if (t.words) return { text: { field: t.field, words: [...new Set(t.words.flatMap((w) => wordsOf(w).join(' ')))].sort() } };
    if (t.phrase !== undefined) return { text: { field: t.field, phrase: foldPhrase(t.phrase) } };
    return { text: { field: t.field, regex: showRegex(t.regex!) } };
  }
  if ('senderName' in c) {
    return { senderName: 'equals' in c.senderName ? { equals: foldPhrase(c.senderName.equals) } : { contains: foldPhrase(c.senderName.contains) } };
  }
  if ('attention' in c) {
    const a = c.attention;
    return { attention: { field: a.field, ...(a.equals !== undefined ? { equals: foldPhrase(a.equals) } : { contains: foldPhrase(a.contains ?? '') }) } };
  }
  return sortKeys(c);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}
