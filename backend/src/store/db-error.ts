// A database error, whoever wrapped it: drizzle wraps every failure as "Failed query: <SQL> params:
// <values>" with the driver's error as its cause, and the values of a letter's statements are its
// fields and sealed bytes. Callers that turn an error into a sentence (log lines, stored last
// errors, answers) read the server's own message through this, never the wrapper's. No imports:
// log.ts uses it, and everything uses log.ts.

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
