// Pure helpers of the rules page (no React): the condition form and its conversion to and from the
// rule contract's condition tree, priorities for moving rules, and the draft rule set of a dry run.
// The form holds one level of groups below the top combinator, each test optionally negated; a rule
// whose conditions need more is shown as JSON and kept as it is (conditionToForm answers null).
import type { Condition, Provider, RegexSpec } from '../../../../../backend/src/routing/conditions';
import type { RuleInput, RuleView } from '../../../../../shared/src/contracts';

export type { Condition };

export const TEXT_FIELDS = ['label', 'notification', 'subject+notification', 'documents', 'all'] as const;
export const ATTENTION_FIELDS = ['person', 'personId', 'productionUnit', 'email', 'contentResponsible'] as const;
export const PROVIDERS = ['ngdp', 'eboks', 'mitdk'] as const;

/** Every test the form offers (all of the contract's, except the legacy labelContains, shown as a text test). */
export const LEAF_KINDS = [
  'senderId', 'senderName', 'recipientCvr', 'provider', 'text', 'kle', 'replyRequired', 'cprPresent',
  'caseId', 'caseSystem', 'form', 'cvrData', 'attention', 'documentName', 'documentType', 'always',
] as const;
export type LeafKind = (typeof LEAF_KINDS)[number];

/** The operators a kind offers (empty: the kind has none). For text: how the value is matched. */
export const LEAF_OPS: Record<LeafKind, readonly string[]> = {
  senderId: [], senderName: ['contains', 'equals'], recipientCvr: [], provider: [], text: ['words', 'phrase', 'regex'],
  kle: [], replyRequired: [], cprPresent: [], caseId: ['equals', 'prefix'], caseSystem: [], form: [], cvrData: [],
  attention: ['equals', 'contains'], documentName: ['contains', 'regex'], documentType: [], always: [],
};

/** One test as the form edits it: flat, so every kind shares one state shape. */
export interface LeafForm {
  kind: LeafKind;
  /** The value typed or chosen; words separated by spaces or commas; 'true'/'false' for yes/no tests. */
  value: string;
  /** See LEAF_OPS. */
  op: string;
  /** Text tests: a TEXT_FIELDS entry; attention tests: an ATTENTION_FIELDS entry. */
  field: string;
  /** Regular expressions: ignore case (flag i). */
  ignoreCase: boolean;
}
export interface GroupItem { key: string; negate: boolean; leaf: LeafForm }
export interface GroupForm { kind: 'group'; combinator: 'all' | 'any'; items: GroupItem[] }
export interface FormItem { key: string; negate: boolean; node: LeafForm | GroupForm }
export interface ConditionForm { combinator: 'all' | 'any'; items: FormItem[] }

const BOOLEAN_KINDS: readonly LeafKind[] = ['replyRequired', 'cprPresent'];
export const isBooleanKind = (k: LeafKind) => BOOLEAN_KINDS.includes(k);
/** Kinds whose value is a regular expression with the current op. */
export const isRegex = (l: LeafForm) => (l.kind === 'text' || l.kind === 'documentName') && l.op === 'regex';

let keySeq = 0;
/** A key for React lists and validation marks; unique within the page's lifetime. */
export const newKey = () => `c${++keySeq}`;

export function defaultLeaf(kind: LeafKind, firstCvr = ''): LeafForm {
  const op = LEAF_OPS[kind][0] ?? '';
  const value = kind === 'provider' ? 'ngdp' : kind === 'recipientCvr' ? firstCvr : isBooleanKind(kind) ? 'true' : '';
  const field = kind === 'text' ? 'label' : kind === 'attention' ? 'person' : '';
  return { kind, value, op, field, ignoreCase: true };
}

/** A leaf of another kind, keeping the value where it still makes sense. */
export function changeKind(l: LeafForm, kind: LeafKind, firstCvr = ''): LeafForm {
  const d = defaultLeaf(kind, firstCvr);
  const keepValue = !isBooleanKind(kind) && kind !== 'provider' && kind !== 'recipientCvr' && !isBooleanKind(l.kind) && l.kind !== 'provider' && l.kind !== 'always';
  return keepValue ? { ...d, value: l.value } : d;
}

export const emptyForm = (): ConditionForm => ({ combinator: 'all', items: [] });

// ---- from the contract to the form ----

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const oneKey = (v: unknown): string | null => (isObject(v) && Object.keys(v).length === 1 ? Object.keys(v)[0] : null);
const str = (v: unknown): v is string => typeof v === 'string';

