// The original MeMo kept as a skeleton (memo/original.ts): the documents' base64 cut out and laid
// out again from the stored documents, byte for byte, whatever the sender's line layout; anything
// that would not come back exactly is kept whole.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseMemo, payloadSpansOf } from '../../backend/src/memo/parse';
import { compactOriginal, documentPositionsNeeded, isSkeleton, originalMarkup, rebuildOriginal } from '../../backend/src/memo/original';
import { documentRows } from '../../backend/src/store/letters';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/memo/${name}`, import.meta.url)), 'utf8');
const V11 = fixture('memo-1.1.xml');
const FULL = fixture('memo-1.2-full.xml');

/** What storeLetter keeps, and the documents it stores, for these bytes. */
function keep(raw: Buffer) {
  const memo = parseMemo(raw);
  const docs = documentRows(memo).map((d) => ({ position: d.position, content: d.file.content }));
  const stored = compactOriginal(raw, payloadSpansOf(memo), docs);
  const byPosition = new Map(docs.map((d) => [d.position, d.content]));
  return { memo, docs, stored, rebuilt: rebuildOriginal(stored, (p) => byPosition.get(p)) };
}

const wrap = (b64: string, line: number, sep: string) => b64.match(new RegExp(`.{1,${line}}`, 'g'))!.join(sep);
const withContent = (c: string) => V11.replace('JVBERi0xLjQgQnJldmR1ZSB0ZXN0Cg==', c);

describe('the original kept without its documents', () => {
  const pdf = randomBytes(40_000);
  const b64 = pdf.toString('base64');

  test.each([
    ['one line', b64],
    ['76 characters a line, LF', wrap(b64, 76, '\n')],
    ['76 characters a line, CRLF', wrap(b64, 76, '\r\n')],
    ['64 a line, indented, with leading and trailing whitespace', `\n          ${wrap(b64, 64, '\n          ')}\n        `],
    ['one line between spaces and tabs', ` \t${b64}\t `],
    ['lines as long as the whole', wrap(b64, b64.length, '\n')],
  ])('%s: rebuilt byte for byte from a skeleton a fraction of the size', (_name, content) => {
    const raw = Buffer.from(withContent(content));
    const { stored, rebuilt } = keep(raw);
    expect(isSkeleton(stored)).toBe(true);
    expect(stored.length).toBeLessThan(3_000);
    expect(rebuilt.equals(raw)).toBe(true);
    expect(documentPositionsNeeded(stored)).toEqual([0]);
  });

  test('irregular whitespace in the base64 keeps the original whole (still exact)', () => {
    const lines = wrap(b64, 76, '\n');
    const irregular = lines.slice(0, 500) + '\n' + lines.slice(500); // one line broken early
    const raw = Buffer.from(withContent(irregular));
    const { stored, memo } = keep(raw);
    expect(memo.body.mainDocument!.files[0].content.equals(pdf)).toBe(true); // a valid letter all the same
    expect(stored).toBe(raw);
    expect(isSkeleton(stored)).toBe(false);
  });

  test('several documents, prefixed elements, small ones left in place, the same file twice', () => {
    const a = randomBytes(30_000);
    const b = randomBytes(20_000);
    // FULL's first two files get large documents (a, laid out on lines; b on one line); the rest stay small.
    let xml = FULL.replace(/<memo:content>JVBERi0xLjQgQnJl\s+dmR1ZSB0ZXN0Cg==<\/memo:content>/, `<memo:content>\n${wrap(a.toString('base64'), 76, '\r\n')}\n</memo:content>`);
    xml = xml.replace('<memo:content>SGVqIMOmw7jDpQo=</memo:content>', `<memo:content>${b.toString('base64')}</memo:content>`);
    // and the same bytes as b once more, as a later file
    xml = xml.replace('<memo:content>PGZha3R1cmEvPg==</memo:content>', `<memo:content>${b.toString('base64')}</memo:content>`);
    const raw = Buffer.from(xml);
    const { stored, rebuilt, docs } = keep(raw);
    expect(isSkeleton(stored)).toBe(true);
    expect(rebuilt.equals(raw)).toBe(true);
    const needed = documentPositionsNeeded(stored);
    expect(needed).toHaveLength(3);
    // each cut names the document that holds its bytes (b twice: two documents)
    for (const p of needed) expect([a, b].some((x) => x.equals(docs.find((d) => d.position === p)!.content))).toBe(true);
    expect(stored.length).toBeLessThan(raw.length - 60_000);
    // The markup is all there for a CPR scan, the base64 is not.
    const markup = originalMarkup(stored).toString('utf8');
    expect(markup).toContain('<memo:label>');
    expect(markup).not.toContain(b.toString('base64').slice(0, 100));
  });

  test('letters without large documents are kept whole', () => {
    const raw = Buffer.from(V11);
    expect(keep(raw).stored).toBe(raw);
    expect(originalMarkup(raw)).toBe(raw);
    expect(documentPositionsNeeded(raw)).toEqual([]);
  });

  test('bytes other than the ones parsed are never cut on a wrong guess', () => {
    const raw = Buffer.from(withContent(b64));
    const memo = parseMemo(raw);
    const docs = documentRows(memo).map((d) => ({ position: d.position, content: d.file.content }));
    const other = Buffer.from(withContent(b64).replace('<label>', '<label>X'));
    expect(compactOriginal(other, payloadSpansOf(memo), docs)).toBe(other);
  });

  test('a rebuild names what is missing or damaged', () => {
    const raw = Buffer.from(withContent(b64));
    const { stored } = keep(raw);
    expect(() => rebuildOriginal(stored, () => undefined)).toThrow('the stored original needs document 1, which is missing');
    const damaged = Buffer.concat([stored.subarray(0, 25), Buffer.from('}'), stored.subarray(26)]);
    expect(() => rebuildOriginal(damaged, () => pdf)).toThrow('the stored original is damaged');
  });

  test('random layouts round-trip exactly (200 letters)', () => {
    let skeletons = 0;
    for (let i = 0; i < 200; i++) {
      const doc = randomBytes(4_000 + Math.floor(Math.random() * 20_000));
      const line = [0, 60, 64, 72, 76, 100, 3][i % 7];
      const sep = ['\n', '\r\n', '\n    ', ' '][i % 4];
      const body = line ? wrap(doc.toString('base64'), line, sep) : doc.toString('base64');
      const lead = ['', '\n', '\n      ', ' '][(i >> 2) % 4];
      const trail = ['', '\n', '\n    ', '\t'][(i >> 4) % 4];
      const raw = Buffer.from(withContent(lead + body + trail));
      const { stored, rebuilt } = keep(raw);
      expect(rebuilt.equals(raw)).toBe(true);
      if (isSkeleton(stored)) skeletons++;
    }
    expect(skeletons).toBe(200);
  });
});
