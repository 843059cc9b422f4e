// A small pool of PDF text workers (worker_threads running worker.mjs).
//
// - At most `size` workers (default 1–2), reused across calls; a worker is replaced after it was
//   killed or crashed, and retired after `maxJobsPerWorker` documents (pdf.js caches, heap drift).
// - One document per worker at a time. The rest wait in a FIFO queue holding only a reference to
//   the caller's buffer (no copy until the hand-off); at most `maxQueue` may wait, after that a call
//   is answered at once with `busy` — callers that `await` their turn are the backpressure.
// - Time: a timer per document from the hand-off to the worker; when it fires the worker is
//   terminated (V8 TerminateExecution, so synchronous parser loops stop too) — not a flag.
// - Memory: the worker's `resourceLimits` cap its V8 heap; exceeding it kills the worker with
//   ERR_WORKER_OUT_OF_MEMORY, which is answered as a `memory` failure. ArrayBuffers (decoded
//   streams) are outside that heap: the worker refuses large ones past `maxArrayBufferMb`.
// - Workers are unref'd while idle, so an idle pool never keeps the process alive; `close()`
//   terminates them and answers everything pending.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { PDF_TEXT_WORKER_URL } from '../paths';

export interface PoolOptions {
  /** Number of workers (1–4). Default: 2 on machines with more than 2 cores, else 1. */
  size: number;
  /** Documents that may wait for a worker; more are refused with `busy`. */
  maxQueue: number;
  /** A worker is replaced after this many documents. */
  maxJobsPerWorker: number;
  /** Time a new worker may take to load pdf.js. */
  startupTimeoutMs: number;
  /** V8 heap limits of each worker (maxOldGenerationSizeMb …); exceeding them kills the worker. */
  resourceLimits: ResourceLimits;
  /** ArrayBuffer memory (decoded streams) a worker may hold; checked on every allocation ≥ 1 MB. */
  maxArrayBufferMb: number;
}

export type WorkerResult =
  | { ok: true; pages: number; pagesRead: number; texts: string[]; stoppedEarly: boolean }
  | { ok: false; code: FailureCode; reason: string };

export type FailureCode = 'encrypted' | 'invalid' | 'error' | 'memory' | 'timeout' | 'busy' | 'unavailable' | 'closed';

export interface JobInput {
  data: Uint8Array;
  maxPages: number;
  charBudget: number;
  timeoutMs: number;
}

interface Job extends JobInput {
  id: number;
  resolve(r: WorkerResult): void;
  timer?: NodeJS.Timeout;
}

interface Slot {
  worker?: Worker;
  starting: boolean;
  job?: Job;
  jobsDone: number;
  startTimer?: NodeJS.Timeout;
}

export interface PoolStats {
  workers: number;
  busy: number;
  queued: number;
  /** Workers started since the pool was created (the first ones included). */
  started: number;
  /** Workers terminated because of a timeout, a memory kill or a crash. */
  killed: number;
}

const WORKER_URL = PDF_TEXT_WORKER_URL;

export class PdfTextPool {
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private started = 0;
  private killed = 0;
  private readonly exits = new Set<Promise<unknown>>();

  constructor(readonly options: PoolOptions) {
    const size = Math.min(4, Math.max(1, Math.floor(options.size)));
    this.slots = Array.from({ length: size }, () => ({ starting: false, jobsDone: 0 }));
  }

  run(input: JobInput): Promise<WorkerResult> {
    if (this.closed) return Promise.resolve(fail('closed', 'PDF text extraction has been shut down'));
    if (this.queue.length >= this.options.maxQueue) {
      return Promise.resolve(fail('busy', `PDF text extraction is busy (${this.queue.length} documents waiting); try again later`));
    }
    return new Promise((resolve) => {
      this.queue.push({ ...input, id: this.nextId++, resolve });
      this.pump();
    });
  }

  stats(): PoolStats {
    return {
      workers: this.slots.filter((s) => s.worker).length,
      busy: this.slots.filter((s) => s.job).length,
      queued: this.queue.length,
      started: this.started,
      killed: this.killed,
    };
  }

