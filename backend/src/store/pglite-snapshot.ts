// New PGlite databases (in memory for tests, benches and throw-away demos; a data directory on its
// first start) begin from a snapshot of a freshly migrated database instead of running initdb: initdb
// costs 3–10 s of CPU per instance on this 2-core machine, loading a snapshot ≈ 1 s. The snapshot is
// built once and cached beside the installed packages (node_modules/.cache/brevdue: as trusted as the
// code, unlike a shared temporary directory), keyed by the PGlite version and the migrations' bytes,
// so a changed migration or PGlite upgrade builds a new one. Where that folder cannot be written (a
// read-only image) it lives in memory only. The caller still runs the migrations afterwards (a no-op
// on a current snapshot), so a stale snapshot can never skip one.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';

const cached = new Map<string, Promise<Blob>>();

/**
 * A new PGlite, in memory or in `dataDir` (which must be empty), started from the migrated snapshot.
 * A cache file that does not load (damaged, truncated) is replaced once; the second failure is thrown.
 */
export async function pgliteFromSnapshot(migrationsFolder: string, dataDir: string | null, options: PGliteOptions = {},
  cacheFile = snapshotPath(migrationsFolder)): Promise<PGlite> {
  for (let attempt = 0; ; attempt++) {
    const snapshot = await migratedSnapshot(migrationsFolder, cacheFile);
    try {
      const client = dataDir ? new PGlite(dataDir, { ...options, loadDataDir: snapshot }) : new PGlite({ ...options, loadDataDir: snapshot });
      await client.waitReady;
      return client;
    } catch (e) {
      if (attempt > 0) throw e;
      cached.delete(cacheFile);
      rmSync(cacheFile, { force: true });
      // The directory was empty before: what is in it now is the failed load's.
      if (dataDir) for (const f of readdirSync(dataDir)) rmSync(path.join(dataDir, f), { recursive: true, force: true });
    }
  }
}

/**
 * The snapshot: read from the cache file each time (≈ 20 ms; a 42 MB copy kept per module instance
 * added up to gigabytes in test workers), or built now and written there. Only a snapshot that could
 * not be written stays in this process's memory.
 */
function migratedSnapshot(migrationsFolder: string, file: string): Promise<Blob> {
  const bytes = existsSync(file) ? readFileSync(file) : null;
  if (bytes && looksLikeTar(bytes)) return Promise.resolve(new Blob([bytes]));
  let p = cached.get(file);
  if (!p) {
    p = build(migrationsFolder, file);
    cached.set(file, p);
    // Written: later calls read the file. Not written: keep it. Failed: forget it, the next call tries again.
    p.then(() => { if (existsSync(file)) cached.delete(file); }, () => cached.delete(file));
  }
  return p;
}

async function build(migrationsFolder: string, file: string): Promise<Blob> {
  const client = new PGlite();
  try {
    await migrate(drizzle(client), { migrationsFolder });
    const blob = await client.dumpDataDir('none');
    // Written beside and renamed: parallel test workers never read half a file.
    const tmp = `${file}.${process.pid}.${Date.now()}`;
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(tmp, Buffer.from(await blob.arrayBuffer()));
      renameSync(tmp, file);
    } catch {
      rmSync(tmp, { force: true }); // not writable: this process keeps it in memory
    }
    return blob;
  } finally {
    await client.close();
  }
}

/**
 * An uncompressed tar of whole 512-byte records with the "ustar" magic. PGlite does not reject a
 * damaged tarball cleanly (its start-up promise never settles), so a damaged cache file is caught here
 * and built again.
 */
export function looksLikeTar(b: Buffer): boolean {
  return b.length >= 1024 && b.length % 512 === 0 && b.subarray(257, 262).toString('latin1') === 'ustar';
}

const paths = new Map<string, string>();

/** Where the snapshot of these migrations is cached; worked out once a process (it hashes every migration file). */
function snapshotPath(migrationsFolder: string): string {
  let file = paths.get(migrationsFolder);
  if (!file) paths.set(migrationsFolder, file = cachePath(migrationsFolder));
  return file;
}

function cachePath(migrationsFolder: string): string {
  const pkg = pglitePackage();
  // <node_modules>/@electric-sql/pglite → <node_modules>/.cache/brevdue
  const cache = path.resolve(pkg.dir, '..', '..', '.cache', 'brevdue');
  return path.join(cache, `pglite-${migrationsFingerprint(migrationsFolder, `${pkg.name}@${pkg.version}`)}.tar`);
}

/** A short hash of every file under the migrations folder (and of `salt`). */
export function migrationsFingerprint(migrationsFolder: string, salt = ''): string {
  const hash = createHash('sha256');
  hash.update(salt);
  const walk = (dir: string) => {
    for (const name of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, name.name);
      if (name.isDirectory()) walk(p);
      else { hash.update(name.name); hash.update(readFileSync(p)); }
    }
  };
  walk(migrationsFolder);
  return hash.digest('hex').slice(0, 16);
}

function pglitePackage(): { dir: string; name?: string; version?: string } {
  // The package's exports hide package.json; walk up from its entry point instead.
  let dir = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
  return { dir, name: pkg.name, version: pkg.version };
}
