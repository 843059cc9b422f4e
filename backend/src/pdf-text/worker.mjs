// The PDF text worker (worker_threads). Plain JavaScript on purpose: a worker thread is a fresh Node
// isolate that does not inherit tsx's loader or jest's transform, and this file loads as it is under
// `npm start` (tsx), the `brevdue` command and jest alike. It holds no logic worth type-checking:
// it opens a document with pdf.js (the serverless build bundled in unpdf), reads the raw text of at
// most `maxPages` pages and at most about `charBudget` characters, and posts it back. Normalising
// and truncating happen in the main thread (normalise.ts, unit-tested).
//
// Protocol: the worker posts { type: 'ready' } once pdf.js is loaded; then, per job,
//   in:  { id, data: ArrayBuffer (transferred), maxPages, charBudget }
//   out: { id, ok: true, pages, pagesRead, texts: string[], stoppedEarly }
//      | { id, ok: false, code, reason }
//      | { type: 'over-memory', id }   (decoded data passed the cap: terminate me)
// The pool (pool.ts) runs one job at a time per worker, enforces the time limit by terminating
// the worker, and the heap limit is the worker's resourceLimits.
import { parentPort, workerData } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import zlib from 'node:zlib';

if (!parentPort) throw new Error('pdf-text worker.mjs must run in a worker thread');
const port = parentPort;

// Decoded streams live in ArrayBuffers, outside the V8 heap that resourceLimits caps: a 1 MB
// FlateDecode bomb inflates to gigabytes. Checks against this isolate's external memory:
// - pdf.js inflates FlateDecode and BrotliDecode through DecompressionStream, which here is zlib in
//   one call with maxOutputLength set to what is left (SyncDecompressionStream below): past the cap
//   it asks the pool to terminate the worker at once;
// - the other synchronous decoders (and pdf.js's fallback JS inflater) grow their buffers with
//   `new Uint8Array(n)` inside one turn: large allocations are checked, and one that would pass the
//   cap throws (pdf.js may swallow that and recover) and marks the document `memory`;
// - a watchdog timer catches growth by any other way between turns.
// All count from the external memory at the document's start, so buffers of the previous
// document that the GC has not collected yet are not held against this one.
const MAX_EXTERNAL_BYTES = (workerData?.maxArrayBufferMb ?? 512) * 1024 * 1024;
const CHECK_FROM_BYTES = 1024 * 1024;
let memoryExceeded = false;
let baseline = 0; // external memory when the current document started
const grownBy = () => getHeapStatistics().external_memory - baseline;
function guard(bytes) {
  if (typeof bytes !== 'number' || bytes < CHECK_FROM_BYTES) return;
  if (grownBy() + bytes > MAX_EXTERNAL_BYTES) {
    memoryExceeded = true;
    throw new RangeError(`buffer of ${bytes} bytes refused: over the ${MAX_EXTERNAL_BYTES / 1048576} MB limit`);
  }
}
for (const name of ['Uint8Array', 'Uint8ClampedArray', 'ArrayBuffer']) {
  const Native = globalThis[name];
  const bytesPerElement = Native.BYTES_PER_ELEMENT ?? 1;
  globalThis[name] = new Proxy(Native, {
    construct(target, args, newTarget) {
      if (typeof args[0] === 'number') guard(args[0] * bytesPerElement);
      return Reflect.construct(target, args, newTarget === globalThis[name] ? target : newTarget);
    },
  });
}

let currentJob = null;
function overMemory() {
  memoryExceeded = true;
  if (currentJob === null) return;
  port.postMessage({ type: 'over-memory', id: currentJob });
  currentJob = null; // once; the pool terminates this worker
}
setInterval(() => {
  if (currentJob !== null && grownBy() > MAX_EXTERNAL_BYTES) overMemory();
}, 20).unref();

