// Pacing per Graph "lane" (one mailbox, or one drive): Graph's limits for Outlook resources are per
// app and mailbox — 4 concurrent requests, 10,000 requests per 10 minutes, 150 MB of uploads per
// 5 minutes — and a 429/503 carries Retry-After. Each lane keeps its own queue, so one throttled
// mailbox never holds up another; a caller that would wait long is told when to come back instead
// (PacerBusy), so a job-runner slot is not parked on one slow mailbox.

export interface PacerLimits {
  maxConcurrent: number;
  requestsPerWindow: number;
  windowMs: number;
  uploadBytesPerWindow: number;
  uploadWindowMs: number;
  /** Waits longer than this are not sat out: acquire() throws PacerBusy with the time to return. */
  maxWaitMs: number;
}

/** Graph's documented limits, with a small margin so clock skew between us and Graph never tips over. */
export const GRAPH_MAILBOX_LIMITS: PacerLimits = {
  maxConcurrent: 4,
  requestsPerWindow: 9_900,
  windowMs: 10 * 60_000,
  uploadBytesPerWindow: 148 * 1024 * 1024,
  uploadWindowMs: 5 * 60_000,
  maxWaitMs: 15_000,
};

export class PacerBusy extends Error {
  constructor(readonly lane: string, readonly readyAt: Date, reason: string) {
    super(`Microsoft Graph pacing for ${lane}: ${reason}; trying again at ${readyAt.toISOString()}.`);
    // The Graph SDK wraps errors from middleware and keeps only the name (as `code`) and text.
    this.name = 'PacerBusy';
  }
}

/** Part of a lane's upload budget held for one document (Pacer.reserveUpload). */
export interface UploadReservation {
  /** A slot for the next `bytes` of the document, counted against the reservation first. */
  acquire(bytes: number, signal?: AbortSignal): Promise<() => void>;
  /** Gives back what the upload did not use (always call it, also when the upload failed). */
  release(): void;
}

interface Waiter { bytes: number; resolve: (release: () => void) => void; reject: (e: Error) => void; deadline: number }

class Lane {
  inflight = 0;
  queue: Waiter[] = [];
  /**
   * When requests of the current window ended, in order. A request counts from when Graph received
   * it, which we cannot know; its end is the latest it can have been, so counting from there keeps
   * our window at or behind Graph's. Requests under way count too (see `inflight`).
   */
  ends: number[] = [];
  uploads: { t: number; bytes: number }[] = [];
  uploadSum = 0;
  inflightBytes = 0;
  /** Upload bytes promised to documents whose upload is under way but not yet sent (reserveUpload). */
  reservedBytes = 0;
  pausedUntil = 0;
  timer: NodeJS.Timeout | null = null;
  // For figures: how often and how long this lane was told to back off.
  throttled = 0;
}

export interface LaneStats {
  lane: string; inflight: number; queued: number; requestsInWindow: number;
  /** Upload bytes the budget holds (uploadBytesUsed): sent in the window, under way, reserved. */
  uploadBytesInWindow: number;
  /** Of those, reserved for documents under way and not yet sent (reserveUpload). */
  uploadBytesReserved: number;
  pausedUntil: string | null; throttled: number;
}

export class Pacer {
  private lanes = new Map<string, Lane>();

  /** A little margin on top, for clocks and for Graph's own bookkeeping. */
  private readonly slackMs: number;

  constructor(readonly limits: PacerLimits = GRAPH_MAILBOX_LIMITS, private readonly now: () => number = Date.now) {
    this.slackMs = Math.max(250, Math.round(limits.windowMs * 0.01));
  }

