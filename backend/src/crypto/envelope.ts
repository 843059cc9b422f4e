// Envelope encryption for letter content at rest: each value gets its own AES-256-GCM data key,
// which is itself wrapped with the key-encryption key (KEK) from configuration. Only the KEK id
// is stored in clear, so the KEK can be rotated later by re-wrapping data keys, not content.
//
// Layout: [1 byte format=1][1 byte kekId length][kekId][12 iv_k][16 tag_k][32 wrapped key][12 iv][16 tag][ciphertext]
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface Sealer {
  seal(plain: Buffer | string): Buffer;
  open(sealed: Buffer): Buffer;
}

const FORMAT = 1;

export function createSealer(kek: Buffer, kekId = 'k1'): Sealer {
  if (kek.length !== 32) throw new Error('The key-encryption key must be 32 bytes (base64 of 32 random bytes).');
  const id = Buffer.from(kekId, 'utf8');
  if (id.length === 0 || id.length > 64) throw new Error('The key id must be 1 to 64 bytes.');
  return {
    seal(plain) {
      const data = typeof plain === 'string' ? Buffer.from(plain, 'utf8') : plain;
      const dek = randomBytes(32);
      const wrapped = gcm(kek, dek);
      const body = gcm(dek, data);
      return Buffer.concat([Buffer.from([FORMAT, id.length]), id, wrapped.iv, wrapped.tag, wrapped.ct, body.iv, body.tag, body.ct]);
    },
    open(sealed) {
      if (sealed.length < 2 || sealed[0] !== FORMAT) throw new Error('Encrypted value has an unknown format.');
      const idLen = sealed[1];
      const storedId = sealed.subarray(2, 2 + idLen).toString('utf8');
      if (storedId !== kekId) throw new Error(`Encrypted with key "${storedId}", but the configured key is "${kekId}".`);
      let o = 2 + idLen;
      const take = (n: number) => { const b = sealed.subarray(o, o + n); o += n; return b; };
      const dek = ungcm(kek, take(12), take(16), take(32));
      const iv = take(12); const tag = take(16);
      return ungcm(dek, iv, tag, sealed.subarray(o));
    },
  };
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
