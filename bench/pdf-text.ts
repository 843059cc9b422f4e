// node --import tsx bench/pdf-text.ts — CPU and wall time per document of `extractPdfText` (the
// worker pool, as routing calls it), for three kinds of input:
//   demo       the demo letters' PDFs (pdf-lib, 1 page, main documents and attachments, ≈ 2–3 KB)
//   multipage  a 10-page pdf-lib text PDF (40 lines a page, ≈ 20 KB)
//   synthetic  0.5 MB of '%PDF-1.7\n' + random bytes, as bench:ingest sends (not a valid PDF)
// CPU = user + system of the whole process (process.cpuUsage covers the worker threads too), so it
// includes the hand-off to the worker and the normalising in the main thread. Documents go one at a
// time (`BENCH_CONCURRENCY=1`) unless told otherwise; the pool is warmed before the clock starts.
// Knobs: BENCH_N (documents per kind and round, default 200), BENCH_ROUNDS (default 5; the median
// round is printed), BENCH_KINDS (comma list). Last lines: `cpu_ms_per_doc_<kind>: N`, `wall_ms_per_doc_<kind>: N`.
import { randomBytes } from 'node:crypto';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { generateDemoLetters } from '../backend/src/demo/letters';
import { closePdfTextPool, extractPdfText, pdfTextPoolStats } from '../backend/src/pdf-text/index';

const N = Number(process.env.BENCH_N ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 1);
const KINDS = (process.env.BENCH_KINDS ?? 'demo,multipage,synthetic').split(',');
const say = (s: string) => process.stderr.write(`[bench:pdf-text] ${s}\n`);

async function demoPdfs(): Promise<Buffer[]> {
  const letters = await generateDemoLetters({ recipients: [{ cvr: '62269391', name: 'Nordlys Rådgivning ApS' }], count: 40, seed: 3, now: new Date('2025-03-14T10:00:00Z') });
  return letters.flatMap((m) => [m.body.mainDocument, ...(m.body.additionalDocuments ?? [])])
    .flatMap((d) => d?.files ?? []).map((f) => f.content as Buffer);
}

async function multipagePdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let p = 1; p <= 10; p++) {
    const page = doc.addPage([595.28, 841.89]);
    for (let i = 0; i < 40; i++) {
      page.drawText(`Side ${p}, linje ${i + 1}: Skattestyrelsen rykker for momsangivelsen – æøå ÆØÅ`, { x: 50, y: 800 - i * 19, size: 10, font });
    }
  }
  return Buffer.from(await doc.save());
}

function syntheticPdfs(count: number): Buffer[] {
  const pool = randomBytes(2 * 1024 * 1024);
  return Array.from({ length: count }, (_, i) => {
    const start = (i * 104_729) % (pool.length - 512 * 1024);
    return Buffer.concat([Buffer.from('%PDF-1.7\n'), pool.subarray(start, start + 512 * 1024)]);
  });
}

interface Round { cpuMs: number; wallMs: number; failed: number; chars: number }

async function round(docs: readonly Buffer[]): Promise<Round> {
  let failed = 0;
  let chars = 0;
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < N) {
      const r = await extractPdfText(docs[next++ % docs.length]);
      if (r.ok) chars += r.text.length; else failed += 1;
    }
  }));
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs, failed, chars };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const corpora: Record<string, Buffer[]> = {};
if (KINDS.includes('demo')) corpora.demo = await demoPdfs();
if (KINDS.includes('multipage')) corpora.multipage = [await multipagePdf()];
if (KINDS.includes('synthetic')) corpora.synthetic = syntheticPdfs(8);
for (const [kind, docs] of Object.entries(corpora)) {
  const bytes = docs.reduce((s, d) => s + d.length, 0) / docs.length;
  say(`${kind}: ${docs.length} distinct documents, ${(bytes / 1024).toFixed(1)} KB on average`);
}

const results: Record<string, { cpu: number; wall: number }> = {};
for (const [kind, docs] of Object.entries(corpora)) {
  for (let i = 0; i < 20; i++) await extractPdfText(docs[i % docs.length]); // warm: workers started, JIT
  const rounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await round(docs));
  const cpu = median(rounds.map((r) => r.cpuMs / N));
  const wall = median(rounds.map((r) => r.wallMs / N));
  results[kind] = { cpu, wall };
  say(`${kind}: cpu ms/doc per round ${rounds.map((r) => (r.cpuMs / N).toFixed(2)).join(' ')}; wall ${rounds.map((r) => (r.wallMs / N).toFixed(2)).join(' ')}; ` +
    `failed ${rounds[0].failed}/${N}, ${Math.round(rounds[0].chars / Math.max(1, N - rounds[0].failed))} chars per read document`);
}
say(`pool: ${JSON.stringify(pdfTextPoolStats())}, concurrency ${CONCURRENCY}`);
await closePdfTextPool();

for (const [kind, r] of Object.entries(results)) {
  console.log(`cpu_ms_per_doc_${kind}: ${r.cpu.toFixed(2)}`);
  console.log(`wall_ms_per_doc_${kind}: ${r.wall.toFixed(2)}`);
}
