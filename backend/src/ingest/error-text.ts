// Errors of the ingest path as sentences for people (mailbox health, logs, quarantine reasons).
// drizzle wraps every database error as "Failed query: <SQL> params: <values>", and the values of a
// letter's insert are its sealed bytes: copied into mailboxes.last_error they made that UPDATE fail
// on a NUL byte, and in a log they leak the letter's fields. Only the driver's own message (the
// error's cause) is kept, CPR numbers masked, control characters removed, and the length bounded.
import { maskCpr } from '../../../shared/src/identifiers';
import { ProviderError } from './connector';
import { databaseErrorOf } from '../store/db';

const MAX_CHARS = 400;

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
