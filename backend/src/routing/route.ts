// Pure routing: given a letter (facts and its documents' text) and the organisation's rules, name
// the destinations and say why. Rules run by priority (lower first, ties by id); the first rule that
// matches decides, unless it says `continue`: then later rules may add destinations too (the first
// rule to name a destination gives its folder). A matching triage rule sends the letter to triage
// and stops. No match means triage.
//
// Speed (bench/routing.ts: 1,000 rules): rules are compiled once (compileRules) into closures over
// precomputed values (folded words and their hashes, phrases, regexes with their required literal);
// a letter's texts are read at most once each, on first use, into a word-hash set and a trigram map
// (text-match.ts), so most text tests are answered without searching the text; rules that need a
// particular sender or recipient CVR are indexed by it, and rules that need a word are skipped when
// the word's hash is not in the letter, so a letter is only tested against rules that could match
// it; "why" is only worked out for rules that match. The cheap tests of an `all` run first.
import type { Condition, TextField, RegexSpec } from './conditions';
import type { ChosenDestination, HeldCondition, RouteDecision, Rule, RoutingInput } from './types';
import {
  TEXT_LIMITS, PreparedText, compilePhrase, compileRegex, compileWord, foldPhrase, hasWord, regexMatch,
  type CompiledRegex, type CompiledWord,
} from './text-match';
import {
  ATTENTION_FIELD_NAMES, PROVIDER_NAMES, describeCondition, describePhrase, describeWords, quote, showRegex, TEXT_FIELD_NAMES,
} from './describe';
import { renderFolderTemplate, type TemplateExtras } from './templates';
import { maskCpr } from '../../../shared/src/identifiers';

export type { Rule, RouteDecision, RoutingInput, RuleAction, ChosenDestination, RoutingFacts } from './types';
export { describeCondition } from './describe';

// ---- one letter, prepared lazily ----

class Letter {
  private texts: Partial<Record<TextField, PreparedText>> = {};
  private docNames?: string[];
  private senderFolded?: string;
  private docTypes?: string[];
  constructor(readonly f: RoutingInput) {}

  text(field: TextField): PreparedText {
    let t = this.texts[field];
    if (!t) {
      const f = this.f;
      const label = f.label.slice(0, TEXT_LIMITS.label);
      const notification = (f.notification ?? '').slice(0, TEXT_LIMITS.notification);
      const documents = (f.documentText ?? '').slice(0, TEXT_LIMITS.documents);
      const raw = field === 'label' ? label
        : field === 'notification' ? notification
          : field === 'subject+notification' ? `${label}\n${notification}`
            : field === 'documents' ? documents
              : `${label}\n${notification}\n${documents}`;
      t = this.texts[field] = new PreparedText(raw);
    }
    return t;
  }
  senderName(): string { return this.senderFolded ??= foldPhrase(this.f.senderName); }
  documentNamesFolded(): string[] { return this.docNames ??= this.f.documentNames.map(foldPhrase); }
  documentTypes(): string[] { return this.docTypes ??= (this.f.documentTypes ?? []).map((t) => t.split(';')[0].trim().toLowerCase()); }
}

// ---- compiled conditions ----

interface Node {
  /** Whether the condition holds (fast: no strings made). */
  test(l: Letter): boolean;
  /** Whether it holds; if so, the sentences saying what held are appended to `why`, and the conditions to `held`. */
  explain(l: Letter, why: string[], held?: HeldCondition[]): boolean;
  /** A leaf's value of the letter that met it, when the condition alone does not say it (a regex's match, the KLE key under a prefix). */
  found?: (l: Letter) => string | undefined;
  /** Rough cost, so `all` tries the cheap tests first. */
  cost: number;
}

function leaf(cost: number, test: (l: Letter) => boolean, say: (l: Letter) => string, found?: (l: Letter) => string | undefined): Node {
  return {
    cost, test, found,
    explain(l, why) {
      if (!test(l)) return false;
      why.push(say(l));
      return true;
    },
  };
}

