// Everything one Graph simulator instance holds: state, limits, faults, statistics, and the writes
// it is deliberately not answering.
import type { Response } from 'express';
import { graphFaultsSchema, type GraphFaults, type Random } from './faults';
import { DEFAULT_GRAPH_LIMITS, MailboxThrottle, type GraphLimits } from './limits';
import { GraphState } from './state';

export interface MailboxStats { requests: number; throttled429: number; peakConcurrency: number }
export interface GraphStats {
  requests: number;
  throttled429: number;
  faulted429: number;
  faulted503: number;
  unansweredWrites: number;
  mailboxes: Record<string, MailboxStats>;
}

export class GraphRuntime {
  readonly state = new GraphState();
  readonly throttle: MailboxThrottle;
  faults: GraphFaults = {};
  private counters = { requests: 0, throttled429: 0, faulted429: 0, faulted503: 0, unansweredWrites: 0 };
  private perMailbox = new Map<string, { requests: number; throttled429: number }>();
  private held = new Set<Response>();

  constructor(readonly limits: GraphLimits = DEFAULT_GRAPH_LIMITS, readonly random: Random = Math.random,
    readonly acceptedTokens?: string[]) {
    this.throttle = new MailboxThrottle(limits);
  }

  setFaults(f: GraphFaults): void { this.faults = graphFaultsSchema.parse(f); }

  count(what: 'requests' | 'throttled429' | 'faulted429' | 'faulted503' | 'unansweredWrites'): void {
    this.counters[what]++;
  }

  countMailbox(mailboxId: string, what: 'requests' | 'throttled429'): void {
    const s = this.perMailbox.get(mailboxId) ?? { requests: 0, throttled429: 0 };
    s[what]++;
    this.perMailbox.set(mailboxId, s);
  }

  stats(): GraphStats {
    const mailboxes: Record<string, MailboxStats> = {};
    for (const mb of this.state.all()) {
      const s = this.perMailbox.get(mb.id) ?? { requests: 0, throttled429: 0 };
      mailboxes[mb.userPrincipalName] = { ...s, peakConcurrency: this.throttle.peakConcurrency(mb.id) };
    }
    return { ...this.counters, mailboxes };
  }

  /** Keeps a response open without answering; `reset` ends them. */
  hold(res: Response, answer: () => void): void {
    this.count('unansweredWrites');
    this.held.add(res);
    res.on('close', () => this.held.delete(res));
    const delay = this.faults.timeoutAfterWriteDelayMs;
    if (delay !== undefined) {
      const t = setTimeout(() => { this.held.delete(res); if (!res.writableEnded && !res.destroyed) answer(); }, delay);
      res.on('close', () => clearTimeout(t));
    }
  }

  reset(): void {
    for (const r of this.held) r.destroy();
    this.held.clear();
    this.state.clear();
    this.throttle.reset();
    this.faults = {};
    this.counters = { requests: 0, throttled429: 0, faulted429: 0, faulted503: 0, unansweredWrites: 0 };
    this.perMailbox.clear();
  }
}
