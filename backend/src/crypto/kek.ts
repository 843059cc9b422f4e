// Where the key-encryption key comes from: BREVDUE_KEK (base64, 32 bytes) in production; in demo
// mode a key generated once and kept beside the embedded database (never in the repository).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

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