function regexOf(v: unknown): { value: string; ignoreCase: boolean } | null {
  if (!isObject(v) || !str(v.pattern) || Object.keys(v).some((k) => k !== 'pattern' && k !== 'flags')) return null;
  if (v.flags !== undefined && v.flags !== 'i' && v.flags !== '') return null;
  return { value: v.pattern, ignoreCase: v.flags === 'i' };
}

/** {equals: x} / {contains: x}: the op and value when exactly one of `ops` is given. */
function opValue(v: unknown, ops: readonly string[]): { op: string; value: string } | null {
  const k = oneKey(v);
  if (!k || !ops.includes(k)) return null;
  const value = (v as Record<string, unknown>)[k];
  return str(value) ? { op: k, value } : null;
}

/** A word list the form can show as one line and read back unchanged. */
const wordsLine = (ws: unknown): string | null =>
  Array.isArray(ws) && ws.length > 0 && ws.every((w) => str(w) && w.trim() !== '' && !/[\s,]/.test(w)) ? ws.join(' ') : null;

/** One test in the form's terms, or null when the form cannot show it faithfully. */
export function conditionToLeaf(c: unknown): LeafForm | null {
  const kind = oneKey(c);
  if (!kind) return null;
  const v = (c as Record<string, unknown>)[kind];
  const base = (k: LeafKind) => defaultLeaf(k);
  switch (kind) {
    case 'always': return v === true ? base('always') : null;
    case 'senderId': case 'recipientCvr': case 'kle': case 'caseSystem': case 'form': case 'cvrData': case 'documentType':
      return str(v) ? { ...base(kind), value: v } : null;
    case 'provider': return str(v) && (PROVIDERS as readonly string[]).includes(v) ? { ...base('provider'), value: v } : null;
    case 'replyRequired': case 'cprPresent': return typeof v === 'boolean' ? { ...base(kind), value: String(v) } : null;
    case 'senderName': case 'caseId': {
      const ov = opValue(v, LEAF_OPS[kind]);
      return ov && { ...base(kind), ...ov };
    }
    case 'labelContains': return str(v) ? { ...base('text'), field: 'label', op: 'phrase', value: v } : null;
    case 'documentName': {
      const ov = opValue(v, ['contains']);
      if (ov) return { ...base('documentName'), ...ov };
      const r = isObject(v) && oneKey(v) === 'regex' ? regexOf(v.regex) : null;
      return r && { ...base('documentName'), op: 'regex', ...r };
    }
    case 'attention': {
      if (!isObject(v) || !str(v.field) || !(ATTENTION_FIELDS as readonly string[]).includes(v.field)) return null;
      const rest = { ...v };
      delete rest.field;
      const ov = opValue(rest, LEAF_OPS.attention);
      return ov && { ...base('attention'), field: v.field, ...ov };
    }
    case 'text': {
      if (!isObject(v) || !str(v.field) || !(TEXT_FIELDS as readonly string[]).includes(v.field)) return null;
      const tests = ['words', 'phrase', 'regex'].filter((k) => v[k] !== undefined);
      if (tests.length !== 1 || Object.keys(v).length !== 2) return null;
      const leaf = { ...base('text'), field: v.field };
      if (tests[0] === 'words') { const line = wordsLine(v.words); return line === null ? null : { ...leaf, op: 'words', value: line }; }
      if (tests[0] === 'phrase') return str(v.phrase) ? { ...leaf, op: 'phrase', value: v.phrase } : null;
      const r = regexOf(v.regex);
      return r && { ...leaf, op: 'regex', ...r };
    }
    default: return null;
  }
}

function splitNot(c: unknown): { negate: boolean; inner: unknown } {
  return oneKey(c) === 'not' ? { negate: true, inner: (c as { not: unknown }).not } : { negate: false, inner: c };
}

function groupOf(c: unknown): GroupForm | null {
  const k = oneKey(c);
  if (k !== 'all' && k !== 'any') return null;
  const list = (c as Record<string, unknown>)[k];
  if (!Array.isArray(list) || list.length === 0) return null;
  const items: GroupItem[] = [];
  for (const child of list) {
    const { negate, inner } = splitNot(child);
    const leaf = conditionToLeaf(inner);
    if (!leaf) return null;
    items.push({ key: newKey(), negate, leaf });
  }
  return { kind: 'group', combinator: k, items };
}

function itemOf(c: unknown): FormItem | null {
  const { negate, inner } = splitNot(c);
  const k = oneKey(inner);
  const node = k === 'all' || k === 'any' ? groupOf(inner) : conditionToLeaf(inner);
  return node && { key: newKey(), negate, node };
}

