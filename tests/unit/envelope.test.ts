import { randomBytes } from 'node:crypto';
import { createSealer } from '../../backend/src/crypto/envelope';

describe('envelope encryption', () => {
  const kek = randomBytes(32);
  const s = createSealer(kek);

  test('round trip; ciphertext hides the plaintext and differs each time', () => {
    const a = s.seal('CPR 010190-1234 helbredsoplysninger');
    const b = s.seal('CPR 010190-1234 helbredsoplysninger');
    expect(a.equals(b)).toBe(false);
    expect(a.includes(Buffer.from('010190'))).toBe(false);
    expect(s.open(a).toString()).toBe('CPR 010190-1234 helbredsoplysninger');
  });

  test('a wrong key or a flipped byte is refused, not decrypted into garbage', () => {
    const sealed = s.seal(Buffer.from('hemmeligt'));
    expect(() => createSealer(randomBytes(32)).open(sealed)).toThrow(/integrity/);
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1] ^= 1;
    expect(() => s.open(tampered)).toThrow(/integrity/);
    expect(() => createSealer(kek, 'k2').open(sealed)).toThrow(/configured key is "k2"/);
  });

  test('refuses a key of the wrong size', () => {
    expect(() => createSealer(randomBytes(16))).toThrow(/32 bytes/);
  });
});
