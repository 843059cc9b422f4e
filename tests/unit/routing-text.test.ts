// The fast text matching behind rules (hashed words, trigram gates, literal prefilters) gives the
// same answers as the plain, slow way on many random Danish-like texts.
import {
  PreparedText, compilePhrase, compileRegex, compileWord, fold, foldPhrase, hasWord, regexMatch, requiredLiteral, wordsOf,
} from '../../backend/src/routing/text-match';
import { mulberry32 } from '../../shared/src/prng';

const rnd = mulberry32(42);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];

const WORDS = ['moms', 'Momsangivelse', 'KVARTAL', 'årsopgørelse', 'ÅRSOPGØRELSE', 'Ærø', 'æble', 'øl', 'idé', 'Café', 'e-Boks', 'betalingsfrist',
  'Betalingsfristen', 'kr.', '1.234,00', '2025', '25.02.05', 'Jens', 'Hansen', 'straße', 'naïve', 'ΟΔΟΣ', 'a\u030Ar', 'x'];
const SEPS = [' ', ' ', ' ', '  ', '\n', '\t', ', ', '. ', ' – ', '/', '(', ')', ': ', '\u00a0', '😀'];

function randomText(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += pick(WORDS) + pick(SEPS);
  return s;
}

/** The plain way: split the folded text into words. */
const naiveWords = (text: string) => new Set(wordsOf(text));
const naiveHasWord = (text: string, word: string) => {
  const parts = wordsOf(word);
  if (parts.length === 1) return naiveWords(text).has(parts[0]);
  return ` ${wordsOf(text).join(' ')} `.includes(` ${parts.join(' ')} `);
};
const naiveHasPhrase = (text: string, phrase: string) => foldPhrase(phrase) !== '' && foldPhrase(text).includes(foldPhrase(phrase));

describe('folding', () => {
  test('Danish letters stay, accents go, case goes', () => {
    expect(fold('ÆØÅ æøå ÄÖ É Ü ß Straße')).toBe('æøå æøå æø e u ß straße');
    expect(fold('A\u030A')).toBe('å');
    expect(wordsOf('e-Boks: 1.234,00 kr.')).toEqual(['e', 'boks', '1', '234', '00', 'kr']);
  });
});

describe('hashed words and trigram gates agree with the plain way', () => {
  test('words (single and multi-part) on 300 random texts', () => {
    for (let i = 0; i < 300; i++) {
      const text = randomText(1 + Math.floor(rnd() * 40));
      const t = new PreparedText(text);
      for (const w of [...WORDS, 'mom', 'momsangivelse', 'boks', 'e boks', 'kvartal moms', 'ar', 'år', 'oδoσ', 'οδος']) {
        expect([text, w, hasWord(t, compileWord(w))]).toEqual([text, w, naiveHasWord(text, w)]);
      }
    }
  });

  test('phrases on 300 random texts', () => {
    for (let i = 0; i < 300; i++) {
      const text = randomText(1 + Math.floor(rnd() * 30));
      const t = new PreparedText(text);
      const phrases = ['moms kvartal', 'MOMS', 'angivelse', 'kr. 1.234', 'fristen', 'æble øl', 'år', 'e-boks', 'x x', 'idé café'];
      // and a piece of the text itself, so that many hold
      const a = Math.floor(rnd() * text.length);
      phrases.push(text.slice(a, a + 3 + Math.floor(rnd() * 12)));
      for (const p of phrases) {
        if (foldPhrase(p) === '') continue;
        expect([text, p, t.hasPhrase(compilePhrase(p))]).toEqual([text, p, naiveHasPhrase(text, p)]);
      }
    }
  });

  test('regexes with a literal prefilter on 300 random texts', () => {
    const patterns: [string, 'i' | ''][] = [
      ['betalingsfrist\\w*', 'i'], ['Betalingsfristen', ''], ['moms\\s+kvartal', 'i'], ['årsopgørelse', 'i'], ['ÅRSOPGØRELSE', ''],
      ['kr\\. \\d', ''], ['(?:moms|kvartal) 2025', 'i'], ['æble[^\\n]{0,20}øl', 'i'], ['\\bx\\b', ''], ['idé', 'i'], ['jens hansen', 'i'],
    ];
    for (let i = 0; i < 300; i++) {
      const text = randomText(1 + Math.floor(rnd() * 30));
      const t = new PreparedText(text);
      for (const [p, f] of patterns) {
        const plain = new RegExp(p, f).exec(text)?.[0] ?? null;
        expect([text, p, regexMatch(compileRegex(p, f), t)]).toEqual([text, p, plain]);
      }
    }
  });
});

describe('required literals', () => {
  test('only what every match must contain', () => {
    expect(requiredLiteral('betalingsfrist.*\\d+', true)).toBe('betalingsfrist');
    expect(requiredLiteral('Moms(angivelse)? for \\d\\. kvartal', false)).toBe(' kvartal');
    expect(requiredLiteral('momsx?', true)).toBe('moms');
    expect(requiredLiteral('abcd+', true)).toBe('abc');
    expect(requiredLiteral('moms|skat', true)).toBeNull();
    expect(requiredLiteral('[moms]', true)).toBeNull();
    expect(requiredLiteral('(?:betalingsfrist)', true)).toBeNull();
    expect(requiredLiteral('ÅRSOPGØRELSE', true)).toBe('årsopgørelse');
    expect(requiredLiteral('\\bmoms\\b', true)).toBe('moms');
    expect(requiredLiteral('ab', true)).toBeNull();
  });

  test('escapes and bounds are not text: such rules match what the RegExp matches', () => {
    // Each escape is skipped whole, and a {m,n} bound's digits are not a literal to look for.
    expect(requiredLiteral('Skyldigt bel\\u00f8b', true)).toBe('skyldigt bel');
    expect(requiredLiteral('Sk\\xe6rbæk kommune', true)).toBe('rbæk kommune');
    expect(requiredLiteral('\\d+[^\\n]{0,200}kr', true)).toBeNull();
    expect(requiredLiteral('^.{0,100}CVR', false)).toBe('CVR');
    expect(requiredLiteral('(?<ord>moms) \\k<ord>', true)).toBeNull();
    expect(requiredLiteral('\\p{Lu}{2,} afgørelse', false)).toBe(' afgørelse');
    expect(requiredLiteral('frist{1,', true)).toBeNull();
    const cases: [string, 'i' | '', string][] = [
      ['bel\\u00f8b', 'i', 'Skyldigt beløb 500 kr'],
      ['Sk\\xe6rbæk', '', 'Skærbæk Kommune'],
      ['\\d+[^\\n]{0,200}kr', '', 'Skyldigt beløb 500 kr'],
      ['^.{0,100}CVR', '', 'Vedr. CVR 12345678'],
      ['(?<ord>moms) \\k<ord>', 'i', 'Moms moms igen'],
      ['\\u00e6ble', '', 'æble'],
      ['x\\cJy', '', 'x\ny'],
      ['(a)b\\1ab', '', 'abaab'],
    ];
    for (const [p, f, text] of cases) {
      expect([p, regexMatch(compileRegex(p, f), new PreparedText(text))]).toEqual([p, new RegExp(p, f).exec(text)?.[0] ?? null]);
      expect(regexMatch(compileRegex(p, f), new PreparedText(text))).not.toBeNull();
    }
  });
});
