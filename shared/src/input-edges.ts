// The edges every external input is held to before it reaches PostgreSQL, shared by the API's
// schemas (shared/src/contracts.ts, backend/src/api/*) and the add-in. Each value here once passed
// validation and then made PostgreSQL fail, answered as a 500:
// - strings: PostgreSQL's text cannot hold NUL (22021); the other C0 control characters and DEL are
//   never meant in anything a person types (tab, line feed and carriage return are);
// - days and date-times: JavaScript reads year 0000 and offsets such as +99:99, PostgreSQL does not
//   (22008, 22009): years 0001–9999 and offsets within ±14:59 only;
// - whole numbers: the column (or OFFSET) they end up in has a range (22003).
// Pure, no Node APIs: the add-in checks with the same functions.
import { z } from 'zod';

/** C0 control characters but tab (U+0009), line feed (U+000A) and carriage return (U+000D), and DEL. */
export const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const NO_CONTROL_CHARACTER = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$/;
export const CONTROL_CHARACTER_MESSAGE = 'must not contain control characters (such as NUL); remove them and try again';

export const hasControlCharacter = (s: string): boolean => CONTROL_CHARACTER.test(s);

/**
 * z.string() that refuses control characters; chain .trim(), .min(), .max(), .email() … as on
 * z.string() (it is one: a regex check).
 */
export function text(message: string = CONTROL_CHARACTER_MESSAGE): z.ZodString {
  return z.string().regex(NO_CONTROL_CHARACTER, message);
}

/**
 * Where in a parsed request (query, JSON body) a string holds a control character: the path to the
 * first one (keys included: a key is input too), or null. Depth-bounded; JSON bodies are ≤ 1 MB.
 */
export function controlCharacterPath(value: unknown, path: (string | number)[] = [], depth = 0): (string | number)[] | null {
  if (typeof value === 'string') return hasControlCharacter(value) ? path : null;
  if (depth > 64 || value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = controlCharacterPath(value[i], [...path, i], depth + 1);
      if (p) return p;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (hasControlCharacter(k)) return [...path, k.replace(new RegExp(CONTROL_CHARACTER, 'g'), '?')];
    const p = controlCharacterPath(v, [...path, k], depth + 1);
    if (p) return p;
  }
  return null;
}

export const YEAR_MIN = 1;
export const YEAR_MAX = 9999;

/** A calendar day YYYY-MM-DD in years 0001–9999 (2025-02-30 is none: Date would roll it into March). */
export function isCalendarDay(v: string): boolean {
  const m = /^(\d{4})-\d{2}-\d{2}$/.exec(v);
  if (!m || +m[1] < YEAR_MIN) return false; // 0000: JavaScript reads it, PostgreSQL has no year 0
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

const ISO_DATE_TIME = z.string().datetime({ offset: true });
/** The offset at the end of an ISO date-time: Z, or ±HH:MM / ±HHMM. */
const OFFSET = /(?:[+-](\d{2}):?(\d{2}))$/;

/**
 * An ISO 8601 date-time with Z or an offset (2025-03-31T12:00:00+02:00), in years 0001–9999 and with
 * an offset of at most ±14:59 (the world's offsets are −12:00 to +14:00; PostgreSQL refuses beyond ±15:59).
 */
export function isDateTime(v: string): boolean {
  if (!ISO_DATE_TIME.safeParse(v).success || !isCalendarDay(v.slice(0, 10))) return false;
  const m = OFFSET.exec(v);
  if (m && (+m[1] > 14 || +m[2] > 59)) return false;
  return !Number.isNaN(Date.parse(v));
}

/** A day (YYYY-MM-DD) as z.string(), trimmed; `message` says what is expected. */
export const day = (message = 'must be a date, YYYY-MM-DD') => z.string().trim().refine(isCalendarDay, message);
/** An ISO date-time with offset as z.string(), trimmed. */
export const dateTime = (message = 'must be a date and time (ISO 8601, such as 2025-03-31T12:00:00+02:00)') =>
  z.string().trim().refine(isDateTime, message);
/** A day or a date-time (YYYY-MM-DD or ISO 8601 with offset). */
export const dayOrDateTime = (message = 'must be a date like 2025-03-31 or a date-time like 2025-03-31T12:00:00+02:00') =>
  z.string().trim().refine((v) => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? isCalendarDay(v) : isDateTime(v)), message);

/** PostgreSQL integer (int4): serial ids, sequence numbers, versions, counts. */
export const PG_INTEGER_MAX = 2_147_483_647;

/**
 * A whole number from a query string or body (strings are coerced), within [min, max]; max defaults
 * to what a PostgreSQL integer holds. Messages name the field, e.g. "offset must be a whole number".
 */
export function wholeNumber(field: string, opts: { min?: number; max?: number; maxMessage?: string } = {}) {
  const min = opts.min ?? 0;
  const max = opts.max ?? PG_INTEGER_MAX;
  return z.coerce.number({ invalid_type_error: `${field} must be a number` })
    .int(`${field} must be a whole number`)
    .min(min, `${field} must be at least ${min.toLocaleString('en')}`)
    .max(max, opts.maxMessage ?? `${field} is at most ${max.toLocaleString('en')}`);
}
