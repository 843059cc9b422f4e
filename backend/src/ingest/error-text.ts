// Errors of the ingest path as sentences for people (mailbox health, logs, quarantine reasons).
// drizzle wraps every database error as "Failed query: <SQL> params: <values>", and the values of a
// letter's insert are its sealed bytes: copied into mailboxes.last_error they made that UPDATE fail
// on a NUL byte, and in a log they leak the letter's fields. Only the driver's own message (the
// error's cause) is kept, CPR numbers masked, control characters removed, and the length bounded.
import { safeText } from '../util/safe-text';
import { errorMessage } from '../log';
import { ConnectorSetupError, ProviderError, type MailboxErrorKind } from './connector';
import { NgdpCertificateError, certificateErrorKind } from './ngdp/tls';
import { databaseErrorOf } from '../store/db';

export { safeText };

/**
 * One sentence for an error of fetching or storing: a provider's own sentence as it is; a database
 * error as what PostgreSQL said (never the query or its values); anything else with its message.
 */
export function ingestErrorText(e: unknown, doing = 'Fetching failed'): string {
  if (e instanceof ProviderError) return safeText(e.message);
  return safeText(`${doing}: ${errorMessage(e)}`); // errorMessage: the server's words, never the query
}

/** The kind of an error of fetching or storing (what a person should do), stored beside its sentence. */
export function ingestErrorKind(e: unknown): MailboxErrorKind {
  if (e instanceof ProviderError || e instanceof ConnectorSetupError) return e.kind;
  if (e instanceof NgdpCertificateError) return certificateErrorKind(e); // building the TLS transport
  if (databaseErrorOf(e)) return 'database';
  return 'unknown';
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
