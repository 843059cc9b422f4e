// The base64 of a letter's documents is almost all of its bytes (a 700 KB letter has ~2 KB of
// markup). Running the UTF-8 decode, the well-formedness check and the parser over it costs ~7 ms a
// letter; this cuts each large File/content payload out of the raw bytes first, checks and decodes
// it natively, and leaves a short unique token in its place, so the rest of parsing sees only the
// markup. It is an optimisation only: parse.ts falls back to the full path whenever anything here
// is unsure (a payload that is not valid base64, a token not found back as File/content, any error),
// so errors and results are exactly those of the full path.
import { randomBytes } from 'node:crypto';

/** Payloads shorter than this stay in place: cutting them out would not pay. */
const MIN_PAYLOAD_CHARS = 4096;

// `<content>` or `<p:content …>` followed by only base64 characters and whitespace, then its end tag.
// Anchored at the opening tag, so the base64 run is matched once per element (linear time).
const CONTENT = /<((?:[A-Za-z_][A-Za-z0-9_.-]*:)?content)(?:[ \t\r\n][^<>]*)?>([A-Za-z0-9+/=\t\r\n ]+)<\/\1[ \t\r\n]*>/dg;

export interface CutPayloads {
  /** The letter with each payload replaced by its token (still UTF-8 bytes). */
  skeleton: Buffer;
  /** Token → the decoded document bytes. */
  payloads: Map<string, Buffer>;
  /** Token → where its base64 text (whitespace included) was in the input, as byte offsets [start, end). */
  spans: Map<string, [number, number]>;
}

/** null when there is nothing worth cutting, or a payload is not clean base64 (the full path will say why). */
export function cutPayloads(xml: Buffer): CutPayloads | null {
  const text = xml.toString('latin1'); // one byte per character: offsets below are byte offsets
  const nonce = randomBytes(12).toString('hex');
  const parts: Buffer[] = [];
  const payloads = new Map<string, Buffer>();
  const spans = new Map<string, [number, number]>();
  let at = 0;
  CONTENT.lastIndex = 0;
  for (let m = CONTENT.exec(text); m; m = CONTENT.exec(text)) {
    const [start, end] = m.indices![2];
    if (end - start < MIN_PAYLOAD_CHARS) continue;
    if (!isCleanBase64(m[2])) return null;
    const token = `Bdb${nonce}${String(payloads.size).padStart(5, '0')}`; // 32 base64 characters
    payloads.set(token, Buffer.from(m[2], 'base64')); // Node's decoder skips the whitespace
    spans.set(token, [start, end]);
    parts.push(xml.subarray(at, start), Buffer.from(token, 'latin1'));
    at = end;
  }
  if (payloads.size === 0) return null;
  parts.push(xml.subarray(at));
  return { skeleton: Buffer.concat(parts), payloads, spans };
}

const WS = [' ', '\t', '\r', '\n'];

/**
 * schema.ts's checkBase64 rules (length a multiple of 4 without whitespace, "=" only as 1–2 final
 * padding characters, unused bits zero) for text the CONTENT pattern already limited to the base64
 * alphabet and whitespace, without copying megabytes to strip the whitespace first.
 */
export function isCleanBase64(s: string): boolean {
  let ws = 0;
  for (const c of WS) for (let i = s.indexOf(c); i !== -1; i = s.indexOf(c, i + 1)) ws++;
  if ((s.length - ws) % 4 !== 0) return false;
  const eq = s.indexOf('=');
  if (eq === -1) return true;
  if (!/^=[ \t\r\n]*(?:=[ \t\r\n]*)?$/.test(s.slice(eq))) return false;
  const pads = s.slice(eq).split('=').length - 1;
  let i = eq - 1;
  while (i >= 0 && WS.includes(s[i])) i--;
  if (i < 0) return false;
  return pads === 2 ? 'AQgw'.includes(s[i]) : 'AEIMQUYcgkosw048'.includes(s[i]);
}
