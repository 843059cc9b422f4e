// Errors of the ingest path as sentences for people (mailbox health, logs, quarantine reasons).
// drizzle wraps every database error as "Failed query: <SQL> params: <values>", and the values of a
// letter's insert are its sealed bytes: copied into mailboxes.last_error they made that UPDATE fail
// on a NUL byte, and in a log they leak the letter's fields. Only the driver's own message (the
// error's cause) is kept, CPR numbers masked, control characters removed, and the length bounded.
import { maskCpr } from '../../../shared/src/identifiers';
import { ProviderError } from './connector';

const MAX_CHARS = 400;

interface DbErrorLike { code?: unknown; message?: unknown; query?: unknown; params?: unknown; cause?: unknown }

/** The PostgreSQL error inside `e` (drizzle's wrapper or the driver's own), or null when `e` is not one. */
export function databaseErrorOf(e: unknown): { code: string | null; message: string } | null {
  let wrapped = false;
  let inner: string | null = null;
  for (let c: unknown = e, depth = 0; c && typeof c === 'object' && depth < 5; c = (c as DbErrorLike).cause, depth++) {
    const x = c as DbErrorLike;
    // SQLSTATEs are five characters; node's own codes (EPIPE, ECONNRESET) start with E, no SQLSTATE class does.
    // (PGlite's own error carries `query` and `params` too, so the code is looked at first.)
    if (typeof x.code === 'string' && /^[0-9A-DF-Z][0-9A-Z]{4}$/.test(x.code)) {
      return { code: x.code, message: typeof x.message === 'string' ? x.message : 'unknown database error' };
    }
    if (typeof x.query === 'string' && 'params' in x) { wrapped = true; continue; }
    if (wrapped && inner === null && typeof x.message === 'string') inner = x.message;
  }
  // A query that failed without a server's answer (connection lost, pool closed).
  return wrapped ? { code: null, message: inner ?? 'the query failed' } : null;
}

/** Text safe to store and log: CPR numbers masked, no control characters (NUL breaks a text column), bounded. */
export function safeText(s: string, max = MAX_CHARS): string {
  // eslint-disable-next-line no-control-regex
  const clean = maskCpr(s.replace(/[\u0000-\u0008\u000B-\u001F\u007F]+/g, ' ').replace(/\s+/g, ' ').trim());
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/**
 * One sentence for an error of fetching or storing: a provider's own sentence as it is; a database
 * error as what PostgreSQL said (never the query or its values); anything else with its message.
 */
export function ingestErrorText(e: unknown, doing = 'Fetching failed'): string {
  if (e instanceof ProviderError) return safeText(e.message);
  const db = databaseErrorOf(e);
  if (db) return safeText(`${doing}: the database answered ${db.code ? `(${db.code}) ` : ''}"${db.message}"`);
  const message = e instanceof Error ? e.message : String(e);
  // A wrapper we do not know that still quotes a query: keep only its first line.
  return safeText(`${doing}: ${message.startsWith('Failed query:') ? 'a database query failed' : message}`);
}

/**
 * Whether a database error concerns this one letter (PostgreSQL refused its values: data exceptions,
 * constraint violations other than the handled uniqueness, program limits such as an oversized row)
 * rather than the database itself (connection, shutdown, resources), which fails the whole poll.
 */
export function letterRefusedByDatabase(e: unknown): boolean {
  const db = databaseErrorOf(e);
  if (!db?.code) return false;
  return db.code.startsWith('22') || db.code.startsWith('54') || (db.code.startsWith('23') && db.code !== '23505');
}