  /** Terminates every worker; pending and running documents are answered with `closed`. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.resolve(fail('closed', 'PDF text extraction was shut down'));
    for (const slot of this.slots) {
      if (slot.job) this.finish(slot, fail('closed', 'PDF text extraction was shut down'));
      this.drop(slot);
    }
    await Promise.allSettled([...this.exits]);
  }

  // -------------------------------------------------------------------------------------------

  private pump(): void {
    if (this.closed) return;
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.job || slot.starting) continue;
      if (!slot.worker) {
        this.spawn(slot);
        continue;
      }
      this.dispatch(slot, this.queue.shift()!);
    }
  }

  private spawn(slot: Slot): void {
    slot.starting = true;
    slot.jobsDone = 0;
    this.started += 1;
    const worker = new Worker(WORKER_URL, {
      // Not the parent's flags: worker.mjs is plain JavaScript and needs no tsx loader, and flags
      // like `--input-type` or jest's `--experimental-vm-modules` mean nothing (or fail) in a worker.
      execArgv: [],
      resourceLimits: this.options.resourceLimits,
      workerData: { maxArrayBufferMb: this.options.maxArrayBufferMb },
    });
    slot.worker = worker;
    const failStart = (reason: string) => {
      if (slot.worker !== worker || !slot.starting) return;
      this.drop(slot);
      // A worker that cannot start would fail every document the same way: answer them all now;
      // the next call tries a new worker.
      for (const job of this.queue.splice(0)) job.resolve(fail('unavailable', `PDF text extraction is unavailable: ${reason}`));
    };
    slot.startTimer = setTimeout(() => failStart(`the PDF reader did not start within ${this.options.startupTimeoutMs} ms`), this.options.startupTimeoutMs);
    worker.on('message', (msg: { type?: string; id?: number } & Record<string, unknown>) => {
      if (slot.worker !== worker) return;
      if (msg.type === 'ready') {
        clearTimeout(slot.startTimer);
        slot.starting = false;
        worker.unref();
        this.pump();
        return;
      }
      const job = slot.job;
      if (!job || msg.id !== job.id) return;
      if (msg.type === 'over-memory') {
        this.crash(slot, fail('memory', `the PDF needed more memory than allowed (over ${this.options.maxArrayBufferMb} MB of decoded data)`));
        return;
      }
      const { id: _id, ...result } = msg;
      slot.jobsDone += 1;
      this.finish(slot, result as WorkerResult);
      if (slot.jobsDone >= this.options.maxJobsPerWorker) this.drop(slot);
      this.pump();
    });
    worker.on('error', (e: Error & { code?: string }) => {
      if (slot.worker !== worker) return;
      if (slot.starting) return failStart(e.message);
      this.crash(slot, e.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? fail('memory', `the PDF needed more memory than allowed (${this.options.resourceLimits.maxOldGenerationSizeMb ?? '?'} MB heap)`)
        : fail('error', `the PDF reader crashed (${e.message})`));
    });
    worker.on('messageerror', (e: Error) => {
      if (slot.worker === worker) this.crash(slot, fail('error', `the PDF reader sent an unreadable answer (${e.message})`));
    });
    worker.on('exit', (code) => {
      if (slot.worker !== worker) return;
      if (slot.starting) return failStart(`the PDF reader stopped while starting (exit code ${code})`);
      this.crash(slot, fail('error', `the PDF reader stopped unexpectedly (exit code ${code})`));
    });
  }

  private dispatch(slot: Slot, job: Job): void {
    const worker = slot.worker!;
    slot.job = job;
    worker.ref(); // a document in flight keeps the process alive until it is answered
    job.timer = setTimeout(() => {
      if (slot.job !== job) return;
      this.crash(slot, fail('timeout', `reading the PDF took longer than ${job.timeoutMs} ms`));
    }, job.timeoutMs);
    // A copy the worker owns (transferred, not cloned again); the caller's Buffer stays intact.
    const copy = new Uint8Array(job.data.byteLength);
    copy.set(job.data);
    worker.postMessage({ id: job.id, data: copy.buffer, maxPages: job.maxPages, charBudget: job.charBudget }, [copy.buffer]);
  }

  /** The running document gets `result`; the worker is terminated and replaced on demand. */
  private crash(slot: Slot, result: WorkerResult): void {
    this.killed += 1;
    if (slot.job) this.finish(slot, result);
    this.drop(slot);
    this.pump();
  }

  private finish(slot: Slot, result: WorkerResult): void {
    const job = slot.job!;
    clearTimeout(job.timer);
    slot.job = undefined;
    slot.worker?.unref();
    job.resolve(result);
  }

  /** Forget the slot's worker and terminate it (a no-op for one that has exited). */
  private drop(slot: Slot): void {
    const worker = slot.worker;
    clearTimeout(slot.startTimer);
    slot.worker = undefined;
    slot.starting = false;
    if (!worker) return;
    worker.removeAllListeners('message');
    worker.on('error', () => {}); // late errors of a dropped worker are no one's business
    const exit = worker.terminate().catch(() => undefined);
    this.exits.add(exit);
    void exit.finally(() => this.exits.delete(exit));
  }
}

export function fail(code: FailureCode, reason: string): WorkerResult {
  return { ok: false, code, reason };
}
