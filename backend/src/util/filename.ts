// The one file-name sanitiser for names that leave Brevdue: download headers, Graph mail attachments,
// Teams channel files. A letter's document names come from the sender (MeMo) and are hostile input:
// they may hold path separators, control or bidirectional-override characters ("faktura\u202Efdp.exe"),
// Windows device names or thousands of characters. Pure and idempotent (sanitising twice changes
// nothing), so a retry that compares names with what Graph already holds still matches.

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/** Bidirectional overrides and isolates, zero-width and BOM: they make a name display differently than it is. */
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
/** Characters Windows, SharePoint or a header quote cannot take; path separators included. */
const ILLEGAL = /[\\/<>:"|?*]/g;
/** Windows device names, also with an ending ("CON.pdf" opens the console device on Windows). */
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i;
export const FILENAME_MAX = 200;

/**
 * A name safe to hand to a file system, Graph or a browser: no folders, control or invisible
 * characters, Windows-reserved names or characters, no leading or trailing dots and spaces, at most
 * `max` characters (the ending kept). Danish and other letters stay as they are (NFC).
 */
export function safeFilename(raw: string | null | undefined, fallback = 'dokument', max = FILENAME_MAX): string {
  let name = (raw ?? '').normalize('NFC')
    .replace(INVISIBLE, '')
    .replace(CONTROL, ' ')
    .replace(ILLEGAL, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[.\s]+|[.\s]+$/g, '');
  if (!name) return fallback;
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  // "con.tar.gz" is reserved too: Windows looks at the part before the first dot.
  if (RESERVED.test(stem.split('.')[0].trim())) name = `_${name}`;
  return truncate(name, max);
}

/** At most `max` characters, by code point (never half a surrogate pair), keeping a short ending. */
function truncate(name: string, max: number): string {
  const chars = Array.from(name);
  if (chars.length <= max) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && /^\.[\p{L}\p{N}]{1,10}$/u.test(name.slice(dot)) ? name.slice(dot) : '';
  const keep = max - Array.from(ext).length;
  return chars.slice(0, keep).join('').replace(/[.\s]+$/, '') + ext;
}
