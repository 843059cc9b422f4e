// Rule conditions: a small tree of combinators (all / any / not / always) and field tests on the
// letter's facts, validated with zod when a rule is saved or loaded. Evaluation is in route.ts,
// descriptions in describe.ts, and what cannot match or is unsafe in validate.ts.
//
// Each condition is an object with exactly one key naming its test. The schema dispatches on that
// key, so a mistake gets a message about that test (not a union's "invalid input"), with the path.
// Three older forms stay accepted for stored rules: {recipientCvr}, {senderId}, {labelContains}
// (the last is a phrase test on the subject).
import { z } from 'zod';

export type TextField = 'label' | 'notification' | 'subject+notification' | 'documents' | 'all';
export const TEXT_FIELDS: readonly TextField[] = ['label', 'notification', 'subject+notification', 'documents', 'all'];
export type Provider = 'ngdp' | 'eboks' | 'mitdk';
export const PROVIDERS: readonly Provider[] = ['ngdp', 'eboks', 'mitdk'];
export type AttentionField = 'person' | 'personId' | 'productionUnit' | 'email' | 'contentResponsible';
export const ATTENTION_FIELDS: readonly AttentionField[] = ['person', 'personId', 'productionUnit', 'email', 'contentResponsible'];

export interface RegexSpec { pattern: string; flags?: 'i' | '' }

/** One of words, phrase or regex. */
export interface TextTest {
  field: TextField;
  /** Every word present as a whole word (case and diacritics do not matter, æ/ø/å stay letters). */
  words?: string[];
  /** This text somewhere (case and diacritics do not matter, white space runs count as one space). */
  phrase?: string;
  regex?: RegexSpec;
}

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { always: true }
  | { senderId: string }
  | { senderName: { equals: string } | { contains: string } }
  | { recipientCvr: string }
  | { provider: Provider }
  | { text: TextTest }
  /** KLE subject key, or a prefix of one on whole groups: "25.02" holds for "25.02.05". */
  | { kle: string }
  | { caseId: { equals: string } | { prefix: string } }
  | { caseSystem: string }
  /** FORM task key, or a prefix of one on whole groups, like kle. */
  | { form: string }
  | { cprPresent: boolean }
  /** A CVR number named in ContentData/CVRData. */
  | { cvrData: string }
  | { attention: { field: AttentionField; equals?: string; contains?: string } }
  | { documentName: { contains: string } | { regex: RegexSpec } }
  /** MIME type of a main or additional document, exact ("application/pdf") or "application/*". */
  | { documentType: string }
  | { replyRequired: boolean }
  /** Older form of { text: { field: 'label', phrase } }. */
  | { labelContains: string };

// ---- the parts ----

const LIMITS = { id: 100, name: 200, text: 200, word: 60, words: 20, pattern: 500, children: 50, depth: 12 } as const;

const str = (what: string, max: number) => z.string({
  required_error: `${what} is required`,
  invalid_type_error: `${what} must be text`,
}).trim().min(1, `${what} must not be empty`).max(max, `${what} is limited to ${max} characters`);

const cvr = (what: string) => z.string({ invalid_type_error: `${what} must be text, e.g. "10150817"` }).trim()
  .regex(/^\d{8}$/, `${what} must be 8 digits, e.g. "10150817"`);

const bool = (what: string) => z.boolean({ invalid_type_error: `${what} must be true or false` });

const dotted = (what: string, example: string) => z.string({ invalid_type_error: `${what} must be text, e.g. "${example}"` }).trim()
  .regex(/^[0-9A-Za-z]{1,10}(\.[0-9A-Za-z]{1,10}){0,5}$/, `${what} must be a key such as "${example}" (groups of digits separated by dots)`);

const regexSpec = z.object({
  pattern: z.string({ required_error: 'the regular expression needs a pattern', invalid_type_error: 'the pattern must be text' })
    .min(1, 'the pattern must not be empty').max(LIMITS.pattern, `the pattern is limited to ${LIMITS.pattern} characters`),
  flags: z.enum(['i', ''], { errorMap: () => ({ message: 'flags must be "i" (ignore case) or "" (case matters)' }) }).optional(),
}, { invalid_type_error: 'a regular expression must be written {"pattern": "...", "flags": "i"}' }).strict();

/** {equals: ...} or {contains: ...}: exactly one of the given keys, each with its schema. */
function oneOf(what: string, shapes: Record<string, z.ZodTypeAny>, example: string) {
  const keys = Object.keys(shapes);
  const names = keys.map((k) => `"${k}"`).join(' or ');
  return z.record(z.unknown(), { invalid_type_error: `${what} must be an object such as ${example}` }).transform((v, ctx) => {
    const present = Object.keys(v);
    const unknown = present.filter((k) => !keys.includes(k));
    if (unknown.length) {
      ctx.addIssue({ code: 'custom', message: `${what} does not know "${unknown[0]}"; use ${names}, e.g. ${example}` });
      return z.NEVER;
    }
    if (present.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `${what} needs exactly one of ${names}, e.g. ${example}` });
      return z.NEVER;
    }
    const k = present[0];
    const r = shapes[k].safeParse(v[k]);
    if (!r.success) {
      for (const i of r.error.issues) ctx.addIssue({ ...i, path: [k, ...i.path] } as z.IssueData);
      return z.NEVER;
    }
    return { [k]: r.data };
  });
}

const wordList = z.array(str('each word', LIMITS.word), { invalid_type_error: 'words must be a list, e.g. ["moms", "kvartal"]' })
  .min(1, 'the word list is empty: name at least one word').max(LIMITS.words, `at most ${LIMITS.words} words`)
  .refine((ws) => ws.every((w) => /[\p{L}\p{N}]/u.test(w)), 'each word must contain a letter or a digit');

