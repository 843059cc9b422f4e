// Everything one Graph simulator instance holds: state, limits, faults, behaviours, statistics,
// upload sessions, the outbox, the request recording, and the writes it is deliberately not answering.
import type { Response } from 'express';
import { DEFAULT_GRAPH_BEHAVIOUR, graphBehaviourSchema, type GraphBehaviour } from './behaviour';
import { GraphHttpError } from './errors';
import { graphFaultsSchema, type GraphFaults, type Random } from './faults';
import { DEFAULT_GRAPH_LIMITS, MailboxThrottle, UploadBudget, type GraphLimits } from './limits';
import { RequestRecorder } from './recorder';
import type { OutboxItem } from './send-mail';
import { GraphState } from './state';
import { UploadSessions } from './upload-sessions';

export interface GraphRuntimeExtras {
  behaviour?: Partial<GraphBehaviour>;
  /** Size of the request recording ring (default 20,000). */
  maxRecordedRequests?: number;
}

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
  readonly uploadBudget: UploadBudget;
  readonly uploadSessions: UploadSessions;
  readonly recorder: RequestRecorder;
  /** Mail sent (sendMail) to recipients outside the simulator. */
  outbox: OutboxItem[] = [];
  faults: GraphFaults = {};
  behaviour: GraphBehaviour;
  private readonly initialBehaviour: GraphBehaviour;
  private counters = { requests: 0, throttled429: 0, faulted429: 0, faulted503: 0, unansweredWrites: 0 };
  private perMailbox = new Map<string, { requests: number; throttled429: number }>();
  private held = new Set<Response>();

  constructor(readonly limits: GraphLimits = DEFAULT_GRAPH_LIMITS, readonly random: Random = Math.random,
    readonly acceptedTokens?: string[], extras: GraphRuntimeExtras = {}) {
    this.throttle = new MailboxThrottle(limits);
    this.uploadBudget = new UploadBudget(limits);
    this.uploadSessions = new UploadSessions(limits.uploadSessionLifetimeMs);
    this.recorder = new RequestRecorder(extras.maxRecordedRequests ?? 20_000);
    this.initialBehaviour = graphBehaviourSchema.parse({ ...DEFAULT_GRAPH_BEHAVIOUR, ...defined(extras.behaviour ?? {}) });
    this.behaviour = { ...this.initialBehaviour };
  }

  setFaults(f: GraphFaults): void { this.faults = graphFaultsSchema.parse(f); }

  /** Changes the given behaviours, keeps the others. */
  setBehaviour(b: Partial<GraphBehaviour>): GraphBehaviour {
    this.behaviour = graphBehaviourSchema.parse({ ...this.behaviour, ...defined(b) });
    return this.behaviour;
  }

  /** Counts attachment bytes against the mailbox's upload budget; over it, throws Graph's 429. */
  chargeUpload(mailboxId: string, bytes: number): void {
    const c = this.uploadBudget.charge(mailboxId, bytes);
    if (c.ok) return;
    this.count('throttled429');
    this.countMailbox(mailboxId, 'throttled429');
    throw new GraphHttpError(429, 'ApplicationThrottled', c.message, { 'Retry-After': String(c.retryAfterSeconds) });
  }

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
    this.uploadBudget.reset();
    this.uploadSessions.clear();
    this.recorder.clear();
    this.outbox = [];
    this.faults = {};
    this.behaviour = { ...this.initialBehaviour };
    this.counters = { requests: 0, throttled429: 0, faulted429: 0, faulted503: 0, unansweredWrites: 0 };
    this.perMailbox.clear();
  }
}

const defined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
