// Text matching for rules: Danish-aware folding, whole words, phrases, and regular expressions that
// are safe to run on letters.
//
// Folding: lower case, then diacritics removed (é → e, ü → u) except on the Danish letters æ, ø and
// å, which are letters of their own in Danish; ä and ö are written for æ and ø (Danish collation
// treats them alike), so they fold to æ and ø. "ÅRSOPGØRELSE" and "årsopgørelse" are the same word,
// "år" and "ar" are not.
//
// Regular expressions and time. A JavaScript RegExp cannot be interrupted once it runs, so the time
// bound is made of three parts, all in force before a regex ever meets a letter:
//  1. Validation (validate.ts, regexSafety below) asks `recheck` — a maintained ReDoS checker that
//     analyses the pattern's automaton and fuzzes it — whether the pattern can backtrack
//     catastrophically. Exponential patterns are refused outright. For polynomial ones recheck
//     hands back the attack string that makes them slow; we time the pattern on that string, at the
//     longest input the field ever gives a regex (below), and extrapolate by the reported degree:
//     over REGEX_BUDGET_MS (50 ms) in the worst case, the pattern is refused with the reason and a
//     suggestion. A check recheck cannot finish in time is refused too (we cannot vouch for it).
//     recheck runs pure JavaScript (Scala.js) in a worker thread, or its native binary where the
//     optional recheck-linux-x64 package is present; no JVM is needed (RECHECK_BACKEND=pure forces
//     the pure one).
//  2. Evaluation bounds the input: a regex sees at most the first 2,000 characters of the subject
//     or notification and the first 20,000 characters of the documents' text (TEXT_LIMITS), so the
//     worst case measured at validation is the worst case in production.
//  3. Each pattern is compiled once (cache by pattern + flags) and, where the pattern has a
//     required literal (e.g. "betalingsfrist" in /betalingsfrist.*\d+/), the letter's trigram map
//     and then a plain substring test are asked first: most letters never reach the regex engine.
import { checkSync } from 'recheck';

/** How much of each text a rule sees (characters, from the start). */
export const TEXT_LIMITS = { label: 2_000, notification: 2_000, documents: 20_000 } as const;
/** A regex may take at most this long on the worst input of the longest text it can be given. */
export const REGEX_BUDGET_MS = 50;
/** How long recheck may think about one pattern. */
export const RECHECK_TIMEOUT_MS = 5_000;

// ---- folding ----

const foldCache = new Map<string, string>();
function foldChar(c: string): string {
  let f = foldCache.get(c);
  if (f === undefined) {
    if (c === 'æ' || c === 'ø' || c === 'å') f = c;
    else if (c === 'ä') f = 'æ';
    else if (c === 'ö') f = 'ø';
    else if (c === 'ς') f = 'σ'; // final sigma: lower-casing a whole word makes it, a single letter does not
    else f = c.normalize('NFD').replace(/\p{M}+/gu, '');
    if (foldCache.size < 10_000) foldCache.set(c, f);
  }
  return f;
}

/** Characters that folding changes after lower-casing: anything outside ASCII but æ, ø and å. */
// eslint-disable-next-line no-control-regex
const TO_FOLD = /[^\u0000-\u007fæøå]/;
// eslint-disable-next-line no-control-regex
const TO_FOLD_G = /[^\u0000-\u007fæøå]/g;
const COMBINING = /[\u0300-\u036f]/;

/** Lower case, diacritics folded the Danish way (see the top of this file). */
export function fold(s: string): string {
  let lower = s.toLowerCase();
  if (!TO_FOLD.test(lower)) return lower;
  if (COMBINING.test(lower)) lower = lower.normalize('NFC');
  return lower.replace(TO_FOLD_G, foldChar);
}

/** Every run of white space one space (single spaces are left alone, which is most of them). */
const SPACES = /\s{2,}|[^\S ]/g;

/** Folded, with every run of white space one space, trimmed: the form phrases are compared in. */
export function foldPhrase(s: string): string {
  return spaced(fold(s));
}
function spaced(folded: string): string {
  return folded.replace(SPACES, ' ').trim();
}

