// A zod refusal as problems a person can act on: one per issue, at its field (`params.field`, the
// path in the request: "retentionDays", "categories.0"; left out for the request as a whole), with a
// stable code and the values the task pane words it with (addin codes.problem.field_*). Each keeps
// zod's English as `message`, "<field>: <what is wrong>", for API clients and logs.
import type { ZodError, ZodIssue } from 'zod';
import type { Problem } from '../../../shared/src/contracts';

export interface FieldProblem extends Problem {
  code: 'field_missing' | 'field_too_short' | 'field_too_long' | 'field_too_small' | 'field_too_big' | 'field_too_few' | 'field_too_many'
    | 'field_not_email' | 'field_not_url' | 'field_not_uuid' | 'field_not_date' | 'field_invalid_enum' | 'field_invalid_type'
    | 'field_unrecognized_key' | 'field_control_character' | 'field_invalid_value'
    // A refinement's own code (shared/src/contracts.ts `params: { code }`), prefixed: field_window_too_long.
    | `field_${string}`;
}

/** A refinement's own problem code, as its issue's `params.code` may carry it. */
const REFINEMENT_CODE = /^[a-z][a-z0-9_]{1,40}$/;

/**
 * A refinement that names its rule (`.refine(fn, { message, params })` or ctx.addIssue with `params`, whose
 * `code` is window_too_long and `max` 30): its code, and its other params that are numbers or strings.
 */
function refinementProblem(params: Record<string, unknown> | undefined): { code: FieldProblem['code']; params: Record<string, string | number> } | null {
  const code = params?.code;
  if (typeof code !== 'string' || !REFINEMENT_CODE.test(code)) return null;
  const rest: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(params ?? {})) {
    if (k === 'code' || k === 'field') continue; // the field is the issue's path
    if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) rest[k] = v;
  }
  return { code: `field_${code}`, params: rest };
}

/** More problems than anyone reads: a huge array of bad items must not make a huge answer. */
export const MAX_PROBLEMS = 50;

/** "<field>: <message>", as invalid_request has always said it. */
export const issueMessage = (i: ZodIssue): string => `${i.path.join('.') || 'request'}: ${i.message}`;

/**
 * An issue's problems (one, but one per key of unrecognized_keys); `message` replaces each one's
 * English sentence (a caller that names more than the field, api/admin.ts).
 */
export function issueProblems(i: ZodIssue, message?: string): FieldProblem[] {
  const field = i.path.join('.');
  const one = (code: FieldProblem['code'], params: Record<string, string | number> = {}, english = issueMessage(i)): FieldProblem =>
    ({ code, params: { ...(field ? { field } : {}), ...params }, message: message ?? english });
  const invalid = () => one('field_invalid_value', { detail: i.message });
  switch (i.code) {
    case 'invalid_type':
      return [i.received === 'undefined' ? one('field_missing') : one('field_invalid_type', { expected: i.expected })];
    case 'not_finite':
      return [one('field_invalid_type', { expected: 'number' })];
    case 'too_small': {
      if (i.type === 'date') return [invalid()]; // no schema has a date bound; its numbers would be milliseconds
      const min = Number(i.minimum);
      // A required text is trimmed and at least one character: blank is missing, not short.
      if (i.type === 'string') return [min === 1 ? one('field_missing') : one('field_too_short', { min })];
      if (i.type === 'array' || i.type === 'set') return [one('field_too_few', { min })];
      return [one('field_too_small', { min, ...(i.inclusive ? {} : { exclusive: 1 }) })];
    }
    case 'too_big': {
      if (i.type === 'date') return [invalid()];
      const max = Number(i.maximum);
      if (i.type === 'string') return [one('field_too_long', { max })];
      if (i.type === 'array' || i.type === 'set') return [one('field_too_many', { max })];
      return [one('field_too_big', { max, ...(i.inclusive ? {} : { exclusive: 1 }) })];
    }
    case 'invalid_string':
      if (i.validation === 'email') return [one('field_not_email')];
      if (i.validation === 'url') return [one('field_not_url')];
      if (i.validation === 'uuid') return [one('field_not_uuid')];
      if (i.validation === 'datetime' || i.validation === 'date' || i.validation === 'time') return [one('field_not_date')];
      return [invalid()];
    case 'invalid_date':
      return [one('field_not_date')];
    case 'invalid_enum_value':
    case 'invalid_union_discriminator':
      return [one('field_invalid_enum', { options: i.options.map(String).join(', ') })];
    case 'invalid_literal':
      return [one('field_invalid_enum', { options: String(i.expected) })];
    case 'unrecognized_keys':
      return i.keys.map((key) => one('field_unrecognized_key', { key }, `${field || 'request'}: unrecognized key '${key}'`));
    case 'custom': {
      // api/input-guard.ts marks its refusals: a control character anywhere in the request.
      if (i.params?.controlCharacter === true) return [one('field_control_character')];
      const own = refinementProblem(i.params);
      return [own ? one(own.code, own.params) : invalid()];
    }
    default:
      return [invalid()];
  }
}

/** Every issue's problems, in zod's order, at most MAX_PROBLEMS. */
export function zodProblems(e: ZodError): FieldProblem[] {
  return e.issues.flatMap((i) => issueProblems(i)).slice(0, MAX_PROBLEMS);
}
