// Key rotation: new values use the current key, old ones still open while the old key is configured,
// and re-wrapping changes only the wrapped data key (content ciphertext byte for byte the same).
import { randomBytes } from 'node:crypto';
import { createSealer, MAX_HEADER_BYTES } from '../../backend/src/crypto/envelope';
import { loadKeyring } from '../../backend/src/crypto/kek';

describe('key rotation', () => {
  const k1 = { id: 'k1', key: randomBytes(32) };
  const k2 = { id: 'k2', key: randomBytes(32) };
  const before = createSealer(k1.key); // the default id is k1, as every value sealed before rotation
  const during = createSealer([k2, k1]);
  const after = createSealer([k2]);

  test('new values are sealed with the current key; old ones still open during the rotation', () => {
    const old = before.seal('brev før');
    const nw = during.seal('brev efter');
    expect(during.keyIdOf(old)).toBe('k1');
    expect(during.keyIdOf(nw)).toBe('k2');
    expect(during.open(old).toString()).toBe('brev før');
    expect(after.open(nw).toString()).toBe('brev efter');
    expect(() => after.open(old)).toThrow(/key "k1".*configured key is "k2".*BREVDUE_KEK_PREVIOUS/);
  });

  test('rewrap replaces only the header; the content ciphertext is untouched and opens with the new key alone', () => {
    const plain = randomBytes(5000);
    const old = before.seal(plain);
    const re = during.rewrap(old);
    const oldHeader = 2 + 2 + 60; // format, id length, "k1", iv+tag+wrapped key
    const newHeader = 2 + 2 + 60;
    expect(re.subarray(newHeader).equals(old.subarray(oldHeader))).toBe(true);
    expect(re.subarray(0, newHeader).equals(old.subarray(0, oldHeader))).toBe(false);
    expect(after.open(re).equals(plain)).toBe(true);
    expect(during.rewrap(re)).toBe(re); // already current: nothing to do
    expect(during.rewrapHeader(re.subarray(0, MAX_HEADER_BYTES))).toBeNull();
  });

  test('rewrapHeader works from the header bytes alone', () => {
    const old = before.seal('x'.repeat(1000));
    const r = during.rewrapHeader(old.subarray(0, MAX_HEADER_BYTES))!;
    const re = Buffer.concat([r.header, old.subarray(r.oldLength)]);
    expect(after.open(re).toString()).toBe('x'.repeat(1000));
  });

  test('a tampered wrapped key is refused when re-wrapping', () => {
    const old = before.seal('y');
    old[10] ^= 1;
    expect(() => during.rewrap(old)).toThrow(/integrity/);
  });

  test('derived keys differ per KEK and per purpose, and are stable', () => {
    const a = during.deriveKeys('brevdue-cpr-index');
    expect(a.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(a[0].key.equals(a[1].key)).toBe(false);
    expect(a[1].key.equals(before.deriveKeys('brevdue-cpr-index')[0].key)).toBe(true);
    expect(a[0].key.equals(during.deriveKeys('other')[0].key)).toBe(false);
  });

  test('the key ring from the environment: bare key is k1, ids with a colon, duplicates refused', () => {
    const b64 = (b: Buffer) => b.toString('base64');
    const ring = loadKeyring({ envValue: `k2:${b64(k2.key)}`, previous: b64(k1.key), dataDir: null, demo: false });
    expect(ring.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(ring[1].key.equals(k1.key)).toBe(true);
    expect(() => loadKeyring({ envValue: b64(k2.key), previous: b64(k1.key), dataDir: null, demo: false })).toThrow(/Two key-encryption keys have the id "k1"/);
    expect(() => loadKeyring({ envValue: 'k2:c2hvcnQ=', dataDir: null, demo: false })).toThrow(/BREVDUE_KEK: key "k2" must be base64 of exactly 32 bytes/);
    expect(() => createSealer([k1, { id: 'k1', key: k2.key }])).toThrow(/own id/);
  });
});