const WORD = /[\p{L}\p{N}]+/gu;

function wordsOfFolded(folded: string): string[] {
  return folded.match(WORD) ?? [];
}

/** The words of a text, folded: letters and digits between anything else. */
export function wordsOf(s: string): string[] {
  return wordsOfFolded(fold(s));
}

// ---- words and trigrams without making strings ----
// A long text (the documents) is read once per letter, and two small indexes are made as it is
// read, without making a string per word:
//  - the words: each word's folded characters are hashed as they are read, into an open-addressing
//    table of 32-bit hashes; a rule's word is looked up by its hash, and a hit is confirmed in the
//    folded text (a hash can collide), so the answer is exact;
//  - the trigrams: a bit map (64 bits per character, at most 65,536) of the folded text's
//    three-character sequences (hashed). A
//    phrase or a regex's required literal whose trigrams are not all there cannot be in the text,
//    so most phrase and regex rules are answered "no" without searching the text at all.
// A character's class and folded form are worked out once per character.

const enum Cls { Unknown = 0, Word = 1, Separator = 2, Skip = 3 }
const CHAR_CLASS = new Uint8Array(65536);
/** Folded code units of a non-ASCII character (most are one; Skip: none). */
const CHAR_FOLD: (number[] | undefined)[] = [];
const IS_WORD = /^[\p{L}\p{N}]/u;
for (let c = 0; c < 128; c++) CHAR_CLASS[c] = /[A-Za-z0-9]/.test(String.fromCharCode(c)) ? Cls.Word : Cls.Separator;

function classify(c: number): Cls {
  const f = fold(String.fromCharCode(c));
  CHAR_FOLD[c] = Array.from(f, (x) => x.charCodeAt(0));
  return (CHAR_CLASS[c] = f === '' ? Cls.Skip : IS_WORD.test(f) ? Cls.Word : Cls.Separator);
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** The hash of an already folded word (as the tokenizer computes it). */
export function wordHash(folded: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < folded.length; i++) h = Math.imul(h ^ folded.charCodeAt(i), FNV_PRIME);
  return h === 0 ? 1 : h;
}

/** A trigram's 32-bit hash; a text's map keeps its top bits. */
const GRAM_MUL = 0x9e3779b1 | 0;
const gram = (a: number, b: number, c: number) => Math.imul((a << 16) ^ (b << 8) ^ c, GRAM_MUL);

/** The trigram hashes of folded text (the pieces of a phrase, a regex literal), deduplicated. */
export function gramsOf(folded: string): number[] {
  const out = new Set<number>();
  for (let i = 2; i < folded.length; i++) out.add(gram(folded.charCodeAt(i - 2), folded.charCodeAt(i - 1), folded.charCodeAt(i)));
  return [...out];
}

/** Word hashes of a text: an open-addressing set of nonzero 32-bit values. */
class WordHashes {
  private slots: Int32Array;
  private mask: number;
  constructor(textLength: number) {
    let size = 64;
    while (size < textLength / 2) size <<= 1; // at most one word per two characters
    this.slots = new Int32Array(size);
    this.mask = size - 1;
  }
  add(h: number): void {
    const s = this.slots;
    let j = (h ^ (h >>> 15)) & this.mask;
    while (s[j] !== 0) {
      if (s[j] === h) return;
      j = (j + 1) & this.mask;
    }
    s[j] = h;
  }
  has(h: number): boolean {
    const s = this.slots;
    let j = (h ^ (h >>> 15)) & this.mask;
    while (s[j] !== 0) {
      if (s[j] === h) return true;
      j = (j + 1) & this.mask;
    }
    return false;
  }
}

interface TextIndex { words: WordHashes; grams: Int32Array; shift: number }

/**
 * Per BMP character: 0 unknown, else (folded unit << 3) | kind, kind 1 a word character, 2 a
 * separator, 3 nothing (folds away), 4 anything else (folds to several units: the slow path).
 */
