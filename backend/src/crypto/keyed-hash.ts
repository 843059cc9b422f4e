// Keyed hashes for values that must be compared but never read back: HMAC-SHA-256 under a secret
// key, truncated and base64url-encoded. The assistant stores its features so (triage/assistant-store.ts),
// as the CPR index stores CPR numbers (dsr/cpr-index.ts): without the key nobody can test a guessed
// word against a stored hash, which a plain hash would allow for every word of a dictionary.
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/** Bytes of the HMAC kept: 16 (128 bits, 22 base64url characters) — collisions are out of reach. */
export const KEYED_HASH_BYTES = 16;

/**
 * A function from a value to its keyed hash (22 base64url characters) under `key` (32 bytes). With
 * `memo`, up to that many values' hashes are kept at hand (then it starts again): an HMAC costs ≈ 2 µs,
 * and the assistant hashes the same few thousand stems for every letter.
 */
export function keyedHasher(key: Buffer, memo = 0): (value: string) => string {
  if (key.length !== 32) throw new Error('A keyed-hash key must be 32 bytes.');
  const k: KeyObject = createSecretKey(key);
  const hash = (value: string) => createHmac('sha256', k).update(value, 'utf8').digest().subarray(0, KEYED_HASH_BYTES).toString('base64url');
  if (memo <= 0) return hash;
  const seen = new Map<string, string>();
  return (value) => {
    let h = seen.get(value);
    if (h === undefined) {
      if (seen.size >= memo) seen.clear();
      seen.set(value, h = hash(value));
    }
    return h;
  };
}
