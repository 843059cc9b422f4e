// Request recording: every Graph request (v1.0 and upload URLs; not the /sim control routes) in a
// bounded ring, with its JSON body, so that tests can assert what a client sent and check it
// against Graph's types (tests/helpers/graph-types.ts).
import type { Request, RequestHandler, Response } from 'express';

/** Internal header on the loopback requests `$batch` makes; names the batch's request-id. */
export const BATCH_REPLAY_HEADER = 'x-brevdue-sim-batch';

export interface RecordedBatchItem { id: string; method: string; url: string; body: unknown }

export interface RecordedRequest {
  /** When the request arrived (ISO). */
  at: string;
  method: string;
  /** Path below the simulator's mount point as sent (percent-encoded), e.g. /v1.0/users/x%40y/messages. */
  path: string;
  /** Query string without '?', '' when none. */
  query: string;
  /** Response status; null while (or if never) answered. */
  status: number | null;
  /** The body parsed when it was JSON, else null. */
  body: unknown;
  /** Length of the request body in bytes (0 when none). */
  bodyBytes: number;
  contentType: string | null;
  requestId: string | null;
  /** For POST /v1.0/$batch: the inner requests as the client put them. */
  batch?: RecordedBatchItem[];
  /** For a request the simulator replayed from a $batch: that batch's request-id. */
  batchId?: string;
  /** The body was dropped to keep the recording within its byte cap (older requests go first). */
  bodyDropped?: boolean;
}

export class RequestRecorder {
  private ring: RecordedRequest[] = [];
  private start = 0;
  /** Records holding a body, oldest first; past the byte cap the oldest bodies are dropped. */
  private bodies: RecordedRequest[] = [];
  private counted = new WeakSet<RecordedRequest>();
  private bodyBytes = 0;

  constructor(readonly capacity = 20_000, readonly maxBodyBytes = 64 * 1024 * 1024) {}

  add(r: RecordedRequest): void {
    if (this.capacity <= 0) return;
    if (this.ring.length < this.capacity) { this.ring.push(r); return; }
    const gone = this.ring[this.start];
    if (this.counted.has(gone)) { this.uncount(gone); gone.body = null; delete gone.batch; }
    if (this.bodies.length > 2 * this.capacity) this.bodies = this.bodies.filter((b) => this.counted.has(b));
    this.ring[this.start] = r;
    this.start = (this.start + 1) % this.capacity;
  }

  /** Keeps the bodies of the newest requests within maxBodyBytes; older ones become null (bodyDropped). */
  bodyNoted(r: RecordedRequest): void {
    if (this.capacity <= 0 || r.body === null || this.counted.has(r)) return;
    this.counted.add(r);
    this.bodies.push(r);
    this.bodyBytes += r.bodyBytes;
    while (this.bodyBytes > this.maxBodyBytes && this.bodies.length > 1) {
      const old = this.bodies.shift()!;
      if (!this.counted.has(old)) continue;
      this.uncount(old);
      old.body = null;
      old.bodyDropped = true;
      delete old.batch;
    }
  }

  private uncount(r: RecordedRequest | undefined): void {
    if (!r || !this.counted.has(r)) return;
    this.counted.delete(r);
    this.bodyBytes -= r.bodyBytes;
  }

  /** Oldest first; copies. */
  all(): RecordedRequest[] {
    return [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)].map((r) => ({ ...r }));
  }

  clear(): void { this.ring = []; this.start = 0; this.bodies = []; this.counted = new WeakSet(); this.bodyBytes = 0; }
}

/** Records the request; the status is filled in when the response finishes. */
export function recordRequests(recorder: RequestRecorder): RequestHandler {
  return (req, res, next) => {
    const rec: RecordedRequest = {
      at: new Date().toISOString(), method: req.method, path: req.path, query: queryOf(req),
      status: null, body: null, bodyBytes: 0, contentType: req.get('content-type') ?? null, requestId: null,
    };
    const batchId = req.get(BATCH_REPLAY_HEADER);
    if (batchId) rec.batchId = batchId;
    res.locals.record = rec;
    res.locals.recorder = recorder;
    recorder.add(rec);
    res.on('finish', () => {
      rec.status = res.statusCode;
      rec.requestId = typeof res.locals.requestId === 'string' ? res.locals.requestId : null;
    });
    next();
  };
}

/** Notes the request body once a handler has read it. */
export function noteBody(res: Response, body: unknown, bytes: number): void {
  const rec = res.locals.record as RecordedRequest | undefined;
  if (!rec) return;
  rec.body = body === undefined ? null : body;
  rec.bodyBytes = bytes;
  (res.locals.recorder as RequestRecorder | undefined)?.bodyNoted(rec);
  if (/\/\$batch\/?$/.test(rec.path) && body && typeof body === 'object' && Array.isArray((body as { requests?: unknown }).requests)) {
    rec.batch = ((body as { requests: unknown[] }).requests).map((x) => {
      const r = (x ?? {}) as Record<string, unknown>;
      return { id: String(r.id ?? ''), method: String(r.method ?? ''), url: String(r.url ?? ''), body: r.body === undefined ? null : r.body };
    });
  }
}

function queryOf(req: Request): string {
  const i = req.originalUrl.indexOf('?');
  return i < 0 ? '' : req.originalUrl.slice(i + 1);
}