const CHAR_INFO = new Int32Array(65536);
for (let c = 0; c < 128; c++) {
  const word = CHAR_CLASS[c] === Cls.Word;
  CHAR_INFO[c] = ((word && c >= 65 && c <= 90 ? c | 32 : c) << 3) | (word ? 1 : 2);
}
function charInfo(c: number): number {
  const k = CHAR_CLASS[c] || classify(c);
  const f = CHAR_FOLD[c]!;
  return (CHAR_INFO[c] = k === Cls.Skip ? 3 : f.length === 1 ? (f[0] << 3) | k : 4);
}

function indexText(raw: string): TextIndex {
  const text = COMBINING.test(raw) ? raw.normalize('NFC') : raw;
  const n = text.length;
  const words = new WordHashes(n);
  let bits = 10;
  while (bits < 16 && 1 << bits < n * 64) bits++;
  const grams = new Int32Array(1 << (bits - 5));
  const shift = 32 - bits;
  let h = FNV_OFFSET;
  let inWord = false;
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const info = c >= 0xd800 && c <= 0xdfff ? 4 : CHAR_INFO[c] || charInfo(c);
    const kind = info & 7;
    if (kind <= 2) {
      const u = info >>> 3;
      const g = Math.imul((a << 16) ^ (b << 8) ^ u, GRAM_MUL) >>> shift;
      grams[g >>> 5] |= 1 << (g & 31);
      a = b;
      b = u;
      if (kind === 1) {
        h = Math.imul(h ^ u, FNV_PRIME);
        inWord = true;
      } else if (inWord) {
        words.add(h === 0 ? 1 : h);
        h = FNV_OFFSET;
        inWord = false;
      }
      continue;
    }
    if (kind === 3) continue;
    // The slow path: a character outside the BMP, or one that folds to several units.
    let ch: string;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      ch = String.fromCodePoint(text.codePointAt(i)!);
      i++;
    } else ch = text[i];
    const f = fold(ch);
    if (f === '') continue;
    const word = IS_WORD.test(f);
    for (let x = 0; x < f.length; x++) {
      const u = f.charCodeAt(x);
      const g = Math.imul((a << 16) ^ (b << 8) ^ u, GRAM_MUL) >>> shift;
      grams[g >>> 5] |= 1 << (g & 31);
      a = b;
      b = u;
      if (word) h = Math.imul(h ^ u, FNV_PRIME);
    }
    if (word) inWord = true;
    else if (inWord) {
      words.add(h === 0 ? 1 : h);
      h = FNV_OFFSET;
      inWord = false;
    }
  }
  if (inWord) words.add(h === 0 ? 1 : h);
  return { words, grams, shift };
}

function hasGrams(ix: TextIndex, want: number[]): boolean {
  const { grams, shift } = ix;
  for (const h of want) {
    const g = h >>> shift;
    if ((grams[g >>> 5] & (1 << (g & 31))) === 0) return false;
  }
  return true;
}

function codeIsWord(cp: number): boolean {
  if (cp < 128) return CHAR_CLASS[cp] === Cls.Word;
  if (cp < 0x10000 && (cp < 0xd800 || cp > 0xdfff)) return (CHAR_CLASS[cp] || classify(cp)) === Cls.Word;
  const f = fold(String.fromCodePoint(cp));
  return f !== '' && IS_WORD.test(f);
}

/** Whether `word` (folded, one word) stands as a whole word in `folded`. */
function wholeWordIn(folded: string, word: string): boolean {
  for (let i = folded.indexOf(word); i >= 0; i = folded.indexOf(word, i + 1)) {
    if (i > 0) {
      let j = i - 1;
      const lo = folded.charCodeAt(j);
      if (lo >= 0xdc00 && lo <= 0xdfff && j > 0) j--;
      if (codeIsWord(folded.codePointAt(j)!)) continue;
    }
    const end = i + word.length;
    if (end < folded.length && codeIsWord(folded.codePointAt(end)!)) continue;
    return true;
  }
  return false;
}

