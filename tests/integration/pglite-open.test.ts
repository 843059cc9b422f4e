// New PGlite databases start from a cached snapshot of the migrated schema instead of initdb: the
// snapshot is written once, reused, replaced when damaged, and a data directory made from it is a
// normal persistent database. Bytea crosses PGlite's boundary through Buffer's hex codec.
import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { openDatabase } from '../../backend/src/store/db';
import { MIGRATIONS_DIR } from '../../backend/src/paths';
import { looksLikeTar, migrationsFingerprint, pgliteFromSnapshot } from '../../backend/src/store/pglite-snapshot';

describe('PGlite snapshot of the migrated schema', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(path.join(tmpdir(), 'brevdue-snapshot-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const migrationsApplied = async (client: PGlite) =>
    Number((await client.query<{ n: number }>('select count(*)::int as n from drizzle.__drizzle_migrations')).rows[0].n);
  const journalEntries = () => readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).length;

  test('is built and written once, then loaded from the file; a damaged file is replaced', async () => {
    const file = path.join(dir, 'cache', 'snap.tar');
    const first = await pgliteFromSnapshot(MIGRATIONS_DIR, null, {}, file);
    expect(await migrationsApplied(first)).toBe(journalEntries());
    await first.close();
    const written = statSync(file);
    expect(written.size).toBeGreaterThan(1_000_000);

    // Loaded again (read from the file): same schema, file untouched, an independent database.
    const second = await pgliteFromSnapshot(MIGRATIONS_DIR, null, {}, file);
    await second.query(`insert into organisations (name) values ('Nordlys ApS')`);
    const third = await pgliteFromSnapshot(MIGRATIONS_DIR, null, {}, file);
    expect((await third.query('select * from organisations')).rows).toEqual([]);
    expect(statSync(file).mtimeMs).toBe(written.mtimeMs);
    await Promise.all([second.close(), third.close()]);

    // Another path (a process that has not built it) finds a damaged file and builds anew.
    const good = readFileSync(file);
    expect(looksLikeTar(good)).toBe(true);
    expect(looksLikeTar(good.subarray(0, 1_000_000 + 17))).toBe(false); // cut short
    expect(looksLikeTar(good.subarray(0, 1_000_448))).toBe(true); // cut on a record: the load itself fails, then the retry builds
    const damaged = path.join(dir, 'garbage.tar');
    writeFileSync(damaged, Buffer.alloc(4096, 7));
    const mended = await pgliteFromSnapshot(MIGRATIONS_DIR, null, {}, damaged);
    expect(await migrationsApplied(mended)).toBe(journalEntries());
    await mended.close();
    expect(statSync(damaged).size).toBe(written.size);
  }, 120_000);

  test('bytea goes in and out as Buffers, byte for byte, and anything else is refused with a reason', async () => {
    const db = await openDatabase({ dataDir: null });
    try {
      const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const big = Buffer.alloc(3_000_000, every);
      const r = await db.pool.query('select $1::bytea as empty, $2::bytea as every, $3::bytea as big, length($3::bytea) as n',
        [Buffer.alloc(0), new Uint8Array(every), big.subarray(5)]);
      expect(Buffer.isBuffer(r.rows[0].every)).toBe(true);
      expect(r.rows[0].empty).toEqual(Buffer.alloc(0));
      expect(r.rows[0].every.equals(every)).toBe(true);
      expect(r.rows[0].big.equals(big.subarray(5))).toBe(true);
      expect(r.rows[0].n).toBe(big.length - 5);
      await expect(db.pool.query('select $1::bytea', ['\\x00'])).rejects.toThrow(/bytea parameter must be a Buffer/);
    } finally {
      await db.close();
    }
  });

  test('an empty data directory becomes a persistent database; one with files is opened as it is', async () => {
    const dataDir = path.join(dir, 'data');
    const db = await openDatabase({ dataDir });
    expect(existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);
    await db.pool.query(`insert into organisations (name) values ('Sønderå Kommune')`);
    await db.close();
    const again = await openDatabase({ dataDir });
    expect((await again.pool.query('select name from organisations')).rows).toEqual([{ name: 'Sønderå Kommune' }]);
    await again.close();
  }, 120_000);

  test('the fingerprint follows the migrations\' bytes and the salt', () => {
    const copy = path.join(dir, 'migrations');
    cpSync(MIGRATIONS_DIR, copy, { recursive: true });
    expect(migrationsFingerprint(copy)).toBe(migrationsFingerprint(MIGRATIONS_DIR));
    expect(migrationsFingerprint(copy, 'pglite@1')).not.toBe(migrationsFingerprint(copy, 'pglite@2'));
    const last = readdirSync(copy).filter((f) => f.endsWith('.sql')).sort().at(-1)!;
    appendFileSync(path.join(copy, last), '\n-- changed\n');
    expect(migrationsFingerprint(copy)).not.toBe(migrationsFingerprint(MIGRATIONS_DIR));
  });
});
