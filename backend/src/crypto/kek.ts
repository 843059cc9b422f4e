// Where the key-encryption key comes from: BREVDUE_KEK (base64, 32 bytes) in production; in demo
// mode a key generated once and kept beside the embedded database (never in the repository).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Kek } from './envelope';

export function loadKek(opts: { envValue?: string; dataDir: string | null; demo: boolean }): Buffer {
  if (opts.envValue) {
    const k = Buffer.from(opts.envValue, 'base64');
    if (k.length !== 32) throw new Error('BREVDUE_KEK must be base64 of exactly 32 bytes (e.g. `openssl rand -base64 32`).');
    return k;
  }
  if (!opts.demo) throw new Error('BREVDUE_KEK is not set. Production needs a key-encryption key: set BREVDUE_KEK to `openssl rand -base64 32`.');
  if (!opts.dataDir) return randomBytes(32); // in-memory database: the key lives as long as it does
  const file = path.join(opts.dataDir, 'demo-kek.key');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  mkdirSync(opts.dataDir, { recursive: true });
  const k = randomBytes(32);
  writeFileSync(file, k.toString('base64'), { mode: 0o600 });
  return k;
}

/**
 * The key ring for rotation. BREVDUE_KEK is the current key: base64, or `id:base64` (a bare key has
 * the id "k1", the id every value sealed before rotation carries). BREVDUE_KEK_PREVIOUS lists older
 * keys, comma-separated, in the same form: they still open old values until `brevdue keys rewrap`
 * has re-wrapped them under the current key. Returns the current key first.
 */
export function loadKeyring(opts: { envValue?: string; previous?: string; dataDir: string | null; demo: boolean }): Kek[] {
  const current = opts.envValue ? parseKekSpec(opts.envValue, 'BREVDUE_KEK') : { id: 'k1', key: loadKek(opts) };
  const previous = (opts.previous ?? '').split(',').map((s) => s.trim()).filter(Boolean).map((s) => parseKekSpec(s, 'BREVDUE_KEK_PREVIOUS'));
  const ids = new Set<string>();
  for (const k of [current, ...previous]) {
    if (ids.has(k.id)) throw new Error(`Two key-encryption keys have the id "${k.id}": write each as id:base64 with its own id (e.g. BREVDUE_KEK=k2:… and BREVDUE_KEK_PREVIOUS=k1:…).`);
    ids.add(k.id);
  }
  return [current, ...previous];
}

function parseKekSpec(spec: string, variable: string): Kek {
  const m = /^([A-Za-z0-9._-]{1,64}):(.+)$/.exec(spec.trim());
  const id = m ? m[1] : 'k1';
  const key = Buffer.from(m ? m[2] : spec.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${variable}: key "${id}" must be base64 of exactly 32 bytes (e.g. \`openssl rand -base64 32\`), optionally prefixed with an id and a colon.`);
  return { id, key };
}
