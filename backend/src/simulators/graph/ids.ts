// Exchange-looking ids: opaque URL-safe base64 strings such as Graph returns with immutable ids.
import { randomBytes, randomUUID } from 'node:crypto';

const b64url = (b: Buffer) => b.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');

/** Folder, message or attachment id: an "AAMkA…" string of about 150 characters. */
export function exchangeId(kind: 'folder' | 'message' | 'attachment'): string {
  const n = kind === 'folder' ? 60 : kind === 'message' ? 104 : 112;
  return 'AAMkA' + b64url(randomBytes(n));
}

/** Whether a string could be an Exchange id at all (else Graph says ErrorInvalidIdMalformed). */
export function isWellFormedId(s: string): boolean {
  return /^[A-Za-z0-9+/_=-]{16,}$/.test(s);
}

export const newGuid = (): string => randomUUID();
export const changeKey = (): string => 'CQAAABYAAA' + b64url(randomBytes(18));