// pdf.js inflates FlateDecode (and BrotliDecode) streams through DecompressionStream. The native one
// wraps a zlib stream in web streams, costly for the small streams of a letter (≈ 8 % of the CPU per
// document); this one inflates in one synchronous native call, bounded by maxOutputLength to what is
// left of the cap, so a bomb stops at the cap exactly. Same contract as far as pdf.js uses it: write
// the bytes, close, iterate the output; an error makes pdf.js fall back to its own (guarded) inflater.
const NativeDecompressionStream = globalThis.DecompressionStream;
const SYNC_INFLATE = { deflate: zlib.inflateSync, 'deflate-raw': zlib.inflateRawSync, brotli: zlib.brotliDecompressSync };
class SyncDecompressionStream {
  constructor(format) {
    const inflate = SYNC_INFLATE[format];
    if (!inflate) return new NativeDecompressionStream(format);
    const input = [];
    let closed;
    const done = new Promise((resolve) => { closed = resolve; });
    const writer = {
      ready: Promise.resolve(),
      closed: done,
      write(chunk) { input.push(chunk); return Promise.resolve(); },
      close() { closed(); return Promise.resolve(); },
      abort() { closed(); return Promise.resolve(); },
      releaseLock() {},
    };
    this.writable = { getWriter: () => writer };
    this.readable = {
      async *[Symbol.asyncIterator]() {
        await done;
        const bytes = input.length === 1 ? input[0] : Buffer.concat(input);
        const room = Math.max(1, MAX_EXTERNAL_BYTES - grownBy());
        // Z_SYNC_FLUSH: a stream cut short yields what it has, as pdf.js's own inflater does after the
        // native stream has failed on it.
        const options = format === 'brotli' ? { maxOutputLength: room } : { maxOutputLength: room, finishFlush: zlib.constants.Z_SYNC_FLUSH };
        try {
          yield inflate(bytes, options);
        } catch (e) {
          if (e?.code === 'ERR_BUFFER_TOO_LARGE') overMemory();
          throw e;
        }
      },
    };
  }
}
globalThis.DecompressionStream = SyncDecompressionStream;

// Loaded after the guard, so the bundled pdf.js sees the guarded constructors.
const { getResolvedPDFJS } = await import('unpdf');

// pdf.js can leave a stray rejection behind while a broken document is torn down; it must not kill
// the worker between jobs (a job in flight is still bounded by the pool's timeout).
process.on('unhandledRejection', () => {});

// pdf.js's own getDocument, not unpdf's getDocumentProxy: that one looks for pdfjs-dist with
// import.meta.resolve on every call (a module resolution that fails, for every document).
const { getDocument } = await getResolvedPDFJS();
port.postMessage({ type: 'ready' });

port.on('message', (msg) => {
  void extract(msg).then((out) => port.postMessage(out));
});

async function extract({ id, data, maxPages, charBudget }) {
  let task;
  memoryExceeded = false;
  baseline = getHeapStatistics().external_memory;
  currentJob = id;
  try {
    task = getDocument({
      data: new Uint8Array(data), // transferred to us: pdf.js may keep it without a copy
      verbosity: 0, // no console warnings from pdf.js
      isEvalSupported: false, // never compile font programs with eval/new Function
      disableFontFace: true,
      useSystemFonts: false,
      enableXfa: false,
      stopAtErrors: false, // recover what a viewer would show; unreadable structure still throws
    });
    const pdf = await task.promise;
    const pages = pdf.numPages;
    const texts = [];
    let total = 0;
    let stoppedEarly = false;
    const last = Math.min(pages, maxPages);
    for (let n = 1; n <= last && !stoppedEarly; n++) {
      const page = await pdf.getPage(n);
      const reader = page.streamTextContent({ includeMarkedContent: false }).getReader();
      let text = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const item of value.items) {
          if (typeof item.str !== 'string') continue;
          text += item.str;
          if (item.hasEOL) text += '\n';
        }
        if (total + text.length > charBudget) {
          stoppedEarly = true;
          await reader.cancel().catch(() => {});
          break;
        }
      }
      texts.push(text);
      total += text.length;
      page.cleanup();
    }
    if (memoryExceeded) return { id, ok: false, ...tooMuchMemory() };
    return { id, ok: true, pages, pagesRead: texts.length, texts, stoppedEarly };
  } catch (e) {
    if (memoryExceeded) return { id, ok: false, ...tooMuchMemory() };
    return { id, ok: false, ...describe(e) };
  } finally {
    currentJob = null;
    if (task) await task.destroy().catch(() => {});
  }
}

function tooMuchMemory() {
  return { code: 'memory', reason: `the PDF needed more memory than allowed (a stream over ${MAX_EXTERNAL_BYTES / 1048576} MB decoded)` };
}

/** pdf.js errors → a code and a sentence a person can act on. */
function describe(e) {
  const name = e && typeof e === 'object' && 'name' in e ? String(e.name) : '';
  const message = e instanceof Error ? e.message : String(e);
  switch (name) {
    case 'PasswordException':
      return { code: 'encrypted', reason: 'the PDF is password-protected, so its text cannot be read' };
    case 'InvalidPDFException':
      return { code: 'invalid', reason: `the file is damaged or not a valid PDF (${message})` };
    case 'FormatError':
    case 'UnknownErrorException':
    case 'MissingPDFException':
      return { code: 'invalid', reason: `the PDF is damaged and could not be read (${message})` };
    default:
      if (e instanceof RangeError) return { code: 'memory', reason: `the PDF needed more memory than allowed (${message})` };
      return { code: 'error', reason: `the PDF could not be read (${message})` };
  }
}
