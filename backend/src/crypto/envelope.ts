// Envelope encryption for letter content at rest: each value gets its own AES-256-GCM data key,
// which is itself wrapped with the key-encryption key (KEK) from configuration. Only the KEK id
// is stored in clear, so the KEK can be rotated by re-wrapping data keys, never touching content.
//
// Layout: [1 byte format=1][1 byte kekId length][kekId][12 iv_k][16 tag_k][32 wrapped key][12 iv][16 tag][ciphertext]
//          \________________________ header (62 + id length bytes) ___________________/
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export interface Kek { id: string; key: Buffer }

export interface Sealer {
  seal(plain: Buffer | string): Buffer;
  /** Opens a value sealed under any configured key (the current one or a previous one). */
  open(sealed: Buffer): Buffer;
  /** The key new values are sealed with. */
  readonly currentKeyId: string;
  /** The id of the key a sealed value's data key is wrapped with. */
  keyIdOf(sealed: Buffer): string;
  /**
   * Re-wraps a value's data key under the current key. Takes only the header (the first
   * MAX_HEADER_BYTES bytes are enough) and returns the new header and how many bytes of the old one it
   * replaces; null when the value already uses the current key. Content bytes are never needed.
   */
  rewrapHeader(prefix: Buffer): { oldLength: number; header: Buffer } | null;
  /** A whole value re-wrapped (same content ciphertext); the value itself when already current. */
  rewrap(sealed: Buffer): Buffer;
  /** A 32-byte key derived (HKDF-SHA-256) from each configured KEK for `info`, current first. */
  deriveKeys(info: string): Kek[];
}

const FORMAT = 1;
/** Longest possible header: 2 + 64 (id) + 12 + 16 + 32. */
export const MAX_HEADER_BYTES = 126;

/** One key (id 'k1' by default) or a key ring: `keys[0]` is current, the rest still open old values. */
export function createSealer(kek: Buffer | Kek[], kekId = 'k1'): Sealer {
  const keys: Kek[] = Buffer.isBuffer(kek) ? [{ id: kekId, key: kek }] : kek;
  if (keys.length === 0) throw new Error('At least one key-encryption key is needed.');
  const byId = new Map<string, Buffer>();
  for (const k of keys) {
    if (k.key.length !== 32) throw new Error(`The key-encryption key "${k.id}" must be 32 bytes (base64 of 32 random bytes).`);
    const len = Buffer.byteLength(k.id, 'utf8');
    if (len === 0 || len > 64) throw new Error('The key id must be 1 to 64 bytes.');
    if (byId.has(k.id)) throw new Error(`Two key-encryption keys have the id "${k.id}"; give each key its own id.`);
    byId.set(k.id, k.key);
  }
  const current = keys[0];
  const currentId = Buffer.from(current.id, 'utf8');

  const parseHeader = (sealed: Buffer) => {
    if (sealed.length < 2 || sealed[0] !== FORMAT) throw new Error('Encrypted value has an unknown format.');
    const idLen = sealed[1];
    const id = sealed.subarray(2, 2 + idLen).toString('utf8');
    const o = 2 + idLen;
    if (sealed.length < o + 60) throw new Error('Encrypted value is truncated.');
    const key = byId.get(id);
    if (!key) {
      const configured = keys.length === 1 ? `the configured key is "${current.id}"` : `the configured keys are ${keys.map((k) => `"${k.id}"`).join(', ')}`;
      throw new Error(`Encrypted with key "${id}", but ${configured}. Add that key to BREVDUE_KEK_PREVIOUS to read it.`);
    }
    const dek = ungcm(key, sealed.subarray(o, o + 12), sealed.subarray(o + 12, o + 28), sealed.subarray(o + 28, o + 60));
    return { id, dek, headerLength: o + 60 };
  };

  const header = (dek: Buffer) => {
    const wrapped = gcm(current.key, dek);
    return Buffer.concat([Buffer.from([FORMAT, currentId.length]), currentId, wrapped.iv, wrapped.tag, wrapped.ct]);
  };

  const sealer: Sealer = {
    currentKeyId: current.id,
    seal(plain) {
      const data = typeof plain === 'string' ? Buffer.from(plain, 'utf8') : plain;
      const dek = randomBytes(32);
      const body = gcm(dek, data);
      return Buffer.concat([header(dek), body.iv, body.tag, body.ct]);
    },
    open(sealed) {
      const { dek, headerLength } = parseHeader(sealed);
      const b = sealed.subarray(headerLength);
      return ungcm(dek, b.subarray(0, 12), b.subarray(12, 28), b.subarray(28));
    },
    keyIdOf(sealed) {
      if (sealed.length < 2 || sealed[0] !== FORMAT) throw new Error('Encrypted value has an unknown format.');
      return sealed.subarray(2, 2 + sealed[1]).toString('utf8');
    },
    rewrapHeader(prefix) {
      if (sealer.keyIdOf(prefix) === current.id) return null;
      const { dek, headerLength } = parseHeader(prefix);
      return { oldLength: headerLength, header: header(dek) };
    },
    rewrap(sealed) {
      const r = sealer.rewrapHeader(sealed);
      return r ? Buffer.concat([r.header, sealed.subarray(r.oldLength)]) : sealed;
    },
    deriveKeys(info) {
      return keys.map((k) => ({ id: k.id, key: Buffer.from(hkdfSync('sha256', k.key, Buffer.alloc(0), info, 32)) }));
    },
  };
  return sealer;
}

function gcm(key: Buffer, data: Buffer) {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([c.update(data), c.final()]);
  return { iv, tag: c.getAuthTag(), ct };
}

function ungcm(key: Buffer, iv: Buffer, tag: Buffer, ct: Buffer): Buffer {
  const d = createDecipheriv('aes-256-gcm', key, iv);
  d.setAuthTag(tag);
  try {
    return Buffer.concat([d.update(ct), d.final()]);
  } catch {
    throw new Error('Encrypted value failed its integrity check (wrong key or tampered data).');
  }
}