/**
 * One text of a letter prepared for matching; each form is computed on first use and kept, so a
 * letter checked against a thousand rules folds and splits each text once.
 */
export class PreparedText {
  private folded?: string;
  private index?: TextIndex;
  private wordLine?: string;
  private lower?: string;
  constructor(readonly raw: string) {}

  /** Folded text (lower case, Danish folding). */
  foldedForm(): string {
    return this.folded ??= fold(this.raw);
  }
  /** Whether the text contains the phrase (see compilePhrase); white space runs count as one space. */
  hasPhrase(p: CompiledPhrase): boolean {
    if (p.pieces.length === 0) return false;
    if (p.grams.length && !hasGrams(this.indexed(), p.grams)) return false;
    return phraseIn(this.foldedForm(), p.pieces);
  }
  /** Whether every trigram is in the text (false: the text cannot contain what they came from). */
  mayContain(grams: number[]): boolean {
    return grams.length === 0 || hasGrams(this.indexed(), grams);
  }
  private indexed(): TextIndex {
    return this.index ??= indexText(this.raw);
  }
  /** Whether the folded single word `w` (hash `h`) is one of the text's words. */
  hasWord(w: string, h: number): boolean {
    return this.indexed().words.has(h) && wholeWordIn(this.foldedForm(), w);
  }
  /** Whether a word with hash `h` may be in the text (no false negatives; a rare false positive). */
  mayHaveWord(h: number): boolean {
    return this.indexed().words.has(h);
  }
  /** " w1 w2 w3 " for word sequences ("e-boks" is the two words "e boks"). */
  wordLineForm(): string {
    return this.wordLine ??= ` ${wordsOfFolded(this.foldedForm()).join(' ')} `;
  }
  /** Lower case only (no folding), for the literal prefilter of case-insensitive regexes. */
  lowerForm(): string {
    return this.lower ??= this.raw.toLowerCase();
  }
}

/** A phrase compiled once: its folded pieces between white space. */
export interface CompiledPhrase { phrase: string; pieces: string[]; grams: number[] }

export function compilePhrase(phrase: string): CompiledPhrase {
  const f = foldPhrase(phrase);
  const pieces = f === '' ? [] : f.split(' ');
  return { phrase, pieces, grams: [...new Set(pieces.flatMap(gramsOf))] };
}

function isSpaceCode(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a)
    || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** The pieces in order, separated by white space runs, somewhere in the folded text. */
function phraseIn(folded: string, pieces: string[]): boolean {
  const first = pieces[0];
  search: for (let i = folded.indexOf(first); i >= 0; i = folded.indexOf(first, i + 1)) {
    let at = i + first.length;
    for (let k = 1; k < pieces.length; k++) {
      if (at >= folded.length || !isSpaceCode(folded.charCodeAt(at))) continue search;
      while (at < folded.length && isSpaceCode(folded.charCodeAt(at))) at++;
      if (!folded.startsWith(pieces[k], at)) continue search;
      at += pieces[k].length;
    }
    return true;
  }
  return false;
}

/** A word test compiled once: a single word is a hash look-up, a multi-part one ("e-boks") a sequence. */
export interface CompiledWord { word: string; parts: string[]; hash: number; line?: string }

export function compileWord(word: string): CompiledWord {
  const parts = wordsOf(word);
  const hash = parts.length === 1 ? wordHash(parts[0]) : 0;
  return parts.length > 1 ? { word, parts, hash, line: ` ${parts.join(' ')} ` } : { word, parts, hash };
}

/** Whether the word is in the text (every part, in sequence, for a multi-part word). */
export function hasWord(t: PreparedText, w: CompiledWord): boolean {
  if (w.parts.length === 0) return false;
  if (w.line === undefined) return t.hasWord(w.parts[0], w.hash);
  return t.wordLineForm().includes(w.line);
}

// ---- regular expressions ----

export type RegexFlags = 'i' | '';

const regexCache = new Map<string, RegExp | SyntaxError>();
const REGEX_CACHE_MAX = 5_000;

