// Opens the database: a PostgreSQL server when a URL is given, otherwise embedded PGlite
// (files under dataDir, or in memory when dataDir is null). Both run the same migrations and
// the same drizzle queries. Agenda gets a pg-Pool-shaped handle on the same database.
import { mkdirSync, readdirSync } from 'node:fs';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import pg from 'pg';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema';
import { pgliteFromSnapshot } from './pglite-snapshot';
import { MIGRATIONS_DIR } from '../paths';
import { databaseErrorOf } from './db-error';

export { databaseErrorOf };

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** The subset of pg.Pool that @agendajs/postgres-backend uses (query only, no LISTEN when embedded). */
export interface PoolLike {
  query(text: string, params?: unknown[]): Promise<{ rows: any[]; rowCount: number | null }>;
  connect(): Promise<{ query: PoolLike['query']; release(): void }>;
  end(): Promise<void>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

export interface Database {
  db: Db;
  pool: PoolLike;
  kind: 'pglite' | 'postgres';
  /** true when a LISTEN/NOTIFY-capable server is behind the pool */
  supportsNotify: boolean;
  close(): Promise<void>;
}

const MIGRATION_LOCK = 4242_0001; // advisory lock id: many processes may start at once

export async function openDatabase(opts: { databaseUrl?: string; dataDir?: string | null }): Promise<Database> {
  if (opts.databaseUrl) return openServer(opts.databaseUrl);
  return openPglite(opts.dataDir ?? null);
}

async function openServer(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 20 });
  pool.on('error', () => { /* an idle client died; the pool replaces it */ });
  const client = await pool.connect().catch((e: Error) => {
    throw new Error(`Cannot connect to PostgreSQL (${redactUrl(url)}): ${e.message}`);
  });
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await migratePg(drizzlePg(client), { migrationsFolder: MIGRATIONS_DIR });
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  return {
    db, pool: pool as unknown as PoolLike, kind: 'postgres', supportsNotify: true,
    close: () => pool.end(),
  };
}

async function openPglite(dataDir: string | null): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // A data directory with anything in it opens as it is (or initdb's as before, next to the demo key);
  // an empty one, or memory, starts from the migrated snapshot.
  const client = dataDir && readdirSync(dataDir).length > 0
    ? new PGlite(dataDir, BYTEA_AS_HEX) : await pgliteFromSnapshot(MIGRATIONS_DIR, dataDir, BYTEA_AS_HEX);
  await client.waitReady;
  const pdb = drizzlePglite(client, { schema });
  await migratePglite(pdb, { migrationsFolder: MIGRATIONS_DIR });
  // PGlite is one session: its query() waits for a running transaction() to finish, so agenda's
  // statements never land inside one of ours.
  const query: PoolLike['query'] = async (text, params) => {
    const r = await client.query(text, params as any[] | undefined);
    return { rows: r.rows as any[], rowCount: r.affectedRows ?? r.rows.length };
  };
  let closed = false;
  const pool: PoolLike = {
    query,
    connect: async () => ({ query, release: () => undefined }),
    end: async () => undefined, // the PGlite instance is closed by Database.close()
    on: () => pool,
  };
  return {
    db: pdb as unknown as Db, pool, kind: 'pglite', supportsNotify: false,
    close: async () => { if (!closed) { closed = true; await client.close(); } },
  };
}

// PGlite's own bytea conversion works a byte at a time in JavaScript (map/padStart/join out,
// parseInt per pair in): 1.5–2 s to write a 5 MB document and 0.6–0.8 s to read it. Buffer's hex
// codec does the same in ≈ 0.2 s and 0.07 s, and returns a Buffer as node-postgres does.
const BYTEA = 17;
const BYTEA_AS_HEX: PGliteOptions = {
  parsers: { [BYTEA]: (text: string) => Buffer.from(text.slice(2), 'hex') },
  serializers: {
    [BYTEA]: (value: unknown) => {
      if (!(value instanceof Uint8Array)) throw new TypeError('A bytea parameter must be a Buffer or Uint8Array');
      return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
    },
  },
};

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
}

/** A unique constraint refused the write (SQLSTATE 23505), however the driver or drizzle wrapped it. */
export function isUniqueViolation(e: unknown): boolean {
  return databaseErrorOf(e)?.code === '23505';
}
