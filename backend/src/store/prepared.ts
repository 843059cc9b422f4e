// Hot statements (those run for every letter: its routing, its delivery) as named prepared statements.
// PostgreSQL then parses and plans each once per connection instead of on every call, and drizzle
// builds its SQL once per process instead of on every call. Measured on this project's 2-core
// machine (bench/.scratch-style, 3,000 calls, PostgreSQL 15): a delivery's load (a 5-table join)
// cost the server 540 µs a call unnamed and 50 µs named, and drizzle 316 µs to build it
// (docs/PERFORMANCE.md, session 9).
//
// Rules for callers: a name stands for exactly one SQL text (node-postgres refuses a second text under
// a name on the same connection), so values go in as `sql.placeholder(...)`, never interpolated, and
// lists as one array parameter (`= ANY(...)`), never `inArray` (its text grows with the list).
// PGlite ignores the name and runs the same SQL.
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Db, Tx } from './db';

type Handle = Db | Tx;
const cache = new WeakMap<object, Map<string, unknown>>();

/**
 * The prepared query `make` builds for this database handle, built once per handle and name.
 * `make` must end in `.prepare(name)` with the same name.
 */
export function prepared<T>(db: Handle, name: string, make: (db: Handle) => T): T {
  let byName = cache.get(db);
  if (!byName) cache.set(db, (byName = new Map()));
  let p = byName.get(name) as T | undefined;
  if (p === undefined) {
    p = make(db);
    byName.set(name, p);
  }
  return p;
}

const dialect = new PgDialect();

export interface PreparedSql {
  /** Runs the statement with its placeholders' values; rows as the driver returns them (snake_case columns). */
  execute(values?: Record<string, unknown>): Promise<unknown>;
}

/** A hand-written statement (`sql` with placeholders) as a named prepared statement on this handle. */
export function preparedSql(db: Handle, name: string, query: () => SQL): PreparedSql {
  return prepared(db, name, (h) => h._.session.prepareQuery(dialect.sqlToQuery(query()), undefined, name, false) as unknown as PreparedSql);
}

/** The rows of a raw result (node-postgres and PGlite both answer `{ rows }`). */
export function rowsOf<R>(result: unknown): R[] {
  return (result as { rows: R[] }).rows;
}
