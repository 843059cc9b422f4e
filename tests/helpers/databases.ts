// The databases every integration test runs against: embedded PGlite always, and the PostgreSQL
// server named by TEST_DATABASE_URL when set (CI sets it). Each test gets a fresh database.
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { openDatabase } from '../../backend/src/store/db';
import { MIGRATIONS_DIR } from '../../backend/src/paths';
import { migrationsFingerprint } from '../../backend/src/store/pglite-snapshot';

export interface TestDatabase {
  name: 'pglite' | 'postgres';
  /**
   * Creates a fresh database and returns how to open it, plus a cleanup. It holds the migrated schema
   * (as the product would make it on first start) unless `empty` asks for a bare one.
   */
  create(opts?: { empty?: boolean }): Promise<{ databaseUrl?: string; dataDir: null; drop(): Promise<void> }>;
}

const pglite: TestDatabase = {
  name: 'pglite',
  create: async () => ({ dataDir: null, drop: async () => undefined }),
};

function server(url: string): TestDatabase {
  const withAdmin = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try { return await fn(c); } finally { await c.end(); }
  };
  const urlOf = (name: string) => { const u = new URL(url); u.pathname = `/${name}`; return u.toString(); };

  // The server's migrated template database for the current migrations, made once by whichever worker
  // comes first (an advisory lock orders them), then copied for every test.
  let templateReady: Promise<string> | undefined;
  const migratedTemplate = () => templateReady ??= withAdmin(async (c) => {
    const template = `brevdue_tpl_${migrationsFingerprint(MIGRATIONS_DIR)}`;
    await c.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    try {
      const found = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
      if (found.rowCount) return template;
      // Templates of earlier migrations are of no use to this checkout, but another checkout on the same
      // server (a CI clone beside a working tree) may still be copying its own: keep the three newest
      // (database oids grow) and drop the rest.
      const stale = await c.query(
        `SELECT datname FROM pg_database WHERE datname LIKE 'brevdue\\_tpl\\_%' AND datname <> $1 ORDER BY oid DESC OFFSET 3`,
        [template]);
      for (const { datname } of stale.rows) await c.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      // Built under another name and renamed, so no worker ever copies a half-migrated template.
      const building = `${template}_building`;
      await c.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
      await c.query(`CREATE DATABASE ${building}`);
      const database = await openDatabase({ databaseUrl: urlOf(building) });
      await database.close();
      await c.query(`ALTER DATABASE ${building} RENAME TO ${template}`);
      return template;
    } finally {
      await c.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
    }
  });

  return {
    name: 'postgres',
    async create(opts) {
      const name = `brevdue_test_${randomBytes(6).toString('hex')}`;
      // A copy of the migrated template: running the migrations on every test's database costs
      // about a second each; copying a template, a tenth of that.
      const template = opts?.empty ? null : await migratedTemplate();
      await withAdmin((c) => c.query(template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`));
      return {
        databaseUrl: urlOf(name),
        dataDir: null,
        drop: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
      };
    },
  };
}
const TEMPLATE_LOCK = 4242_0099;

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