const textTest = z.object({
  field: z.enum(TEXT_FIELDS as [TextField, ...TextField[]], {
    errorMap: () => ({ message: `field must be one of ${TEXT_FIELDS.map((f) => `"${f}"`).join(', ')}` }),
  }),
  words: wordList.optional(),
  phrase: str('the phrase', LIMITS.text).optional(),
  regex: regexSpec.optional(),
}, { invalid_type_error: 'a text test must be an object such as {"field": "label", "words": ["moms"]}' }).strict()
  .refine((t) => [t.words, t.phrase, t.regex].filter((x) => x !== undefined).length === 1,
    'a text test needs exactly one of "words", "phrase" or "regex"');

const attentionTest = z.object({
  field: z.enum(ATTENTION_FIELDS as [AttentionField, ...AttentionField[]], {
    errorMap: () => ({ message: `field must be one of ${ATTENTION_FIELDS.map((f) => `"${f}"`).join(', ')}` }),
  }),
  equals: str('the value', LIMITS.text).optional(),
  contains: str('the value', LIMITS.text).optional(),
}, { invalid_type_error: 'an attention test must be an object such as {"field": "person", "equals": "Jens Hansen"}' }).strict()
  .refine((t) => (t.equals === undefined) !== (t.contains === undefined), 'an attention test needs exactly one of "equals" or "contains"')
  .refine((t) => t.field !== 'productionUnit' || t.contains !== undefined || /^\d{10}$/.test(t.equals ?? ''),
    'a P-number (productionUnit) is 10 digits, e.g. "1012345678"');

const documentType = z.string({ invalid_type_error: 'documentType must be text, e.g. "application/pdf"' }).trim().toLowerCase()
  .regex(/^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/(\*|[a-z0-9][a-z0-9!#$&^_.+-]{0,126})$/,
    'documentType must be a MIME type such as "application/pdf", or "application/*" for every application type');

/** Test schemas by key, except the combinators (they recurse). */
const leafSchemas: Record<string, z.ZodTypeAny> = {
  always: z.literal(true, { errorMap: () => ({ message: 'always must be true (a catch-all: {"always": true})' }) }),
  senderId: str('senderId', LIMITS.id),
  senderName: oneOf('senderName', { equals: str('the sender name', LIMITS.name), contains: str('the sender name', LIMITS.name) }, '{"contains": "Skattestyrelsen"}'),
  recipientCvr: cvr('recipientCvr'),
  provider: z.enum(PROVIDERS as [Provider, ...Provider[]], {
    errorMap: () => ({ message: `provider must be one of ${PROVIDERS.map((p) => `"${p}"`).join(', ')}` }),
  }),
  text: textTest,
  kle: dotted('the KLE code', '25.02.05'),
  caseId: oneOf('caseId', { equals: str('the case id', LIMITS.id), prefix: str('the case id prefix', LIMITS.id) }, '{"prefix": "2025-"}'),
  caseSystem: str('caseSystem', LIMITS.id),
  form: dotted('the FORM task key', '27.12.00'),
  cprPresent: bool('cprPresent'),
  cvrData: cvr('cvrData'),
  attention: attentionTest,
  documentName: oneOf('documentName', { contains: str('the name', LIMITS.name), regex: regexSpec }, '{"contains": "faktura"}'),
  documentType,
  replyRequired: bool('replyRequired'),
  labelContains: str('labelContains', LIMITS.text),
};

export const CONDITION_KINDS: readonly string[] = ['all', 'any', 'not', ...Object.keys(leafSchemas)];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

type AddIssue = (path: (string | number)[], message: string) => void;

function parseCondition(v: unknown, path: (string | number)[], add: AddIssue, depth: number): Condition | null {
  if (!isObject(v)) {
    add(path, 'a condition must be an object such as {"senderId": "29188335"} or {"all": [...]}');
    return null;
  }
  const keys = Object.keys(v);
  if (keys.length !== 1) {
    add(path, keys.length === 0 ? 'a condition is empty: name one test, e.g. {"always": true}'
      : `a condition has exactly one test, this one has ${keys.length} (${keys.join(', ')}); put several tests in {"all": [...]}`);
    return null;
  }
  const kind = keys[0];
  const value = v[kind];
  const here = [...path, kind];
  if (kind === 'all' || kind === 'any' || kind === 'not') {
    if (depth >= LIMITS.depth) {
      add(here, `conditions are nested too deeply (at most ${LIMITS.depth} levels)`);
      return null;
    }
    if (kind === 'not') {
      const r = parseCondition(value, here, add, depth + 1);
      return r && { not: r };
    }
    if (!Array.isArray(value) || value.length === 0) {
      add(here, `"${kind}" needs a list of at least one condition`);
      return null;
    }
    if (value.length > LIMITS.children) {
      add(here, `"${kind}" is limited to ${LIMITS.children} conditions`);
      return null;
    }
    const out = value.map((c, i) => parseCondition(c, [...here, i], add, depth + 1));
    return out.every((c) => c !== null) ? ({ [kind]: out } as Condition) : null;
  }
  const schema = leafSchemas[kind];
  if (!schema) {
    add(path, `unknown condition "${kind}"; use one of ${CONDITION_KINDS.join(', ')}`);
    return null;
  }
  const r = schema.safeParse(value);
  if (!r.success) {
    for (const i of r.error.issues) add([...here, ...i.path], i.message);
    return null;
  }
  return { [kind]: r.data } as Condition;
}

export const conditionSchema: z.ZodType<Condition, z.ZodTypeDef, unknown> = z.unknown().transform((v, ctx) => {
  const c = parseCondition(v, [], (path, message) => ctx.addIssue({ code: 'custom', path, message }), 0);
  return c ?? z.NEVER;
});
