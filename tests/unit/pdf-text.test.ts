import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { generateDemoLetters, minimalPdf } from '../../backend/src/demo/letters';
import {
  closePdfTextPool,
  configurePdfTextPool,
  extractPdfText,
  normalisePdfText,
  pdfTextPoolStats,
  type PdfTextResult,
} from '../../backend/src/pdf-text/index';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A pdf-lib PDF (object streams, Helvetica/WinAnsi) with one page per entry of `pages`. */
async function pdfLibPdf(pages: string[][]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = doc.addPage([595.28, 841.89]);
    lines.forEach((line, i) => page.drawText(line, { x: 60, y: 770 - i * 16, size: 11, font }));
  }
  return Buffer.from(await doc.save());
}

/** A one-page PDF by hand whose content stream is `stream` (already encoded with `filter`). */
function rawPdf(stream: Buffer, filter?: string, trailerExtra = '', extraObjects: string[] = []): Buffer {
  const objects = [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'),
    Buffer.from('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'),
    Buffer.from('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>'),
    Buffer.from('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>'),
    Buffer.concat([Buffer.from(`<< /Length ${stream.length}${filter ? ` /Filter /${filter}` : ''} >>\nstream\n`), stream, Buffer.from('\nendstream')]),
    ...extraObjects.map((o) => Buffer.from(o)),
  ];
  const parts = [Buffer.from('%PDF-1.4\n')];
  const offsets: number[] = [];
  let at = parts[0].length;
  objects.forEach((o, i) => {
    const chunk = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), o, Buffer.from('\nendobj\n')]);
    offsets.push(at);
    parts.push(chunk);
    at += chunk.length;
  });
  const xref = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R${trailerExtra} >>\nstartxref\n${at}\n%%EOF\n`));
  return Buffer.concat(parts);
}

/** Standard security handler (RC4, R2) whose user password is not empty: pdf.js must ask for one. */
function encryptedPdf(): Buffer {
  const hex = (n: number, seed: number) => Array.from({ length: n }, (_, i) => ((i * 37 + seed) & 0xff).toString(16).padStart(2, '0')).join('');
  return rawPdf(Buffer.from('BT /F1 12 Tf 60 770 Td (Hemmeligt) Tj ET'), undefined,
    ` /Encrypt 6 0 R /ID [<${hex(16, 1)}> <${hex(16, 1)}>]`,
    [`<< /Filter /Standard /V 1 /R 2 /O <${hex(32, 7)}> /U <${hex(32, 11)}> /P -44 >>`]);
}

/** FlateDecode content that inflates to `mb` MB of spaces (deflated 1 MB at a time: about 1 KB per MB). */
async function flateBomb(mb: number): Promise<Buffer> {
  const deflate = zlib.createDeflate({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  const block = Buffer.alloc(1 << 20, 0x20);
  for (let i = 0; i < mb; i++) deflate.write(block);
  deflate.end();
  await done;
  return Buffer.concat(out);
}

function expectOk(r: PdfTextResult): asserts r is Extract<PdfTextResult, { ok: true }> {
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.reason}`);
}

afterEach(async () => {
  await configurePdfTextPool({}); // defaults again, and a fresh pool
});
afterAll(async () => {
  await closePdfTextPool();
});

describe('normalisePdfText', () => {
  it('joins words hyphenated across a line break and keeps real hyphens', () => {
    expect(normalisePdfText('Betalings-\nfristen er den 1. maj')).toBe('Betalingsfristen er den 1. maj');
    expect(normalisePdfText('Skatte-\nstyrelsen')).toBe('Skattestyrelsen');
    expect(normalisePdfText('Jeres CVR-\nnummer')).toBe('Jeres CVR-nummer');
    expect(normalisePdfText('via e-\nBoks')).toBe('via e-Boks');
    expect(normalisePdfText('moms-\nog lønsumsafgift')).toBe('moms- og lønsumsafgift');
    expect(normalisePdfText('2024-\n2025')).toBe('2024-\n2025');
    expect(normalisePdfText('betalings\u00ad\nfrist')).toBe('betalingsfrist');
  });

  it('collapses whitespace, removes controls and zero-width characters, and composes to NFC', () => {
    expect(normalisePdfText('  Kære \t  kunde\u00a0 \n\n\n\n  Vi  skriver\u200b\u0007 til dig  \n')).toBe('Kære kunde\n\nVi skriver til dig');
    const decomposed = 'Blåbærgrød'.normalize('NFD');
    expect(decomposed).not.toBe('Blåbærgrød');
    expect(normalisePdfText(decomposed)).toBe('Blåbærgrød');
    expect(normalisePdfText('a\r\nb\fc')).toBe('a\nb\n\nc');
  });
});