  /**
   * Waits for a slot in the lane (concurrency, request window, upload budget, Retry-After pause)
   * and returns the function that gives it back. Throws PacerBusy when the wait would exceed maxWaitMs
   * or has (also when only the requests under way hold it up), and `signal`'s reason when it aborts.
   */
  acquire(laneKey: string, uploadBytes = 0, maxWaitMs = this.limits.maxWaitMs, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const lane = this.lane(laneKey);
    const t = this.now();
    this.expire(lane, t);
    const readyAt = this.readyAt(lane, uploadBytes, t);
    if (readyAt - t > maxWaitMs) {
      return Promise.reject(new PacerBusy(laneKey, new Date(readyAt), this.why(lane, uploadBytes, t)));
    }
    // Many already queued: each must wait for ~queue/concurrency turns; refuse rather than pile up.
    if (lane.queue.length >= this.limits.maxConcurrent * 8) {
      return Promise.reject(new PacerBusy(laneKey, new Date(t + 1000), `${lane.queue.length} requests are queued for this mailbox`));
    }
    return new Promise((resolve, reject) => {
      const leave = () => {
        const i = lane.queue.indexOf(w);
        if (i >= 0) lane.queue.splice(i, 1);
        return i >= 0;
      };
      // The pump rejects a waiter whose time-based wait runs past its deadline; this timer covers the
      // waiter held back only by the requests under way (one slow mailbox must not keep a job waiting).
      const timer = setTimeout(() => {
        if (leave()) {
          w.reject(new PacerBusy(laneKey, new Date(this.now() + 1000),
            `${this.limits.maxConcurrent} requests to it were under way for ${Math.round(maxWaitMs / 1000)} s with ${lane.queue.length} more waiting`));
        }
      }, maxWaitMs + 1);
      timer.unref?.();
      const onAbort = () => { if (leave()) w.reject(signal!.reason); };
      const done = () => { clearTimeout(timer); signal?.removeEventListener('abort', onAbort); };
      const w: Waiter = {
        bytes: uploadBytes, deadline: t + maxWaitMs,
        resolve: (release) => { done(); resolve(release); },
        reject: (e) => { done(); reject(e); },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      lane.queue.push(w);
      this.pump(laneKey, lane);
    });
  }

  /**
   * Reserves a whole document's bytes of the lane's upload budget before its first chunk. Without it,
   * two large uploads share the budget chunk by chunk, both run out half-way, both are handed back and
   * both start again from nothing: neither ever finishes. With it, a document that does not fit now is
   * told when to come back (PacerBusy) before a byte is sent. Chunks then acquire through the
   * reservation, which the budget has already counted. A document larger than the whole budget reserves
   * all of it, and its remaining chunks wait like any upload.
   */
  async reserveUpload(laneKey: string, bytes: number, maxWaitMs = this.limits.maxWaitMs): Promise<UploadReservation> {
    const lane = this.lane(laneKey);
    const want = Math.min(bytes, this.limits.uploadBytesPerWindow);
    const deadline = this.now() + maxWaitMs;
    for (;;) {
      const t = this.now();
      this.expire(lane, t);
      const at = this.readyAt(lane, want, t);
      if (at <= t) break;
      if (at > deadline) throw new PacerBusy(laneKey, new Date(at), this.why(lane, want, t));
      await new Promise((r) => setTimeout(r, at - t).unref?.());
    }
    lane.reservedBytes += want;
    let left = want;
    return {
      acquire: async (n, signal) => {
        const from = Math.min(left, n);
        left -= from;
        lane.reservedBytes -= from;
        try {
          return await this.acquire(laneKey, n, undefined, signal);
        } catch (e) {
          left += from;
          lane.reservedBytes += from;
          throw e;
        }
      },
      release: () => {
        lane.reservedBytes -= left;
        left = 0;
        this.pump(laneKey, lane);
      },
    };
  }

  /** Graph said 429/503 with Retry-After: nobody starts a request on this lane before then. */
  pause(laneKey: string, ms: number): void {
    const lane = this.lane(laneKey);
    lane.throttled++;
    lane.pausedUntil = Math.max(lane.pausedUntil, this.now() + ms);
    this.pump(laneKey, lane);
  }

  pausedUntil(laneKey: string): number { return this.lanes.get(laneKey)?.pausedUntil ?? 0; }

  stats(): LaneStats[] {
    const t = this.now();
    return [...this.lanes.entries()].map(([k, l]) => {
      this.expire(l, t);
      return { lane: k, inflight: l.inflight, queued: l.queue.length, requestsInWindow: l.ends.length + l.inflight,
        uploadBytesInWindow: this.uploadBytesUsed(l), uploadBytesReserved: l.reservedBytes, pausedUntil: l.pausedUntil > t ? new Date(l.pausedUntil).toISOString() : null, throttled: l.throttled };
    });
  }

  private lane(key: string): Lane {
    let l = this.lanes.get(key);
    if (!l) { l = new Lane(); this.lanes.set(key, l); }
    return l;
  }

  private expire(l: Lane, t: number): void {
    while (l.ends.length && l.ends[0] <= t - this.limits.windowMs - this.slackMs) l.ends.shift();
    while (l.uploads.length && l.uploads[0].t <= t - this.limits.uploadWindowMs) l.uploadSum -= l.uploads.shift()!.bytes;
  }

  /**
   * Upload bytes the lane's budget holds now: sent within the window, under way, and reserved for
   * documents under way (reserveUpload). Call expire() first.
   */
  private uploadBytesUsed(l: Lane): number {
    return l.uploadSum + l.inflightBytes + l.reservedBytes;
  }

  /** Earliest time a request of this size could start, ignoring the concurrency queue. */
  private readyAt(l: Lane, bytes: number, t: number): number {
    let at = Math.max(t, l.pausedUntil);
    const counted = l.ends.length + l.inflight;
    if (counted >= this.limits.requestsPerWindow) {
      // The oldest ended request whose leaving makes room; if only running ones fill it, their end will pump.
      const i = counted - this.limits.requestsPerWindow;
      at = Math.max(at, i < l.ends.length ? l.ends[i] + this.limits.windowMs + this.slackMs : t + 60_000);
    }
    const used = this.uploadBytesUsed(l);
    if (bytes > 0 && used + bytes > this.limits.uploadBytesPerWindow) {
      // Budget frees as old uploads leave the window; one upload larger than the budget waits for an empty window.
      let freed = 0;
      let freedInTime = false;
      const need = used + Math.min(bytes, this.limits.uploadBytesPerWindow) - this.limits.uploadBytesPerWindow;
      for (const u of l.uploads) {
        freed += u.bytes;
        if (freed >= need) { at = Math.max(at, u.t + this.limits.uploadWindowMs); freedInTime = true; break; }
      }
      // The rest is held by uploads under way or reserved: their bytes enter the window only when they end,
      // so they leave it a whole window from now at the soonest (not "now": that let a second large
      // document take budget a first one had reserved, and both ran out half-way).
      if (!freedInTime && need > 0) at = Math.max(at, t + this.limits.uploadWindowMs);
    }
    return at;
  }

  private why(l: Lane, bytes: number, t: number): string {
    if (l.pausedUntil > t) return 'Graph asked us to wait (Retry-After)';
    if (l.ends.length + l.inflight >= this.limits.requestsPerWindow) return `${this.limits.requestsPerWindow} requests in ${this.limits.windowMs / 60_000} minutes reached`;
    if (bytes > 0 && this.uploadBytesUsed(l) + bytes > this.limits.uploadBytesPerWindow) return `upload budget of ${Math.round(this.limits.uploadBytesPerWindow / 1048576)} MB per ${this.limits.uploadWindowMs / 60_000} minutes reached`;
    return 'busy';
  }

  private pump(key: string, l: Lane): void {
    if (l.timer) { clearTimeout(l.timer); l.timer = null; }
    const t = this.now();
    this.expire(l, t);
    while (l.queue.length && l.inflight < this.limits.maxConcurrent) {
      const w = l.queue[0];
      const at = this.readyAt(l, w.bytes, t);
      if (at > t) {
        // Waiters past their deadline are told to come back; the rest wait for the timer.
        if (at > w.deadline) { l.queue.shift(); w.reject(new PacerBusy(key, new Date(at), this.why(l, w.bytes, t))); continue; }
        l.timer = setTimeout(() => this.pump(key, l), Math.max(1, at - t));
        l.timer.unref?.();
        return;
      }
      l.queue.shift();
      l.inflight++;
      l.inflightBytes += w.bytes;
      let released = false;
      w.resolve(() => {
        if (released) return;
        released = true;
        const end = this.now();
        l.inflight--;
        l.inflightBytes -= w.bytes;
        l.ends.push(end);
        if (w.bytes > 0) { l.uploads.push({ t: end, bytes: w.bytes }); l.uploadSum += w.bytes; }
        this.pump(key, l);
      });
    }
  }
}
