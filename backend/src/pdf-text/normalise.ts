// Text from a PDF, made fit for rules and the assistant: NFC, no control or zero-width characters,
// whitespace collapsed (spaces within a line, at most one blank line between paragraphs and pages),
// words hyphenated across a line break joined again ("betalings-\nfrist" → "betalingsfrist").
// Pure functions; the worker only delivers raw page text.

/** Words after a line-end hyphen that mean the hyphen is a Danish/English suspended compound
 * ("moms- og lønsumsafgift"), not a word broken across lines. */
const SUSPENDED_BEFORE = new Set(['og', 'eller', 'samt', 'men', 'som', 'til', 'and', 'or', 'to']);

const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/g;
// C0/C1 controls except \n (and \t, \f, \r, \v, handled as whitespace below).
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/g;

export function normalisePdfText(raw: string): string {
  let s = raw.normalize('NFC');
  s = s.replace(/\r\n?/g, '\n').replace(/\f/g, '\n\n');
  s = s.replace(ZERO_WIDTH, '').replace(CONTROLS, '');
  // Collapse horizontal whitespace (tabs, NBSP, the Unicode spaces), then trim every line.
  s = s.replace(/[^\S\n]+/g, ' ').replace(/ ?\n ?/g, '\n');
  // A soft hyphen is only ever a possible break: drop it, and the line break after it.
  s = s.replace(/\u00ad\n?/g, '');
  // A word broken at a line end: "betalings-\nfrist" → "betalingsfrist"; "CVR-\nnummer" and
  // "e-\nBoks" keep the hyphen (an upper-case letter on either side); "moms-\nog" keeps it with a space.
  s = s.replace(/(\p{L})[-\u2010]\n(?=(\p{L}+))/gu, (_m, before: string, word: string) => {
    if (SUSPENDED_BEFORE.has(word.toLowerCase())) return `${before}- `;
    const upper = (c: string) => c !== c.toLowerCase() && c === c.toUpperCase();
    const first = [...word][0];
    return upper(before) || upper(first) ? `${before}-` : before;
  });
  // At most one blank line in a row; no blank lines at the start or end.
  s = s.replace(/\n{3,}/g, '\n\n').trim();
  return s;
}

/** Cut to at most `maxChars` UTF-16 units without splitting a surrogate pair. */
export function truncateText(text: string, maxChars: number): { text: string; truncated: boolean } {
  if (text.length <= maxChars) return { text, truncated: false };
  let end = Math.max(0, maxChars);
  const c = text.charCodeAt(end - 1);
  if (end > 0 && c >= 0xd800 && c <= 0xdbff) end -= 1;
  return { text: text.slice(0, end), truncated: true };
}

/** Pages joined with a blank line between them, then normalised. */
export function joinPages(pages: readonly string[]): string {
  return normalisePdfText(pages.join('\n\n'));
}
