// The databases every integration test runs against: embedded PGlite always, and the PostgreSQL
// server named by TEST_DATABASE_URL when set (CI sets it). Each test gets a fresh database.
import pg from 'pg';
import { randomBytes } from 'node:crypto';

export interface TestDatabase {
  name: 'pglite' | 'postgres';
  /** Creates a fresh, empty database and returns how to open it, plus a cleanup. */
  create(): Promise<{ databaseUrl?: string; dataDir: null; drop(): Promise<void> }>;
}

const pglite: TestDatabase = {
  name: 'pglite',
  create: async () => ({ dataDir: null, drop: async () => undefined }),
};

function server(url: string): TestDatabase {
  return {
    name: 'postgres',
    async create() {
      const name = `brevdue_test_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const u = new URL(url);
      u.pathname = `/${name}`;
      return {
        databaseUrl: u.toString(),
        dataDir: null,
        async drop() {
          const c = new pg.Client({ connectionString: url });
          await c.connect();
          await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await c.end();
        },
      };
    },
  };
}

export const testDatabases: TestDatabase[] = process.env.TEST_DATABASE_URL
  ? [pglite, server(process.env.TEST_DATABASE_URL)]
  : [pglite];

/** Polls `check` until it returns a truthy value or the time is up. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