const foldedEq = (a: string | undefined, b: string) => a !== undefined && foldPhrase(a) === b;

/** Dotted keys (KLE, FORM): "25.02" holds for "25.02" and "25.02.05", not for "25.021". */
function dottedMatch(keys: string[] | undefined, v: string): string | undefined {
  return keys?.find((k) => k === v || (k.length > v.length && k.startsWith(v) && k[v.length] === '.'));
}

const PARTS: Record<TextField, TextField[]> = {
  label: ['label'], notification: ['notification'], documents: ['documents'],
  'subject+notification': ['label', 'notification'], all: ['label', 'notification', 'documents'],
};

function compileText(field: TextField, t: { words?: string[]; phrase?: string; regex?: RegexSpec }): Node {
  const textCost = field === 'label' || field === 'notification' || field === 'subject+notification' ? 3 : 8;
  if (t.words) {
    const words: CompiledWord[] = t.words.map(compileWord);
    // A single word is looked up in each part of a combined field (the parts' words are the
    // combined text's words); a multi-part word in the combined text.
    const parts = PARTS[field];
    return leaf(textCost, (l) => {
      for (const w of words) {
        if (w.line !== undefined || parts.length === 1) {
          if (!hasWord(l.text(field), w)) return false;
        } else if (!parts.some((p) => hasWord(l.text(p), w))) return false;
      }
      return true;
    }, () => describeWords(field, t.words!));
  }
  if (t.phrase !== undefined) {
    const phrase = compilePhrase(t.phrase);
    return leaf(textCost, (l) => l.text(field).hasPhrase(phrase), () => describePhrase(field, t.phrase!));
  }
  const r = compileRegex(t.regex!.pattern, t.regex!.flags ?? '');
  return leaf(textCost + 4, (l) => regexMatch(r, l.text(field)) !== null, (l) => {
    const m = regexMatch(r, l.text(field)) ?? '';
    return `${TEXT_FIELD_NAMES[field]} match${field === 'documents' ? '' : 'es'} ${showRegex(t.regex!)} (${quote(excerpt(m))})`;
  }, (l) => excerpt(regexMatch(r, l.text(field)) ?? ''));
}

/** A matched piece of text, short and on one line (masked with the rest of the sentence). */
function excerpt(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 60 ? `${one.slice(0, 59)}…` : one;
}

function compileNode(c: Condition): Node {
  if ('all' in c || 'any' in c) return compileTree(c);
  // A leaf (or a not): it says what held, and is itself what held.
  const n = compileLeaf(c);
  return {
    cost: n.cost, test: n.test,
    explain(l, why, held) {
      if (!n.explain(l, why)) return false;
      if (held) {
        const f = n.found?.(l);
        held.push({ condition: c, ...(f ? { found: maskCpr(f) } : {}) });
      }
      return true;
    },
  };
}

function compileTree(c: Condition): Node {
  if ('all' in c) {
    const kids = c.all.map(compileNode);
    const byCost = [...kids].sort((a, b) => a.cost - b.cost);
    return {
      cost: kids.reduce((s, k) => s + k.cost, 0),
      test(l) {
        for (const k of byCost) if (!k.test(l)) return false;
        return true;
      },
      explain(l, why, held) {
        if (!this.test(l)) return false;
        for (const k of kids) k.explain(l, why, held);
        return true;
      },
    };
  }
  if ('any' in c) {
    const kids = c.any.map(compileNode);
    const byCost = [...kids].sort((a, b) => a.cost - b.cost);
    return {
      cost: kids.reduce((s, k) => s + k.cost, 0),
      test(l) {
        for (const k of byCost) if (k.test(l)) return true;
        return false;
      },
      explain(l, why, held) {
        for (const k of kids) if (k.explain(l, why, held)) return true;
        return false;
      },
    };
  }
  throw new Error('compileTree: not a tree');
}