describe('extractPdfText', () => {
  it('reads Danish letters from a pdf-lib PDF', async () => {
    const pdf = await pdfLibPdf([['Kære Nordlys Rådgivning ApS', 'Blåbærgrød, ærø, Østergade og Århus: æøå ÆØÅ', 'Betalings-', 'fristen er den 14. marts 2025.']]);
    const r = await extractPdfText(pdf);
    expectOk(r);
    expect(r.text).toBe('Kære Nordlys Rådgivning ApS\nBlåbærgrød, ærø, Østergade og Århus: æøå ÆØÅ\nBetalingsfristen er den 14. marts 2025.');
    expect(r).toMatchObject({ pages: 1, pagesRead: 1, truncated: false });
    expect(r.text).toBe(r.text.normalize('NFC'));
  });

  it('reads a generated demo letter and the hand-written minimal PDF', async () => {
    const [memo] = await generateDemoLetters({ recipients: [{ cvr: '62269391', name: 'Nordlys Rådgivning ApS' }], count: 1, seed: 7, now: new Date('2025-03-14T10:00:00Z') });
    const file = memo.body.mainDocument!.files[0];
    const r = await extractPdfText(file.content as Buffer);
    expectOk(r);
    expect(r.text).toContain('Nordlys Rådgivning ApS');
    expect(r.text).toContain('CVR-nr. 62269391');
    expect(r.text).toContain('Demobrev genereret af Brevdue');
    const m = await extractPdfText(minimalPdf('Orientering om ændrede åbningstider'));
    expectOk(m);
    expect(m.text).toBe('Orientering om ændrede åbningstider');
  });

  it('reads at most maxPages pages and says the text is truncated', async () => {
    const pdf = await pdfLibPdf([1, 2, 3, 4, 5].map((n) => [`Side ${n} af 5`, `Indhold på side ${n}`]));
    const all = await extractPdfText(pdf);
    expectOk(all);
    expect(all).toMatchObject({ pages: 5, pagesRead: 5, truncated: false });
    expect(all.text.split('\n\n')).toHaveLength(5);

    const two = await extractPdfText(pdf, { maxPages: 2 });
    expectOk(two);
    expect(two).toMatchObject({ pages: 5, pagesRead: 2, truncated: true });
    expect(two.text).toBe('Side 1 af 5\nIndhold på side 1\n\nSide 2 af 5\nIndhold på side 2');
  });

  it('cuts the text at maxChars and flags it', async () => {
    const pdf = await pdfLibPdf([['Skattestyrelsen sender hermed en rykker for momsangivelsen.']]);
    const r = await extractPdfText(pdf, { maxChars: 15 });
    expectOk(r);
    expect(r.text).toBe('Skattestyrelsen');
    expect(r.truncated).toBe(true);
    const whole = await extractPdfText(pdf, { maxChars: 1_000 });
    expectOk(whole);
    expect(whole.truncated).toBe(false);
  });

  it('answers non-PDFs, damaged, truncated, empty and encrypted files with a reason, never a throw', async () => {
    const notPdf = await extractPdfText(Buffer.from('Hej, dette er bare en tekstfil.\n'));
    expect(notPdf).toEqual({ ok: false, code: 'not-pdf', reason: 'the file is not a PDF (it has no %PDF header)' });

    const empty = await extractPdfText(Buffer.alloc(0));
    expect(empty).toMatchObject({ ok: false, code: 'empty' });

    const garbage = await extractPdfText(Buffer.from('%PDF-1.7\n' + 'x'.repeat(2_000)));
    expect(garbage).toMatchObject({ ok: false, code: 'invalid' });
    expect(!garbage.ok && garbage.reason).toMatch(/damaged or not a valid PDF/);

    const good = await pdfLibPdf([['Et brev der bliver afbrudt undervejs']]);
    for (const fraction of [0.25, 0.5, 0.9]) {
      const cut = await extractPdfText(good.subarray(0, Math.floor(good.length * fraction)));
      expect(cut).toMatchObject({ ok: false, code: 'invalid' });
    }

    const classic = minimalPdf('Et brev med klassisk xref-tabel'); // cut before its xref table and trailer
    expect(await extractPdfText(classic.subarray(0, classic.indexOf('xref')))).toMatchObject({ ok: false, code: 'invalid' });

    const locked = await extractPdfText(encryptedPdf());
    expect(locked).toEqual({ ok: false, code: 'encrypted', reason: 'the PDF is password-protected, so its text cannot be read' });

    // The pool still works after all of that.
    expectOk(await extractPdfText(minimalPdf('Stadig i live')));
  });

  it('refuses bytes with no cross-reference table or trailer before pdf.js sees them', async () => {
    await closePdfTextPool();
    // 0.5 MB of deterministic noise after a %PDF header, as bench:ingest sends (SHA-256 in counter mode).
    const noise = Buffer.concat(Array.from({ length: 16_384 }, (_, i) => createHash('sha256').update(`brevdue ${i}`).digest()));
    const synthetic = Buffer.concat([Buffer.from('%PDF-1.7\n'), noise]);
    expect(synthetic.toString('latin1')).not.toMatch(/xref|XRef|trailer/);
    const r = await extractPdfText(synthetic);
    expect(r).toEqual({ ok: false, code: 'invalid', reason: 'the file is damaged or not a valid PDF (it has no cross-reference table or trailer)' });
    expect(pdfTextPoolStats().started).toBe(0); // answered without a worker

    // A damaged file that pdf.js can still recover is not refused: no xref table and no startxref,
    // only a trailer keyword (pdf.js rebuilds the table from the objects).
    const whole = rawPdf(Buffer.from('BT /F1 12 Tf 60 770 Td (Kun en trailer) Tj ET')).toString('latin1');
    const trailerOnly = whole.replace(/xref\n[\s\S]*?(?=trailer)/, '').replace(/startxref[\s\S]*$/, '');
    expect(trailerOnly).not.toMatch(/xref|XRef/);
    const recovered = await extractPdfText(Buffer.from(trailerOnly, 'latin1'));
    expectOk(recovered);
    expect(recovered.text).toBe('Kun en trailer');
    // And a real PDF still yields its text.
    const real = await extractPdfText(await pdfLibPdf([['Rykker for moms', 'Betalingsfrist 1. maj']]));
    expectOk(real);
    expect(real.text).toBe('Rykker for moms\nBetalingsfrist 1. maj');
  });

  it('inflates FlateDecode content whole, cut short or followed by garbage', async () => {
    const ops = Buffer.from('BT /F1 12 Tf 60 770 Td (Rykker for moms) Tj 0 -20 Td (Betalingsfrist 1. maj) Tj ET\n'.repeat(3));
    const deflated = zlib.deflateSync(ops);
    const whole = await extractPdfText(rawPdf(deflated, 'FlateDecode'));
    expectOk(whole);
    expect(whole.text).toBe(Array(3).fill('Rykker for moms\nBetalingsfrist 1. maj').join('\n'));
    const trailing = await extractPdfText(rawPdf(Buffer.concat([deflated, Buffer.from('xyzxyz')]), 'FlateDecode'));
    expectOk(trailing);
    expect(trailing.text).toBe(whole.text);
    // A stream cut short gives what it has, as a viewer would show.
    const cut = await extractPdfText(rawPdf(deflated.subarray(0, deflated.length - 30), 'FlateDecode'));
    expectOk(cut);
    expect(cut.text).toBe('Rykker for moms');
  });

  it('refuses input over maxBytes before parsing it', async () => {
    await closePdfTextPool();
    const r = await extractPdfText(await pdfLibPdf([['Et helt almindeligt brev']]), { maxBytes: 100 });
    expect(r).toMatchObject({ ok: false, code: 'too-large' });
    expect(!r.ok && r.reason).toMatch(/too large to read \(.* MB; the limit is 0 MB\)/);
    expect(pdfTextPoolStats().started).toBe(0); // no worker was even started
  });

  it('terminates a worker that takes longer than timeoutMs, and the pool recovers', async () => {
    const pdf = await pdfLibPdf([['Et brev'], ['Side to']]);
    const long = await pdfLibPdf(Array.from({ length: 30 }, (_, n) => Array.from({ length: 40 }, (_, i) => `Side ${n + 1}, linje ${i + 1}: æøå`)));
    expectOk(await extractPdfText(pdf)); // a warm worker, so the 1 ms covers the parse alone
    const before = pdfTextPoolStats();
    const slow = await extractPdfText(long, { timeoutMs: 1 });
    expect(slow).toEqual({ ok: false, code: 'timeout', reason: 'reading the PDF took longer than 1 ms' });
    const after = await extractPdfText(pdf);
    expectOk(after);
    expect(after.text).toBe('Et brev\n\nSide to');
    const stats = pdfTextPoolStats();
    expect(stats.killed).toBe(before.killed + 1);
    expect(stats.started).toBe(before.started + 1); // one replacement worker
  });

  it('a worker over its heap limit is killed (ERR_WORKER_OUT_OF_MEMORY) and replaced', async () => {
    // A real out-of-memory kill, made cheap with a 16 MB heap: 100,000 positioned text runs, each a
    // text item pdf.js keeps in the heap (about 0.5 MB of PDF).
    await configurePdfTextPool({ resourceLimits: { maxOldGenerationSizeMb: 16 } });
    const ops = Array.from({ length: 1_000 }, (_, i) => `BT /F1 10 Tf ${i % 500} ${i % 700} Td (ord${i}) Tj ET\n`).join('');
    const pdf = rawPdf(zlib.deflateSync(Buffer.from(ops.repeat(100))), 'FlateDecode');
    const r = await extractPdfText(pdf, { timeoutMs: 30_000, maxChars: 10_000_000 });
    expect(r).toEqual({ ok: false, code: 'memory', reason: 'the PDF needed more memory than allowed (16 MB heap)' });
    expectOk(await extractPdfText(minimalPdf('Efter hukommelsesfejlen')));
    expect(pdfTextPoolStats()).toMatchObject({ started: 2, killed: 1 });
  });

  it('stops a decompression bomb at the decoded-data cap (native inflate and synchronous decoders)', async () => {
    await configurePdfTextPool({ maxArrayBufferMb: 64 });
    // FlateDecode: 256 MB of spaces in about 250 KB of PDF, inflated by the native DecompressionStream.
    const flate = await extractPdfText(rawPdf(await flateBomb(256), 'FlateDecode'), { timeoutMs: 30_000 });
    expect(flate).toEqual({ ok: false, code: 'memory', reason: 'the PDF needed more memory than allowed (over 64 MB of decoded data)' });
    // RunLengthDecode: 2 bytes → 128, decoded synchronously into a growing Uint8Array.
    const pairs = 1_200_000;
    const rl = Buffer.alloc(pairs * 2 + 1);
    for (let i = 0; i < pairs; i++) { rl[2 * i] = 0x81; rl[2 * i + 1] = 0x20; }
    rl[pairs * 2] = 0x80;
    const runLength = await extractPdfText(rawPdf(rl, 'RunLengthDecode'), { timeoutMs: 30_000 });
    expect(runLength).toMatchObject({ ok: false, code: 'memory' });
    expectOk(await extractPdfText(minimalPdf('Efter bomben')));
  });

  it('answers 20 parallel calls with a pool of at most 2 workers', async () => {
    const pdfs = await Promise.all(Array.from({ length: 20 }, (_, i) => pdfLibPdf([[`Brev nummer ${i}`, 'æøå ÆØÅ'], ['Side to']])));
    const results = await Promise.all(pdfs.map((p) => extractPdfText(p)));
    results.forEach((r, i) => {
      expectOk(r);
      expect(r.text).toBe(`Brev nummer ${i}\næøå ÆØÅ\n\nSide to`);
    });
    const stats = pdfTextPoolStats();
    expect(stats.started).toBeLessThanOrEqual(2);
    expect(stats).toMatchObject({ busy: 0, queued: 0, killed: 0 });
  });

  it('refuses calls beyond maxQueue with busy instead of queueing without bound', async () => {
    await configurePdfTextPool({ size: 1, maxQueue: 3 });
    const pdf = minimalPdf('Kø');
    const results = await Promise.all(Array.from({ length: 8 }, () => extractPdfText(pdf)));
    const busy = results.filter((r) => !r.ok && r.code === 'busy');
    expect(results.filter((r) => r.ok)).toHaveLength(3); // the worker was still starting: 3 waited
    expect(busy).toHaveLength(5);
    expect(!busy[0].ok && busy[0].reason).toMatch(/busy \(3 documents waiting\)/);
  });

  it('closePdfTextPool answers pending calls and a later call starts a new pool', async () => {
    const pdf = minimalPdf('Lukker');
    const pending = Promise.all([extractPdfText(pdf), extractPdfText(pdf)]);
    await closePdfTextPool();
    for (const r of await pending) expect(r).toMatchObject({ ok: false, code: 'closed' });
    expectOk(await extractPdfText(pdf));
  });

  it('under tsx (npm start) the worker loads and an idle pool does not keep the process alive', async () => {
    const script = `
      const { extractPdfText } = await import(${JSON.stringify(`${ROOT}backend/src/pdf-text/index.ts`)});
      const { minimalPdf } = await import(${JSON.stringify(`${ROOT}backend/src/demo/letters.ts`)});
      const r = await extractPdfText(minimalPdf('Fra tsx: æøå'));
      console.log(JSON.stringify(r));
    `; // no closePdfTextPool(): the process must exit by itself
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, timeout: 20_000 });
    expect(JSON.parse(stdout)).toEqual({ ok: true, text: 'Fra tsx: æøå', pages: 1, pagesRead: 1, truncated: false });
  });
});
