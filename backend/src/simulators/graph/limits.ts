// Graph's per-app, per-mailbox limits for Outlook resources: 4 concurrent requests and 10,000
// requests per 10 minutes, plus the 4 MB request body. Over a limit: 429 with Retry-After.
export interface GraphLimits {
  maxConcurrentPerMailbox: number;
  requestsPerWindow: number;
  windowMs: number;
  maxRequestBytes: number;
}

export const DEFAULT_GRAPH_LIMITS: GraphLimits = {
  maxConcurrentPerMailbox: 4,
  requestsPerWindow: 10_000,
  windowMs: 10 * 60 * 1000,
  maxRequestBytes: 4 * 1024 * 1024,
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