function compileLeaf(c: Condition): Node {
  if ('not' in c) {
    const kid = compileNode(c.not);
    const text = `not (${describeCondition(c.not)})`;
    return leaf(kid.cost, (l) => !kid.test(l), () => text);
  }
  if ('always' in c) return leaf(0, () => true, () => 'catch-all');
  if ('senderId' in c) {
    const v = c.senderId;
    return leaf(1, (l) => l.f.senderId === v, (l) => (l.f.senderName && l.f.senderName !== v ? `sender is ${l.f.senderName} (${v})` : `sender is ${v}`),
      (l) => (l.f.senderName && l.f.senderName !== v ? l.f.senderName : undefined));
  }
  if ('senderName' in c) {
    if ('equals' in c.senderName) {
      const v = foldPhrase(c.senderName.equals);
      return leaf(2, (l) => l.senderName() === v, (l) => `sender is ${l.f.senderName}`);
    }
    const v = foldPhrase(c.senderName.contains);
    const shown = c.senderName.contains;
    return leaf(2, (l) => l.senderName().includes(v), (l) => `sender ${l.f.senderName} has ${quote(shown)} in its name`, (l) => l.f.senderName);
  }
  if ('recipientCvr' in c) {
    const v = c.recipientCvr;
    return leaf(1, (l) => l.f.recipientCvr === v, () => `recipient CVR is ${v}`);
  }
  if ('provider' in c) {
    const v = c.provider;
    return leaf(1, (l) => l.f.provider === v, () => `the letter came through ${PROVIDER_NAMES[v]}`);
  }
  if ('text' in c) return compileText(c.text.field, c.text);
  if ('labelContains' in c) return compileText('label', { phrase: c.labelContains });
  if ('kle' in c) {
    const v = c.kle;
    return leaf(1, (l) => dottedMatch(l.f.kle, v) !== undefined, (l) => {
      const k = dottedMatch(l.f.kle, v)!;
      return k === v ? `KLE subject is ${v}` : `KLE subject ${k} is under ${v}`;
    }, (l) => { const k = dottedMatch(l.f.kle, v); return k !== v ? k : undefined; });
  }
  if ('form' in c) {
    const v = c.form;
    return leaf(1, (l) => dottedMatch(l.f.forms, v) !== undefined, (l) => {
      const k = dottedMatch(l.f.forms, v)!;
      return k === v ? `FORM task key is ${v}` : `FORM task key ${k} is under ${v}`;
    }, (l) => { const k = dottedMatch(l.f.forms, v); return k !== v ? k : undefined; });
  }
  if ('caseId' in c) {
    if ('equals' in c.caseId) {
      const v = c.caseId.equals.toLowerCase();
      const find = (l: Letter) => l.f.caseIds.find((id) => id.trim().toLowerCase() === v);
      return leaf(1, (l) => find(l) !== undefined, (l) => `case id is ${quote(find(l)!)}`);
    }
    const p = c.caseId.prefix.toLowerCase();
    const shown = c.caseId.prefix;
    const find = (l: Letter) => l.f.caseIds.find((id) => id.trim().toLowerCase().startsWith(p));
    return leaf(1, (l) => find(l) !== undefined, (l) => `case id ${quote(find(l)!)} starts with ${quote(shown)}`, find);
  }
  if ('caseSystem' in c) {
    const v = c.caseSystem.toLowerCase();
    const find = (l: Letter) => l.f.caseSystems?.find((s) => s.trim().toLowerCase() === v);
    return leaf(1, (l) => find(l) !== undefined, (l) => `case system is ${quote(find(l)!)}`);
  }
  if ('cprPresent' in c) {
    const v = c.cprPresent;
    return leaf(1, (l) => l.f.cprPresent === v, () => (v ? 'the letter names a CPR number' : 'the letter names no CPR number'));
  }
  if ('cvrData' in c) {
    const v = c.cvrData;
    return leaf(1, (l) => l.f.cvrData?.includes(v) ?? false, () => `the letter concerns CVR ${v}`);
  }
  if ('attention' in c) {
    const a = c.attention;
    const name = ATTENTION_FIELD_NAMES[a.field];
    const values = (l: Letter): (string | undefined)[] => {
      const f = l.f;
      switch (a.field) {
        case 'person': return [f.attentionPerson];
        case 'personId': return [f.attentionPersonId];
        case 'productionUnit': return [f.productionUnit];
        case 'email': return [f.attentionEmail];
        case 'contentResponsible': return [f.contentResponsible, f.contentResponsibleId];
      }
    };
    if (a.equals !== undefined) {
      const v = foldPhrase(a.equals);
      const find = (l: Letter) => values(l).find((x) => foldedEq(x, v));
      return leaf(2, (l) => find(l) !== undefined, (l) => `${name} is ${quote(find(l)!)}`, (l) => (foldPhrase(find(l) ?? '') === foldPhrase(a.equals ?? '') ? undefined : find(l)));
    }
    const v = foldPhrase(a.contains ?? '');
    const shown = a.contains ?? '';
    const find = (l: Letter) => values(l).find((x) => x !== undefined && foldPhrase(x).includes(v));
    return leaf(2, (l) => v !== '' && find(l) !== undefined, (l) => `${name} ${quote(find(l)!)} contains ${quote(shown)}`, find);
  }
  if ('documentName' in c) {
    const d = c.documentName;
    if ('contains' in d) {
      const v = foldPhrase(d.contains);
      const find = (l: Letter) => {
        const i = l.documentNamesFolded().findIndex((n) => n.includes(v));
        return i < 0 ? undefined : l.f.documentNames[i];
      };
      return leaf(2, (l) => v !== '' && find(l) !== undefined, (l) => `document ${quote(find(l)!)} has ${quote(d.contains)} in its name`, find);
    }
    const r: CompiledRegex = compileRegex(d.regex.pattern, d.regex.flags ?? '');
    const find = (l: Letter) => l.f.documentNames.find((n) => regexMatch(r, new PreparedText(n.slice(0, 255))) !== null);
    return leaf(4, (l) => find(l) !== undefined, (l) => `document ${quote(find(l)!)} matches ${showRegex(d.regex)}`, find);
  }
  if ('documentType' in c) {
    const v = c.documentType.toLowerCase();
    const wildcard = v.endsWith('/*') ? v.slice(0, -1) : null;
    const find = (l: Letter) => l.documentTypes().find((t) => (wildcard ? t.startsWith(wildcard) : t === v));
    return leaf(1, (l) => find(l) !== undefined, (l) => (wildcard ? `a document is ${find(l)} (${v})` : `a document is ${v}`), (l) => (wildcard ? find(l) : undefined));
  }
  if ('replyRequired' in c) {
    const v = c.replyRequired;
    return leaf(1, (l) => l.f.replyRequired === v, () => (v ? 'a reply is required' : 'no reply is required'));
  }
  // An unknown condition (a newer stored form this code does not know) never holds.
  return leaf(0, () => false, () => 'unknown condition');
}