/** The form for stored conditions, or null when they are more than the form can express. */
export function conditionToForm(c: unknown): ConditionForm | null {
  const k = oneKey(c);
  if (k === 'all' || k === 'any') {
    const list = (c as Record<string, unknown>)[k];
    if (!Array.isArray(list) || list.length === 0) return null;
    const items = list.map(itemOf);
    return items.every((i): i is FormItem => i !== null) ? { combinator: k, items } : null;
  }
  const item = itemOf(c);
  return item && { combinator: 'all', items: [item] };
}

// ---- from the form to the contract ----

/** What is missing in the form, for marks next to the fields (keys of items and groups). */
export interface FormProblems {
  /** No test at all. */
  noConditions: boolean;
  /** Items (by key) whose value is empty. */
  emptyValues: string[];
  /** Groups (by key) without tests. */
  emptyGroups: string[];
}

const words = (line: string) => line.split(/[\s,]+/).map((w) => w.trim()).filter(Boolean);
const regexSpec = (l: LeafForm): RegexSpec => (l.ignoreCase ? { pattern: l.value, flags: 'i' } : { pattern: l.value });

/** A leaf as a condition (the value trimmed, except in regular expressions, where spaces count). */
export function leafToCondition(l: LeafForm): Condition {
  const v = isRegex(l) ? l.value : l.value.trim();
  switch (l.kind) {
    case 'always': return { always: true };
    case 'senderId': return { senderId: v };
    case 'recipientCvr': return { recipientCvr: v };
    case 'kle': return { kle: v };
    case 'caseSystem': return { caseSystem: v };
    case 'form': return { form: v };
    case 'cvrData': return { cvrData: v };
    case 'documentType': return { documentType: v };
    case 'provider': return { provider: v as Provider };
    case 'replyRequired': return { replyRequired: v === 'true' };
    case 'cprPresent': return { cprPresent: v === 'true' };
    case 'senderName': return { senderName: l.op === 'equals' ? { equals: v } : { contains: v } };
    case 'caseId': return { caseId: l.op === 'prefix' ? { prefix: v } : { equals: v } };
    case 'attention': {
      const field = l.field as (typeof ATTENTION_FIELDS)[number];
      return { attention: l.op === 'contains' ? { field, contains: v } : { field, equals: v } };
    }
    case 'documentName': return { documentName: l.op === 'regex' ? { regex: regexSpec(l) } : { contains: v } };
    case 'text': {
      const field = l.field as (typeof TEXT_FIELDS)[number];
      if (l.op === 'regex') return { text: { field, regex: regexSpec(l) } };
      if (l.op === 'phrase') return { text: { field, phrase: v } };
      return { text: { field, words: words(v) } };
    }
  }
}

const hasValue = (l: LeafForm) => l.kind === 'always' || isBooleanKind(l.kind) || (l.op === 'words' ? words(l.value).length > 0 : l.value.trim() !== '');
const negated = (negate: boolean, c: Condition): Condition => (negate ? { not: c } : c);
const combine = (combinator: 'all' | 'any', cs: Condition[]): Condition =>
  cs.length === 1 ? cs[0] : combinator === 'all' ? { all: cs } : { any: cs };

/** The conditions the form describes, or what is missing (reported per item, so the form can mark it). */
export function formToCondition(form: ConditionForm): { condition: Condition } | { problems: FormProblems } {
  const problems: FormProblems = { noConditions: form.items.length === 0, emptyValues: [], emptyGroups: [] };
  const out: Condition[] = [];
  for (const item of form.items) {
    const node = item.node;
    if (node.kind === 'group') {
      if (node.items.length === 0) problems.emptyGroups.push(item.key);
      for (const g of node.items) if (!hasValue(g.leaf)) problems.emptyValues.push(g.key);
      out.push(negated(item.negate, combine(node.combinator, node.items.map((g) => negated(g.negate, leafToCondition(g.leaf))))));
    } else {
      if (!hasValue(node)) problems.emptyValues.push(item.key);
      out.push(negated(item.negate, leafToCondition(node)));
    }
  }
  if (problems.noConditions || problems.emptyValues.length || problems.emptyGroups.length) return { problems };
  return { condition: combine(form.combinator, out) };
}

// ---- the whole rule ----

export interface RuleDraft {
  name: string;
  enabled: boolean;
  continue: boolean;
  /** null: the stored conditions are beyond the form and are kept unchanged (`rawConditions`). */
  form: ConditionForm | null;
  rawConditions: unknown;
  actionKind: 'destinations' | 'triage';
  destinationIds: string[];
  folderTemplate: string;
}

