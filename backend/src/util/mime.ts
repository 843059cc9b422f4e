// A document's media type comes from the sender (MeMo encodingFormat, e-Boks/mit.dk metadata) and is
// hostile input: it may carry parameters with any characters ('application/pdf; name="Bilag ś"' made
// Node refuse the header: a 500) or name a type a browser renders (text/html, image/svg+xml) from the
// task pane's own origin. Stored normalised (the bare type, lowercased, or application/octet-stream),
// served only from an allow-list as itself.

const OCTET_STREAM = 'application/octet-stream';
/** RFC 9110 type/subtype tokens. */
const TYPE = /^[a-z0-9!#$&^_.+-]{1,64}\/[a-z0-9!#$&^_.+-]{1,127}$/;

const CHARSET = /;\s*charset="?([A-Za-z0-9._:-]{1,40})"?\s*(?:;|$)/i;

/** The bare media type, lowercased, without parameters; application/octet-stream when it is none. */
function bareType(raw: string | null | undefined): string {
  const bare = (raw ?? '').split(';')[0].trim().toLowerCase();
  return TYPE.test(bare) ? bare : OCTET_STREAM;
}

/**
 * What documents.mime_type stores: the bare media type, lowercased ("Application/PDF; name=x" →
 * "application/pdf"), a text type with its charset when that is a plain token
 * ("text/plain; charset=iso-8859-1"); application/octet-stream when it is not a media type at all.
 */
export function normaliseMimeType(raw: string | null | undefined): string {
  const type = bareType(raw);
  const charset = type.startsWith('text/') ? CHARSET.exec(raw ?? '')?.[1]?.toLowerCase() : undefined;
  return charset ? `${type}; charset=${charset}` : type;
}

/**
 * Types a download is served as: documents people open from a letter (PDF, images browsers show as
 * images only, plain text, Office and OpenDocument formats). Never HTML, SVG, XML or script: a browser
 * would run them from our origin.
 */
export const SERVABLE_MIME_TYPES: ReadonlySet<string> = new Set([
  'application/pdf',
  'image/png', 'image/jpeg', 'image/gif', 'image/tiff', 'image/bmp', 'image/webp', 'image/heic',
  'text/plain', 'text/csv',
  'application/rtf',
  'application/msword', 'application/vnd.ms-excel', 'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text', 'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
  'application/zip',
]);

/**
 * The Content-Type a stored document is downloaded with: its type when allow-listed (text with a
 * charset that is a plain token, else UTF-8), otherwise application/octet-stream. Always a header
 * value Node accepts.
 */
export function servedContentType(raw: string | null | undefined): string {
  const type = bareType(raw);
  if (!SERVABLE_MIME_TYPES.has(type)) return OCTET_STREAM;
  if (!type.startsWith('text/')) return type;
  return `${type}; charset=${CHARSET.exec(raw ?? '')?.[1]?.toLowerCase() ?? 'utf-8'}`;
}