/** The compiled regex, or the SyntaxError it raised; compiled once per pattern and flags. */
export function compiledRegex(pattern: string, flags: RegexFlags = ''): RegExp | SyntaxError {
  const key = `${flags}\u0000${pattern}`;
  let re = regexCache.get(key);
  if (re === undefined) {
    try {
      re = new RegExp(pattern, flags);
    } catch (e) {
      re = e instanceof SyntaxError ? e : new SyntaxError(String(e));
    }
    if (regexCache.size >= REGEX_CACHE_MAX) regexCache.clear();
    regexCache.set(key, re);
  }
  return re;
}

/**
 * Characters a literal run may hold: for each, a case-insensitive regex matches exactly the
 * characters whose toLowerCase() is its own (checked over the whole BMP), so a lower-cased
 * substring test never misses a match.
 */
const LITERAL_CHAR = /[A-Za-z0-9 æøåéüöäÆØÅÉÜÖÄ]/;

/**
 * The longest literal run every match must contain (lower-cased when `caseInsensitive`), or null.
 * Conservative: only letters, digits and spaces (LITERAL_CHAR) at the top level of a pattern without
 * top-level alternation count; anything unusual ends a run, a quantifier drops the character it
 * applies to. A wrong "null" only costs speed; a wrong literal would lose matches, so when in doubt,
 * null.
 */
export function requiredLiteral(pattern: string, caseInsensitive: boolean): string | null {
  let depth = 0;
  let best = '';
  let run = '';
  const end = () => { if (run.length > best.length) best = run; run = ''; };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') { // any escape ends the run, and all of it is skipped (\u00f8 is one character)
      if (depth === 0) end();
      i = escapeEnd(pattern, i);
      continue;
    }
    if (c === '[') { // a class: skip to its end
      if (depth === 0) end();
      for (i++; i < pattern.length && pattern[i] !== ']'; i++) if (pattern[i] === '\\') i++;
      continue;
    }
    if (c === '(') { if (depth === 0) end(); depth++; continue; }
    if (c === ')') { depth--; continue; }
    if (depth > 0) continue;
    if (c === '|') return null;
    if (c === '*' || c === '?' || c === '{' || c === '+') {
      run = run.slice(0, -1); // the quantified character may be absent (or repeated)
      end();
      if (c === '{') { // its bounds are not text: {0,200} requires no "200"
        const close = pattern.indexOf('}', i);
        if (close < 0) return null;
        i = close;
      }
      continue;
    }
    if (LITERAL_CHAR.test(c)) run += c;
    else end();
  }
  end();
  if (best.trim().length < 3) return null;
  return caseInsensitive ? best.toLowerCase() : best;
}

/**
 * The index of an escape's last character, given the index of its backslash: \uXXXX, \u{…}, \xXX,
 * \k<name>, \p{…}/\P{…}, \cX and \12 are one unit each, whose letters and digits are not text.
 * Only name and hex characters are skipped past, so a malformed escape can never swallow a
 * parenthesis or a `|` that decides what the pattern requires.
 */
function escapeEnd(pattern: string, i: number): number {
  const kind = pattern[i + 1];
  const run = (from: number, ok: RegExp, max: number) => {
    let j = from;
    while (j < pattern.length && j - from < max && ok.test(pattern[j])) j++;
    return j; // the first index not taken
  };
  const closed = (open: string, close: string) => {
    if (pattern[i + 2] !== open) return -1;
    const j = run(i + 3, /[A-Za-z0-9_=$]/, 64);
    return pattern[j] === close ? j : -1;
  };
  switch (kind) {
    case 'u': { const b = closed('{', '}'); return b >= 0 ? b : run(i + 2, /[0-9A-Fa-f]/, 4) - 1; }
    case 'x': return run(i + 2, /[0-9A-Fa-f]/, 2) - 1;
    case 'k': { const b = closed('<', '>'); return b >= 0 ? b : i + 1; }
    case 'p': case 'P': { const b = closed('{', '}'); return b >= 0 ? b : i + 1; }
    case 'c': return run(i + 2, /[A-Za-z]/, 1) - 1;
    default:
      if (kind !== undefined && /[0-9]/.test(kind)) return run(i + 1, /[0-9]/, 10) - 1;
      return i + 1;
  }
}