export function draftOf(rule: RuleView | null): RuleDraft {
  if (!rule) {
    return { name: '', enabled: true, continue: false, form: emptyForm(), rawConditions: null, actionKind: 'destinations', destinationIds: [], folderTemplate: '' };
  }
  return {
    name: rule.name,
    enabled: rule.enabled,
    continue: rule.continue,
    form: conditionToForm(rule.conditions),
    rawConditions: rule.conditions,
    actionKind: rule.action.kind,
    destinationIds: rule.action.kind === 'destinations' ? [...rule.action.destinationIds] : [],
    folderTemplate: rule.action.kind === 'destinations' ? rule.action.folderTemplate ?? '' : '',
  };
}

export interface DraftProblems extends FormProblems {
  name: boolean;
  destinations: boolean;
}

/** The rule as the API takes it, or what the person still has to fill in. */
export function inputOf(d: RuleDraft, priority: number): { input: RuleInput } | { problems: DraftProblems } {
  const conditions = d.form ? formToCondition(d.form) : { condition: d.rawConditions as Condition };
  const problems: DraftProblems = {
    noConditions: false, emptyValues: [], emptyGroups: [],
    ...('problems' in conditions ? conditions.problems : {}),
    name: d.name.trim() === '',
    destinations: d.actionKind === 'destinations' && d.destinationIds.length === 0,
  };
  if ('problems' in conditions || problems.name || problems.destinations) return { problems };
  const template = d.folderTemplate.trim();
  return {
    input: {
      name: d.name.trim(),
      priority,
      enabled: d.enabled,
      continue: d.continue,
      conditions: conditions.condition,
      action: d.actionKind === 'triage' ? { kind: 'triage' }
        : { kind: 'destinations', destinationIds: d.destinationIds, ...(template ? { folderTemplate: template } : {}) },
    },
  };
}

// ---- order ----

export const byPriority = <R extends Pick<RuleView, 'priority' | 'id'>>(rules: readonly R[]): R[] =>
  [...rules].sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/** The priority after every rule. */
export const nextPriority = (rules: readonly Pick<RuleView, 'priority'>[]) =>
  rules.length === 0 ? 10 : Math.min(1_000_000, Math.max(...rules.map((r) => r.priority)) + 10);

/**
 * The priority changes that move rules[index] one place up (-1) or down (+1) in the ordered list:
 * the two rules swap priorities; when they share one (the order between them is by id), every rule is
 * renumbered 10, 20, … in the new order so the move is visible. Only changed rules are returned.
 */
export function movePriorities(ordered: readonly Pick<RuleView, 'id' | 'priority'>[], index: number, dir: -1 | 1): { id: string; priority: number }[] {
  const other = index + dir;
  if (index < 0 || index >= ordered.length || other < 0 || other >= ordered.length) return [];
  const a = ordered[index];
  const b = ordered[other];
  if (a.priority !== b.priority) return [{ id: a.id, priority: b.priority }, { id: b.id, priority: a.priority }];
  const next = [...ordered];
  next[index] = b;
  next[other] = a;
  return next.map((r, i) => ({ id: r.id, priority: (i + 1) * 10 })).filter((c, i) => c.priority !== next[i].priority);
}

/**
 * The rule set a dry run simulates: the current rules with the draft in place of its rule (or added),
 * last in the list; `changes`: other rules' priorities as placing the draft would renumber them.
 */
export function draftRuleSet(rules: readonly RuleView[], draft: RuleInput, id: string | null, changes: readonly { id: string; priority: number }[] = []): (RuleInput & { id?: string })[] {
  const moved = new Map(changes.map((c) => [c.id, c.priority]));
  const asInput = (r: RuleView): RuleInput & { id: string } => ({
    id: r.id, name: r.name, priority: moved.get(r.id) ?? r.priority, enabled: r.enabled, conditions: r.conditions as RuleInput['conditions'], action: r.action, continue: r.continue,
  });
  const others = rules.filter((r) => r.id !== id).map(asInput);
  return [...others, id ? { ...draft, id } : draft];
}

/** Folder template placeholders, for the hint (the backend's TEMPLATE_PLACEHOLDERS; a unit test keeps them equal). */
export const TEMPLATE_PLACEHOLDERS = ['sender', 'senderId', 'cvr', 'cvrName', 'year', 'month', 'kle', 'caseId', 'form', 'label'] as const;
