// Graph's per-app, per-mailbox limits for Outlook resources: 4 concurrent requests, 10,000
// requests per 10 minutes and 150 MB of uploads per 5 minutes, plus the 4 MB request body. Over a
// limit: 429 with Retry-After.
export interface GraphLimits {
  maxConcurrentPerMailbox: number;
  requestsPerWindow: number;
  windowMs: number;
  maxRequestBytes: number;
  /** Attachment bytes (inline contentBytes, attachment POSTs, upload-session chunks) per mailbox per window. */
  uploadBytesPerWindow: number;
  uploadWindowMs: number;
  /** How long an attachment upload session's URL stays valid (not extended by uploads). */
  uploadSessionLifetimeMs: number;
}

export const DEFAULT_GRAPH_LIMITS: GraphLimits = {
  maxConcurrentPerMailbox: 4,
  requestsPerWindow: 10_000,
  windowMs: 10 * 60 * 1000,
  maxRequestBytes: 4 * 1024 * 1024,
  uploadBytesPerWindow: 150 * 1024 * 1024,
  uploadWindowMs: 5 * 60 * 1000,
  uploadSessionLifetimeMs: 24 * 60 * 60 * 1000,
};

export type Admission =
  | { ok: true; release: () => void }
  | { ok: false; retryAfterSeconds: number; message: string };

export class MailboxThrottle {
  private inflight = new Map<string, number>();
  private windows = new Map<string, number[]>();
  private peak = new Map<string, number>();

  constructor(private readonly limits: GraphLimits, private readonly now: () => number = Date.now) {}

  admit(mailboxId: string): Admission {
    const t = this.now();
    const win = this.windows.get(mailboxId) ?? [];
    while (win.length && win[0] <= t - this.limits.windowMs) win.shift();
    this.windows.set(mailboxId, win);
    if (win.length >= this.limits.requestsPerWindow) {
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((win[0] + this.limits.windowMs - t) / 1000)),
        message: `Application is over its MailboxRequestRate limit (${this.limits.requestsPerWindow} requests per ${this.limits.windowMs / 60000} minutes).` };
    }
    const n = this.inflight.get(mailboxId) ?? 0;
    if (n >= this.limits.maxConcurrentPerMailbox) {
      return { ok: false, retryAfterSeconds: 1, message: 'Application is over its MailboxConcurrency limit.' };
    }
    win.push(t);
    this.inflight.set(mailboxId, n + 1);
    this.peak.set(mailboxId, Math.max(this.peak.get(mailboxId) ?? 0, n + 1));
    let done = false;
    return { ok: true, release: () => { if (!done) { done = true; this.inflight.set(mailboxId, (this.inflight.get(mailboxId) ?? 1) - 1); } } };
  }

  /** Highest number of requests seen running at once for the mailbox. */
  peakConcurrency(mailboxId: string): number { return this.peak.get(mailboxId) ?? 0; }
  inFlight(mailboxId: string): number { return this.inflight.get(mailboxId) ?? 0; }

  reset(): void { this.inflight.clear(); this.windows.clear(); this.peak.clear(); }
}

export type UploadCharge = { ok: true } | { ok: false; retryAfterSeconds: number; message: string };

/** The upload budget: a sliding window of attachment bytes per mailbox. */
export class UploadBudget {
  private windows = new Map<string, { t: number; bytes: number }[]>();

  constructor(private readonly limits: GraphLimits, private readonly now: () => number = Date.now) {}

  /** Counts `bytes` against the mailbox's window, or refuses them (nothing counted) with when to retry. */
  charge(mailboxId: string, bytes: number): UploadCharge {
    if (bytes <= 0) return { ok: true };
    const t = this.now();
    const { uploadBytesPerWindow: budget, uploadWindowMs: windowMs } = this.limits;
    const win = (this.windows.get(mailboxId) ?? []).filter((e) => e.t > t - windowMs);
    this.windows.set(mailboxId, win);
    const used = win.reduce((n, e) => n + e.bytes, 0);
    if (used + bytes <= budget) {
      win.push({ t, bytes });
      return { ok: true };
    }
    // The earliest moment enough earlier uploads have left the window for this one to fit.
    let freed = 0;
    let at = t + windowMs;
    for (const e of win) {
      freed += e.bytes;
      if (used - freed + bytes <= budget) { at = e.t + windowMs; break; }
    }
    return {
      ok: false,
      retryAfterSeconds: Math.max(1, Math.ceil((at - t) / 1000)),
      message: `Application is over its MailboxUploadLimit: at most ${formatBytes(budget)} of uploads per ${formatMs(windowMs)} per mailbox `
        + `(${used} bytes in the window, this request ${bytes} bytes).`,
    };
  }

  /** Bytes counted in the mailbox's current window. */
  used(mailboxId: string): number {
    const t = this.now();
    return (this.windows.get(mailboxId) ?? []).filter((e) => e.t > t - this.limits.uploadWindowMs).reduce((n, e) => n + e.bytes, 0);
  }

  reset(): void { this.windows.clear(); }
}

const formatBytes = (n: number) => n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MB` : `${n} bytes`;
const formatMs = (ms: number) => ms % 60_000 === 0 ? `${ms / 60_000} minutes` : `${ms / 1000} seconds`;