/** A regex condition compiled once: the RegExp (or null when invalid) and its prefilter. */
export interface CompiledRegex { pattern: string; flags: RegexFlags; re: RegExp | null; literal: string | null; grams: number[] }

export function compileRegex(pattern: string, flags: RegexFlags = ''): CompiledRegex {
  const re = compiledRegex(pattern, flags);
  const literal = requiredLiteral(pattern, flags === 'i');
  // The literal's trigrams in folded form, without its last character: a combining mark after the
  // match could fold together with that one (a + ring = å), nothing can with the others.
  const grams = literal ? gramsOf(fold(literal).slice(0, -1)) : [];
  return { pattern, flags, re: re instanceof RegExp ? re : null, literal, grams };
}

/** The first match in the (already bounded) text, or null; the prefilter runs first. */
export function regexMatch(r: CompiledRegex, t: PreparedText): string | null {
  if (!r.re) return null;
  if (r.literal !== null) {
    if (!t.mayContain(r.grams)) return null;
    const hay = r.flags === 'i' ? t.lowerForm() : t.raw;
    if (!hay.includes(r.literal)) return null;
  }
  const m = r.re.exec(t.raw);
  return m ? m[0] : null;
}

// ---- regex safety (used by validation) ----

export interface RegexSafety {
  ok: boolean;
  /** When not ok: a sentence saying why, with a suggestion. */
  problem?: string;
  /** When not ok: the problem's code and values, for translation (shared Problem). */
  code?: 'regex_invalid' | 'regex_unchecked' | 'regex_unproven' | 'regex_catastrophic' | 'regex_slow';
  params?: Record<string, string | number>;
  /** What recheck said, e.g. "safe", "2nd degree polynomial", and our estimate of the worst case. */
  detail?: string;
}

const safetyCache = new Map<string, RegexSafety>();

function shown(pattern: string, flags: string): string {
  const p = pattern.length > 80 ? `${pattern.slice(0, 77)}...` : pattern;
  return `/${p}/${flags}`;
}

/**
 * Whether `pattern` is safe to run on texts of up to `maxInput` characters within REGEX_BUDGET_MS.
 * Synchronous (recheck's worker is waited on), cached per pattern, flags and length.
 */
export function regexSafety(pattern: string, flags: RegexFlags, maxInput: number): RegexSafety {
  const key = `${flags}\u0000${maxInput}\u0000${pattern}`;
  const cached = safetyCache.get(key);
  if (cached) return cached;
  const result = computeSafety(pattern, flags, maxInput);
  if (safetyCache.size >= 2_000) safetyCache.clear();
  safetyCache.set(key, result);
  return result;
}

type Attack = { pumps: { prefix: string; pump: string; bias?: number }[]; suffix: string };

