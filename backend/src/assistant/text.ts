// Danish text → stemmed terms, for the assistant's word features. Pure: no I/O.
//
// Choices (documented in one place):
// - Stemming: the Snowball Danish stemmer (the reference algorithm by M. Porter, as used by Lucene,
//   Elasticsearch and PostgreSQL's `danish` text search configuration) through the npm package
//   `snowball-stemmers`, a generated JavaScript port of snowball.tartarus.org's stemmers. It is pure
//   JS, CommonJS with a default export, and loads the same under tsx, node ESM and jest (ESM).
//   `@nlpjs/lang-da` (also Snowball-derived) was the fallback; it drags in @nlpjs/core for nothing.
// - Stop words: the Danish list of the `stopword` package (stopwords-iso's list, 170 words).
// - Compound words are kept as they come ("momsangivelse", "lønsumsafgift"): Danish writes them as
//   one word and they are the most specific evidence a letter has; we do not split them.
// - Hyphenated words ("A-skat", "CVR-nr.") give the whole word and each part of two letters or more.
// - Numbers are no words: only runs of letters become terms, so amounts, dates, case numbers and
//   CPR numbers never do. CPR numbers are, in addition, cut out before tokenising (so "010190-1234"
//   cannot leave a fragment behind), using the shared CPR finder. Codes that matter for routing
//   (KLE, P-numbers, FORM keys, CVR) come from the letter's structured data, not from its text.
import snowball from 'snowball-stemmers';
import { dan } from 'stopword';
import { findCprNumbers } from '../../../shared/src/identifiers';

const danish = snowball.newStemmer('danish');

/**
 * Abbreviations that fill Danish letters without saying what they are about ("vedr.", "nr.",
 * "jf.", "kr."): our own small supplement to the maintained list.
 */
const LETTER_ABBREVIATIONS = ['vedr', 'nr', 'jf', 'kr', 'ca', 'mv', 'bl', 'evt', 'inkl', 'ekskl', 'att', 'pkt', 'stk', 'tlf', 'pr', 'dvs', 'mht', 'iht', 'el'];

/** The Danish stop words (lowercase): the `stopword` package's Danish list plus LETTER_ABBREVIATIONS. */
export const DANISH_STOP_WORDS: ReadonlySet<string> = new Set([...dan, ...LETTER_ABBREVIATIONS].map((w) => w.normalize('NFC').toLowerCase()));

/** Words shorter than this (in letters) are dropped; longer than MAX_WORD are junk (encoded data, URLs). */
const MIN_WORD = 2;
const MAX_WORD = 40;

/**
 * Lowercase with Danish rules: NFC (a decomposed "å" equals the composed one), lower case, other
 * diacritics removed (é → e, ü → u) but æ, ø and å kept as the letters of their own they are, and
 * ä/ö (written for æ/ø, which Danish collation treats alike) folded to æ/ø — the same folding the
 * rules' text matching uses, so "Allé", "alle" and "ALLE" are one word and "år" and "ar" are two.
 */
export function normalizeDanish(s: string): string {
  const lower = s.normalize('NFC').toLocaleLowerCase('da-DK').replace(/ä/g, 'æ').replace(/ö/g, 'ø');
  if (!/[^\u0000-\u007f]/.test(lower)) return lower;
  // Decompose, drop combining marks, recompose, but protect å (a + ring) and the precomposed æ, ø.
  return lower.replace(/å/g, '\u0001').normalize('NFD').replace(/[\u0300-\u036f]/g, '').normalize('NFC').replace(/\u0001/g, 'å');
}

/** Removes every CPR number (with or without hyphen) from the text, leaving a space. */
export function withoutCpr(text: string): string {
  // `now` far ahead: a birth date in the future is still a CPR-shaped number we would rather drop.
  const found = findCprNumbers(text, { now: new Date(Date.UTC(2200, 0, 1)) });
  if (found.length === 0) return text;
  let out = '';
  let at = 0;
  for (const f of found) {
    out += `${text.slice(at, f.start)} `;
    at = f.end;
  }
  return out + text.slice(at);
}

const WORD = /\p{L}+(?:[-‐‑'’]\p{L}+)*/gu;
const PART = /[-‐‑'’]/;

/**
 * The words of a text: lowercase, letters only (æ, ø, å and other letters kept), stop words and
 * one-letter words dropped, CPR numbers and all digits gone. Hyphenated words give the whole word
 * (hyphens kept, "a-skat") and their parts.
 */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const norm = normalizeDanish(withoutCpr(text));
  for (const m of norm.matchAll(WORD)) {
    const w = m[0];
    if (PART.test(w)) {
      const whole = w.replace(/[‐‑]/g, '-').replace(/’/g, "'");
      if (whole.length <= MAX_WORD) out.push(whole);
      for (const p of w.split(PART)) if (keep(p)) out.push(p);
    } else if (keep(w)) out.push(w);
  }
  return out;
}

function keep(w: string): boolean {
  return w.length >= MIN_WORD && w.length <= MAX_WORD && !DANISH_STOP_WORDS.has(w);
}

const stemCache = new Map<string, string>();

/** The Snowball Danish stem of one lowercase word (cached). */
export function stem(word: string): string {
  let s = stemCache.get(word);
  if (s === undefined) {
    s = word.includes('-') || word.includes("'") ? word.split(/([-'])/).map((p) => (p === '-' || p === "'" ? p : danish.stem(p))).join('') : danish.stem(word);
    if (stemCache.size > 50_000) stemCache.clear();
    stemCache.set(word, s);
  }
  return s;
}

export interface Term {
  /** The stem: the feature. */
  stem: string;
  /** The first word that gave it, as written (lowercase), for display of label words. */
  word: string;
  count: number;
}

export interface TermOptions {
  /** Keep only the N most frequent stems (ties: first seen first). Default: all. */
  max?: number;
  /** Read only this many characters of the text (bounded cost on huge documents). Default 20,000, as rules. */
  maxChars?: number;
}

/** The stems of a text with their counts, most frequent first. */
export function terms(text: string, opts: TermOptions = {}): Term[] {
  const src = text.length > (opts.maxChars ?? 20_000) ? text.slice(0, opts.maxChars ?? 20_000) : text;
  const byStem = new Map<string, Term>();
  for (const w of tokenize(src)) {
    const s = stem(w);
    const t = byStem.get(s);
    if (t) t.count++;
    else byStem.set(s, { stem: s, word: w, count: 1 });
  }
  const all = [...byStem.values()];
  if (opts.max === undefined || all.length <= opts.max) return all.sort((a, b) => b.count - a.count);
  // Stable: Array.prototype.sort is stable, so ties keep first-seen order.
  return all.sort((a, b) => b.count - a.count).slice(0, opts.max);
}
