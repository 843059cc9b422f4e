// PDF text extraction for routing rules and the assistant: pdf.js (the serverless build bundled in
// `unpdf`, no native code) in a small pool of worker threads, bounded per document in input size,
// time (the worker is terminated), heap (resourceLimits), pages and characters. Never throws:
// every problem is an `ok: false` with a sentence a person can read.
//
//   const r = await extractPdfText(buf);            // { ok: true, text, pages, truncated, … }
//   await closePdfTextPool();                       // at shutdown and in tests' afterAll
import os from 'node:os';
import { joinPages, truncateText } from './normalise';
import { PdfTextPool, type FailureCode, type PoolOptions, type PoolStats, type WorkerResult } from './pool';

export { normalisePdfText } from './normalise';
export type { FailureCode, PoolStats } from './pool';

export interface ExtractPdfTextOptions {
  /** Time for one document once a worker has it (queue wait not counted). Default 5,000 ms. */
  timeoutMs?: number;
  /** Characters of normalised text returned at most. Default 50,000. */
  maxChars?: number;
  /** Pages read at most (the first ones). Default 50. */
  maxPages?: number;
  /** Larger input is refused before parsing. Default 50 MB. */
  maxBytes?: number;
}

export type PdfTextResult =
  | {
      ok: true;
      /** Normalised text: NFC, whitespace collapsed, hyphenated line breaks joined; pages separated by a blank line. */
      text: string;
      /** Pages in the document. */
      pages: number;
      /** Pages whose text was read (fewer than `pages` when maxPages or maxChars stopped it). */
      pagesRead: number;
      /** True when pages or characters were left out because of maxPages or maxChars. */
      truncated: boolean;
    }
  | { ok: false; reason: string; code: FailureCode | 'too-large' | 'not-pdf' | 'empty' };

export const PDF_TEXT_DEFAULTS = Object.freeze({
  timeoutMs: 5_000,
  maxChars: 50_000,
  maxPages: 50,
  maxBytes: 50 * 1024 * 1024,
});

const DEFAULT_POOL: PoolOptions = {
  size: os.availableParallelism() > 2 ? 2 : 1,
  maxQueue: 1_000,
  // A new worker costs ≈ 150 ms to load pdf.js and a few hundred documents at reduced speed until V8
  // has optimised it (≈ 0.8 ms a document when retired every 500); pdf.js's heap stays flat over thousands.
  maxJobsPerWorker: 10_000,
  startupTimeoutMs: 30_000,
  resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
  maxArrayBufferMb: 512,
};

let poolOptions: PoolOptions = DEFAULT_POOL;
let pool: PdfTextPool | undefined;

/**
 * The text of a PDF. Runs in a worker thread of a shared pool (created on first use); at most
 * `maxBytes` of input, `timeoutMs` per document (the worker is then terminated and replaced), a
 * 256 MB heap per worker, the first `maxPages` pages and `maxChars` characters.
 */
export async function extractPdfText(pdf: Buffer | Uint8Array, opts: ExtractPdfTextOptions = {}): Promise<PdfTextResult> {
  try {
    const timeoutMs = positive(opts.timeoutMs, PDF_TEXT_DEFAULTS.timeoutMs);
    const maxChars = positive(opts.maxChars, PDF_TEXT_DEFAULTS.maxChars);
    const maxPages = positive(opts.maxPages, PDF_TEXT_DEFAULTS.maxPages);
    const maxBytes = positive(opts.maxBytes, PDF_TEXT_DEFAULTS.maxBytes);

    // ArrayBuffer.isView, not instanceof: a Buffer from another realm (jest's vm) is still bytes.
    const view: unknown = pdf;
    if (!ArrayBuffer.isView(view)) return { ok: false, code: 'not-pdf', reason: 'no file content was given' };
    const data = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    if (data.byteLength === 0) return { ok: false, code: 'empty', reason: 'the file is empty' };
    if (data.byteLength > maxBytes) {
      return { ok: false, code: 'too-large', reason: `the PDF is too large to read (${mb(data.byteLength)}; the limit is ${mb(maxBytes)})` };
    }
    if (!hasPdfHeader(data)) return { ok: false, code: 'not-pdf', reason: 'the file is not a PDF (it has no %PDF header)' };
    if (!hasPdfStructure(data)) {
      return { ok: false, code: 'invalid', reason: 'the file is damaged or not a valid PDF (it has no cross-reference table or trailer)' };
    }

    pool ??= new PdfTextPool(poolOptions);
    // The worker reads raw text up to a budget with room for the whitespace normalising removes.
    const r: WorkerResult = await pool.run({ data, maxPages, charBudget: maxChars * 2 + 1_024, timeoutMs });
    if (!r.ok) return { ok: false, code: r.code, reason: r.reason };
    const { text, truncated } = truncateText(joinPages(r.texts), maxChars);
    return {
      ok: true,
      text,
      pages: r.pages,
      pagesRead: r.pagesRead,
      truncated: truncated || r.stoppedEarly || r.pagesRead < r.pages,
    };
  } catch (e) {
    return { ok: false, code: 'error', reason: `the PDF could not be read (${e instanceof Error ? e.message : String(e)})` };
  }
}

/** Terminates the pool's workers (pending calls get `ok: false`). A later call starts a new pool. */
export async function closePdfTextPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.close();
}

/** Sets pool options (size, queue, resource limits) for pools created from now on; closes the current one. */
export async function configurePdfTextPool(options: Partial<PoolOptions>): Promise<void> {
  await closePdfTextPool();
  poolOptions = {
    ...DEFAULT_POOL,
    ...options,
    resourceLimits: { ...DEFAULT_POOL.resourceLimits, ...options.resourceLimits },
  };
}

export function pdfTextPoolStats(): PoolStats {
  return pool?.stats() ?? { workers: 0, busy: 0, queued: 0, started: 0, killed: 0 };
}

/** pdf.js, like other readers, accepts the %PDF- header anywhere in the first 1,024 bytes. */
function hasPdfHeader(data: Uint8Array): boolean {
  const head = Buffer.from(data.buffer, data.byteOffset, Math.min(data.byteLength, 1_024));
  return head.indexOf('%PDF-', 0, 'latin1') !== -1;
}

/**
 * Whether pdf.js could find a document in the bytes at all. It needs a trailer dictionary: from the
 * `startxref` offset (an `xref` table or an XRef stream), or, recovering a damaged file, from a
 * `trailer` keyword or an object with `/XRef` somewhere in it; none of these can be compressed. Bytes
 * with none of the three (random data after a %PDF header, a file cut before its first xref) would only
 * make pdf.js scan every byte for objects before it gives up (≈ 12 ms for 0.5 MB): refused here in
 * well under a millisecond. Anything that passes is still pdf.js's to judge.
 */
function hasPdfStructure(data: Uint8Array): boolean {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  // A well-formed file ends with "startxref": look at its tail first, then anywhere.
  const tail = bytes.subarray(Math.max(0, bytes.length - 2_048));
  if (tail.indexOf('startxref', 0, 'latin1') !== -1) return true;
  return bytes.indexOf('xref', 0, 'latin1') !== -1 || bytes.indexOf('XRef', 0, 'latin1') !== -1 || bytes.indexOf('trailer', 0, 'latin1') !== -1;
}

function positive(v: number | undefined, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) || 1 : fallback;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB`;
}
