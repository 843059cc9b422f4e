// What of a provider's error answer goes into Brevdue's own sentences (mailbox health, quarantine
// reasons, the API's 502s, logs): only the error code and message of the provider's documented error
// format, each bounded and cleaned (control characters removed, CPR numbers masked). Never the body
// as it is: an HTML page of a proxy, a stack trace or whatever else answered is not repeated, so the
// answer of a host cannot be read back through Brevdue. Formats:
//   Digital Post (NgDP) ErrorMessage JSON {code, message, fieldErrors: [{field, message}]}
//   mit.dk                            JSON {code, message}
//   e-Boks mobile API                 XML  <Error code="…">message</Error>
import { maskCpr } from '../../../shared/src/identifiers';

export type ProviderErrorFormat = 'ngdp' | 'mitdk' | 'eboks';

const CODE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const FIELD = /^[A-Za-z0-9_.[\]-]{1,64}$/;
const MESSAGE_CHARS = 200;
/** Only the start of a body is looked at: a provider's error is short. */
const BODY_CHARS = 16 * 1024;

/** Bounded, one line, no control characters, CPR numbers masked (as error-text.ts safeText, without its database imports). */
function safeText(s: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const clean = maskCpr(s.replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim());
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/** The provider's own error code (e.g. NgDP's "BAD_REQUEST"), when the body is in its error format and the code is well-formed. */
export function providerErrorCode(body: string | Buffer | null | undefined, format: ProviderErrorFormat): string | undefined {
  const parts = partsOf(body, format);
  return parts?.code && CODE.test(parts.code) ? parts.code : undefined;
}

function partsOf(body: string | Buffer | null | undefined, format: ProviderErrorFormat): Parts | null {
  if (!body) return null;
  const text = (typeof body === 'string' ? body : body.subarray(0, BODY_CHARS).toString('utf8')).slice(0, BODY_CHARS);
  return format === 'eboks' ? eboksError(text) : jsonError(text, format === 'ngdp');
}

/** "CODE: message (field: message; …)", or '' when the body is not in the provider's error format. */
export function providerErrorDetail(body: string | Buffer | null | undefined, format: ProviderErrorFormat): string {
  const parts = partsOf(body, format);
  if (!parts) return '';
  const code = parts.code && CODE.test(parts.code) ? parts.code : undefined;
  const message = parts.message ? safeText(parts.message, MESSAGE_CHARS) : undefined;
  const fields = (parts.fields ?? []).slice(0, 3)
    .map((f) => `${FIELD.test(f.field) ? f.field : '(field)'}: ${safeText(f.message, 100)}`);
  const out = [code, message].filter(Boolean).join(': ') + (fields.length ? ` (${fields.join('; ')})` : '');
  return out.trim();
}

interface Parts { code?: string; message?: string; fields?: { field: string; message: string }[] }

function jsonError(text: string, withFields: boolean): Parts | null {
  let j: unknown;
  try { j = JSON.parse(text); } catch { return null; }
  if (!j || typeof j !== 'object' || Array.isArray(j)) return null;
  const o = j as Record<string, unknown>;
  const code = str(o.code);
  const message = str(o.message);
  if (!code && !message) return null;
  const fields = withFields && Array.isArray(o.fieldErrors)
    ? o.fieldErrors.flatMap((f) => {
      const fe = f as Record<string, unknown> | null;
      const field = str(fe?.field); const m = str(fe?.message);
      return field && m ? [{ field, message: m }] : [];
    })
    : [];
  return { code, message, fields };
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescapeXml = (s: string) => s.replace(/&(amp|lt|gt|quot|apos);/g, (_m, e: string) => XML_ENTITIES[e]);

function eboksError(text: string): Parts | null {
  const m = /<(?:[A-Za-z_][\w.-]*:)?Error\b([^>]{0,512})>([^<]{0,2000})<\//.exec(text);
  if (!m) return null;
  const code = /\bcode\s*=\s*"([^"]{1,64})"/.exec(m[1])?.[1];
  const message = str(unescapeXml(m[2]));
  if (!code && !message) return null;
  return { code: code ? unescapeXml(code) : undefined, message };
}