function computeSafety(pattern: string, flags: RegexFlags, maxInput: number): RegexSafety {
  const re = compiledRegex(pattern, flags);
  const name = shown(pattern, flags);
  if (re instanceof SyntaxError) {
    const detail = re.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    return { ok: false, code: 'regex_invalid', params: { regex: name, detail }, problem: `The regular expression ${name} is not valid: ${detail}.` };
  }
  let d: ReturnType<typeof checkSync>;
  try {
    d = checkSync(pattern, flags, { timeout: RECHECK_TIMEOUT_MS });
  } catch (e) {
    return { ok: false, code: 'regex_unchecked', params: { regex: name }, problem: `The regular expression ${name} could not be checked for catastrophic backtracking (${e instanceof Error ? e.message : String(e)}); try again, or use words or a phrase instead.` };
  }
  if (d.status === 'safe') return { ok: true, detail: d.complexity.type === 'linear' ? 'linear' : 'safe' };
  if (d.status === 'unknown') {
    const why = d.error.kind === 'timeout' ? `within ${RECHECK_TIMEOUT_MS / 1000} seconds` : `(${d.error.kind}${'message' in d.error && d.error.message ? `: ${d.error.message}` : ''})`;
    return { ok: false, code: 'regex_unproven', params: { regex: name }, problem: `The regular expression ${name} could not be proven safe from catastrophic backtracking ${why}; simplify it (fewer repetitions such as .* or +), or use words or a phrase instead.` };
  }
  const hot = d.hotspot.map((h) => pattern.slice(h.start, h.end)).filter(Boolean);
  const spots = hot.slice(0, 3).map((h) => `"${h}"`).join(', ');
  const at = hot.length ? ` (at ${spots})` : '';
  if (d.complexity.type === 'exponential') {
    return {
      ok: false, detail: 'exponential', code: 'regex_catastrophic', params: { regex: name, at: spots },
      problem: `The regular expression ${name} can backtrack catastrophically: some texts make it run for an exponentially long time${at}. ` +
        'This comes from a repetition inside a repetition, such as (a+)+ or (\\w+\\s?)*, or from alternatives that overlap inside a repetition, such as (a|ab)*; ' +
        'repeat each part once (\\w+(\\s\\w+)* instead of (\\w+\\s?)*), or use words or a phrase instead.',
    };
  }
  // Polynomial: time it on recheck's attack string, at the longest text the field gives.
  const degree = d.complexity.degree;
  const est = estimateMs(re, d.attack as Attack, degree, maxInput);
  const detail = `${d.complexity.summary}; worst case about ${est < 1 ? '<1' : Math.round(est)} ms on ${maxInput.toLocaleString('en')} characters`;
  if (est <= REGEX_BUDGET_MS) return { ok: true, detail };
  return {
    ok: false, detail, code: 'regex_slow',
    params: { regex: name, at: spots, degree, ms: est >= 10_000 ? 10_000 : Math.round(est), chars: maxInput, limit: REGEX_BUDGET_MS },
    problem: `The regular expression ${name} is too slow on some texts: its time grows with the ${ordinal(degree)} of the text's length${at}, ` +
      `about ${est >= 10_000 ? 'more than 10 seconds' : `${Math.round(est).toLocaleString('en')} ms`} on ${maxInput.toLocaleString('en')} characters (the limit is ${REGEX_BUDGET_MS} ms). ` +
      'Bound each gap (e.g. [^\\n]{0,80} instead of .*), avoid two repetitions that can match the same characters next to each other (such as \\s+\\S+\\s+ or \\w+\\w*), or use words or a phrase instead.',
  };
}

function ordinal(n: number): string {
  return n === 2 ? 'square' : n === 3 ? 'cube' : `${n}th power`;
}

function attackString(a: Attack, n: number): string {
  const fixed = a.pumps.reduce((s, p) => s + p.prefix.length, 0) + a.suffix.length;
  const pumpLen = a.pumps.reduce((s, p) => s + Math.max(1, p.pump.length), 0);
  const k = Math.max(1, Math.floor((n - fixed) / pumpLen));
  return (a.pumps.map((p) => p.prefix + p.pump.repeat(k)).join('') + a.suffix).slice(0, n);
}

/** Worst-case milliseconds on `maxInput` characters: measured on growing attack strings, extrapolated. */
function estimateMs(re: RegExp, attack: Attack, degree: number, maxInput: number): number {
  if (degree >= 6) return Infinity;
  const probe = new RegExp(re.source, re.flags);
  probe.exec('warm up');
  let n = Math.min(maxInput, degree <= 2 ? 2_000 : degree === 3 ? 400 : 100);
  for (;;) {
    const s = attackString(attack, n);
    const t0 = performance.now();
    probe.exec(s);
    const ms = performance.now() - t0;
    if (n >= maxInput) return ms;
    if (ms >= 2) return ms * (maxInput / n) ** degree;
    n = Math.min(maxInput, n * 4);
  }
}