// ---- indexing ----

/** Values of `key` one of which the letter must have for the condition to hold; null when not so simple. */
function requiredValues(c: Condition, key: 'senderId' | 'recipientCvr'): string[] | null {
  if (key in c) return [(c as Record<string, string>)[key]];
  if ('all' in c) {
    for (const k of c.all) {
      const r = requiredValues(k, key);
      if (r) return r;
    }
    return null;
  }
  if ('any' in c) {
    const out: string[] = [];
    for (const k of c.any) {
      const r = requiredValues(k, key);
      if (!r) return null;
      for (const v of r) if (!out.includes(v)) out.push(v);
    }
    return out;
  }
  return null;
}

/** A single word the condition needs in a field (the longest such), or null. */
function requiredWord(c: Condition): { field: TextField; word: CompiledWord } | null {
  if ('text' in c && c.text.words) {
    const ws = c.text.words.map(compileWord).filter((w) => w.line === undefined && w.parts.length === 1);
    if (ws.length === 0) return null;
    return { field: c.text.field, word: ws.reduce((a, b) => (b.parts[0].length > a.parts[0].length ? b : a)) };
  }
  if ('all' in c) {
    let best: { field: TextField; word: CompiledWord } | null = null;
    for (const k of c.all) {
      const r = requiredWord(k);
      if (r && (!best || r.word.parts[0].length > best.word.parts[0].length)) best = r;
    }
    return best;
  }
  return null;
}

// ---- the decision ----

interface CompiledRule {
  rule: Rule;
  node: Node;
  /** A word the rule needs: when its hash is not among the field's words, the rule is skipped untested. */
  gate?: { parts: TextField[]; hash: number };
}

export interface RouteOptions {
  /** For {year} and {month} when the letter has no creation time. */
  now?: Date;
}
export interface CompileOptions extends TemplateExtras {}

/** A rule set compiled for routing many letters; call it with each letter. */
export type CompiledRules = ((input: RoutingInput, opts?: RouteOptions) => RouteDecision) & { readonly ruleCount: number };

/** Rules in the order they run: enabled only, by priority, ties by id. */
export function orderRules(rules: Rule[]): Rule[] {
  return rules.filter((r) => r.enabled).sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function mayHave(l: Letter, parts: TextField[], hash: number): boolean {
  for (const p of parts) if (l.text(p).mayHaveWord(hash)) return true;
  return false;
}

export function compileRules(rules: Rule[], copts: CompileOptions = {}): CompiledRules {
  const ordered: CompiledRule[] = orderRules(rules).map((rule) => ({ rule, node: compileNode(rule.conditions) }));
  const bySender = new Map<string, number[]>();
  const byCvr = new Map<string, number[]>();
  const rest: number[] = [];
  const put = (m: Map<string, number[]>, k: string, i: number) => {
    const a = m.get(k);
    if (a) a.push(i); else m.set(k, [i]);
  };
  ordered.forEach((r, i) => {
    const s = requiredValues(r.rule.conditions, 'senderId');
    if (s) { for (const v of s) put(bySender, v, i); return; }
    const c = requiredValues(r.rule.conditions, 'recipientCvr');
    if (c) { for (const v of c) put(byCvr, v, i); return; }
    const w = requiredWord(r.rule.conditions);
    if (w) r.gate = { parts: PARTS[w.field], hash: w.word.hash };
    rest.push(i);
  });
  const none: number[] = [];

  const route = (input: RoutingInput, opts: RouteOptions = {}): RouteDecision => {
    const letter = new Letter(input);
    const a = bySender.get(input.senderId) ?? none;
    const b = byCvr.get(input.recipientCvr) ?? none;
    const c = rest;
    let i = 0, j = 0, k = 0;
    const matched: { ruleId: string; ruleName: string; why: string[]; held: HeldCondition[] }[] = [];
    const chosen: ChosenDestination[] = [];
    for (;;) {
      // Three-way merge of the candidate lists, in rule order.
      const x = i < a.length ? a[i] : Infinity;
      const y = j < b.length ? b[j] : Infinity;
      const z = k < c.length ? c[k] : Infinity;
      let n: number;
      if (x <= y && x <= z) { if (x === Infinity) break; n = x; i++; } else if (y <= z) { n = y; j++; } else { n = z; k++; }
      const { rule, node, gate } = ordered[n];
      if (gate && !mayHave(letter, gate.parts, gate.hash)) continue;
      if (!node.test(letter)) continue;
      const why: string[] = [];
      const held: HeldCondition[] = [];
      node.explain(letter, why, held);
      const entry = { ruleId: rule.id, ruleName: rule.name, why: why.map((w) => maskCpr(w)), held };
      matched.push(entry);
      const action = rule.action;
      if (action.kind === 'triage' || action.destinationIds.length === 0) {
        const head = action.kind === 'triage' ? `rule "${rule.name}" sends to triage` : `rule "${rule.name}" names no destination`;
        return { kind: 'triage', why: [head, ...entry.why], cause: { code: action.kind === 'triage' ? 'rule_sends_to_triage' : 'rule_names_no_destination', rule: rule.name }, matched };
      }
      let folder: string | undefined;
      for (const id of action.destinationIds) {
        if (chosen.some((d) => d.destinationId === id)) continue;
        if (action.folderTemplate && folder === undefined) folder = renderFolderTemplate(action.folderTemplate, input, opts.now, copts);
        chosen.push({ destinationId: id, ruleId: rule.id, ...(folder !== undefined ? { folderPath: folder } : {}) });
      }
      if (!rule.continue) break;
    }
    if (chosen.length > 0) return { kind: 'destinations', destinations: chosen, matched };
    return { kind: 'triage', why: ['no rule matched'], cause: { code: 'no_rule_matched' }, matched };
  };
  return Object.assign(route, { ruleCount: ordered.length });
}

// routeLetter compiles with a small cache: by the rules array (when it still holds the same rule
// objects; rules are plain data, never changed in place), else by the rules' content.
const byArray = new WeakMap<Rule[], { items: Rule[]; compiled: CompiledRules }>();
const byContent = new Map<string, CompiledRules>();

function cachedCompile(rules: Rule[], copts: CompileOptions): CompiledRules {
  const plain = Object.keys(copts).length === 0;
  if (plain) {
    const hit = byArray.get(rules);
    if (hit && hit.items.length === rules.length && hit.items.every((r, i) => r === rules[i])) return hit.compiled;
  }
  const key = JSON.stringify([rules, copts]);
  let c = byContent.get(key);
  if (!c) {
    c = compileRules(rules, copts);
    if (byContent.size >= 16) byContent.delete(byContent.keys().next().value!);
    byContent.set(key, c);
  }
  if (plain) byArray.set(rules, { items: [...rules], compiled: c });
  return c;
}

/** Routes one letter. For many letters against the same rules, compileRules once and call the result. */
export function routeLetter(input: RoutingInput, rules: Rule[], opts: RouteOptions & CompileOptions = {}): RouteDecision {
  const { now, ...copts } = opts;
  return cachedCompile(rules, copts)(input, { now });
}

/** Whether one condition holds for a letter, and what held (for previews and the assistant). */
export function evaluateCondition(c: Condition, input: RoutingInput): { holds: boolean; why: string[] } {
  const why: string[] = [];
  const holds = compileNode(c).explain(new Letter(input), why);
  return { holds, why: why.map((w) => maskCpr(w)) };
}

// ---- dry run ----

export interface DryRunLetter { id: string; input: RoutingInput; current: RouteDecision | null }
export interface DecisionChange { letterId: string; before: RouteDecision | null; after: RouteDecision }

/** What a decision does, as a comparable key: triage, or the destinations with their folders. */
export function decisionKey(d: RouteDecision | null): string {
  if (!d) return '(none)';
  if (d.kind === 'triage') return 'triage';
  return d.destinations.map((x) => `${x.destinationId}\u0000${x.folderPath ?? ''}`).sort().join('\u0001');
}

/**
 * Routes each letter with the draft rules and lists those whose outcome would change: another set
 * of destinations, another folder, or to or from triage. Which rule decided alone is no change.
 */
export function diffDecisions(letters: DryRunLetter[], draft: Rule[], opts: RouteOptions & CompileOptions = {}): DecisionChange[] {
  const { now, ...copts } = opts;
  const route = compileRules(draft, copts);
  const out: DecisionChange[] = [];
  for (const l of letters) {
    const after = route(l.input, { now });
    if (decisionKey(after) !== decisionKey(l.current)) out.push({ letterId: l.id, before: l.current, after });
  }
  return out;
}
