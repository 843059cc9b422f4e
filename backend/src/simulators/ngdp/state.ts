// In-memory state of one NgDP simulator instance: the memos waiting per organisation mailbox (CVR),
// the archive of every memo delivered to a mailbox (what a backfill can bring back), memos pushed to
// a system endpoint, backfills (system fetches), the business receipts received, the memos sent,
// and the faults switched on.
import { createHash, randomUUID } from 'node:crypto';
import { NgdpError } from './errors';
import { CVR_RE, extractMessageUUID } from './memo-uuid';
import type { NgdpFaults, Receipt, ReceiptStatus } from './schemas';

export interface WaitingMemo {
  id: string; // = the MeMo's messageUUID
  cvr: string;
  xml: Buffer;
  arrivedAt: Date;
  fetched: number; // times fetched through the API
  receipt?: ReceiptStatus; // the last business receipt posted for it
}

/** A memo as delivered to an organisation's mailbox; kept after the system fetched and deleted it. */
export interface ArchivedMemo { id: string; cvr: string; xml: Buffer; receivedAt: Date }

/** A memo pushed to a system endpoint (REST push) and what became of it. */
export interface PushedMemo {
  id: string; cvr: string; xml: Buffer; url: string; pushedAt: Date; attempts: number;
  lastStatus: number | null; lastError: string | null; receipt?: ReceiptStatus;
}
export interface PushedSummary { id: string; cvr: string; url: string; size: number; pushedAt: string; attempts: number; lastStatus: number | null; lastError: string | null; receipt: ReceiptStatus | null }

export type SystemFetchStatusType = 'UNKNOWN' | 'RUNNING' | 'FINISHED' | 'STOPPED';

/** NgDP's SystemFetch resource (OpenAPI v1) as the simulator keeps it. */
export interface SystemFetchResource {
  id: string;
  version: number;
  createdDateTime: string;
  lastUpdated: string;
  finishedDateTime?: string;
  systemFetchStatusType: SystemFetchStatusType;
  mailboxId: string;
  organisationId: string;
  systemId: string;
  contactPointId: string;
  totalMessages: number;
  fetchedMessages: number;
  failedMessages: number;
  preferOriginalMessageRecipient: boolean;
  fromDateTime: string;
  toDateTime: string;
}

interface RunningFetch { resource: SystemFetchResource; cvr: string; queue: string[]; timer: NodeJS.Timeout | null }

export interface WaitingSummary { id: string; size: number; arrivedAt: string; fetched: number; receipt: ReceiptStatus | null }
export interface ReceivedReceipt extends Receipt { memoId: string; cvr: string; receivedAt: string }
export interface SentMemo { transmissionId: string; messageUUID: string; senderCvr: string; recipientId: string | null; size: number; sentAt: string; xml: string }

export class NgdpState {
  /** `keepArchive` false: delivered memos are not kept for backfill (benchmarks move GBs of letters). */
  constructor(private readonly keepArchive = true) {}
  private mailboxes = new Map<string, Map<string, WaitingMemo>>(); // Map order = arrival order
  private archiveByCvr = new Map<string, Map<string, ArchivedMemo>>();
  private pushedMemos = new Map<string, PushedMemo>(); // key cvr/id
  private fetches = new Map<string, RunningFetch>();
  private receiptLog: ReceivedReceipt[] = [];
  private sentLog: SentMemo[] = [];
  faults: NgdpFaults = {};

  /**
   * Places a MeMo in a mailbox as NgDP would on delivery; its messageUUID becomes its id. It is also
   * archived with `receivedAt` (default now); `archiveOnly` archives it without making it wait (a
   * letter the system fetched long ago, for backfill).
   */
  inject(cvr: string, xml: Buffer | string, opts: { receivedAt?: Date; archiveOnly?: boolean } = {}): { id: string } {
    const { id, buf } = checkMemo(cvr, xml);
    const box = this.box(cvr);
    if (!opts.archiveOnly && box.has(id)) throw new NgdpError(409, 'CONFLICT', `Memo ${id} is already waiting in the mailbox of CVR ${cvr}.`);
    this.archiveMemo({ id, cvr, xml: buf, receivedAt: opts.receivedAt ?? new Date() });
    if (!opts.archiveOnly) box.set(id, { id, cvr, xml: buf, arrivedAt: new Date(), fetched: 0 });
    return { id };
  }

  archiveMemo(m: ArchivedMemo): void {
    if (!this.keepArchive) return;
    let a = this.archiveByCvr.get(m.cvr);
    if (!a) { a = new Map(); this.archiveByCvr.set(m.cvr, a); }
    a.set(m.id, m);
  }

  archive(cvr: string): ArchivedMemo[] {
    return [...(this.archiveByCvr.get(cvr)?.values() ?? [])].sort((x, y) => x.receivedAt.getTime() - y.receivedAt.getTime());
  }

  // --- push -----------------------------------------------------------------------------------

  /** Records a memo about to be pushed (and archives it: it was delivered to the mailbox). */
  addPushed(cvr: string, xml: Buffer | string, url: string): PushedMemo {
    const { id, buf } = checkMemo(cvr, xml);
    const key = `${cvr}/${id}`;
    const existing = this.pushedMemos.get(key);
    const p: PushedMemo = existing
      ? { ...existing, xml: buf, url }
      : { id, cvr, xml: buf, url, pushedAt: new Date(), attempts: 0, lastStatus: null, lastError: null };
    this.pushedMemos.set(key, p);
    if (!existing) this.archiveMemo({ id, cvr, xml: buf, receivedAt: p.pushedAt });
    return p;
  }

  getPushed(cvr: string, id: string): PushedMemo | undefined {
    return this.pushedMemos.get(`${cvr}/${id.toLowerCase()}`);
  }

  pushed(): PushedSummary[] {
    return [...this.pushedMemos.values()].map((p) => ({
      id: p.id, cvr: p.cvr, url: p.url, size: p.xml.length, pushedAt: p.pushedAt.toISOString(), attempts: p.attempts,
      lastStatus: p.lastStatus, lastError: p.lastError, receipt: p.receipt ?? null,
    }));
  }

  // --- backfill (system fetches) ----------------------------------------------------------------

  /** Starts re-queuing the archived memos of [from, to] into the waiting list, spread over `durationMs`. */
  startSystemFetch(cvr: string, systemId: string, from: Date, to: Date, opts: { durationMs: number; preferOriginalMessageRecipient?: boolean }): SystemFetchResource {
    const mailboxId = simulatedMailboxId(cvr);
    const running = [...this.fetches.values()].find((f) => f.cvr === cvr && f.resource.systemFetchStatusType === 'RUNNING');
    if (running) throw new NgdpError(422, 'UNPROCESSABLE_ENTITY', `System fetch ${running.resource.id} is still running for this mailbox; wait for it to finish or stop it.`);
    const queue = this.archive(cvr).filter((m) => m.receivedAt >= from && m.receivedAt <= to).map((m) => m.id);
    const now = new Date().toISOString();
    const resource: SystemFetchResource = {
      id: randomUUID(), version: 1, createdDateTime: now, lastUpdated: now, systemFetchStatusType: 'RUNNING',
      mailboxId, organisationId: simulatedId('organisation', cvr), systemId, contactPointId: simulatedId('contact-point', cvr),
      totalMessages: queue.length, fetchedMessages: 0, failedMessages: 0,
      preferOriginalMessageRecipient: opts.preferOriginalMessageRecipient ?? false,
      fromDateTime: from.toISOString(), toDateTime: to.toISOString(),
    };
    const f: RunningFetch = { resource, cvr, queue, timer: null };
    this.fetches.set(resource.id, f);
    const every = Math.max(5, Math.floor(opts.durationMs / Math.max(queue.length, 1)));
    const tick = () => {
      f.timer = null;
      if (f.resource.systemFetchStatusType !== 'RUNNING') return;
      const id = f.queue.shift();
      if (id) {
        const m = this.archiveByCvr.get(cvr)?.get(id);
        const box = this.box(cvr);
        if (!m) f.resource.failedMessages++;
        else {
          if (!box.has(id)) box.set(id, { id, cvr, xml: m.xml, arrivedAt: new Date(), fetched: 0 });
          f.resource.fetchedMessages++;
        }
      }
      f.resource.version++;
      f.resource.lastUpdated = new Date().toISOString();
      if (f.queue.length === 0) {
        f.resource.systemFetchStatusType = 'FINISHED';
        f.resource.finishedDateTime = f.resource.lastUpdated;
        return;
      }
      f.timer = setTimeout(tick, every);
      f.timer.unref();
    };
    f.timer = setTimeout(tick, every);
    f.timer.unref();
    return { ...resource };
  }

  systemFetch(cvr: string, id: string): SystemFetchResource | undefined {
    const f = this.fetches.get(id.toLowerCase());
    return f && f.cvr === cvr ? { ...f.resource } : undefined;
  }

  systemFetches(cvr?: string): SystemFetchResource[] {
    return [...this.fetches.values()].filter((f) => cvr === undefined || f.cvr === cvr).map((f) => ({ ...f.resource }));
  }

  /** Stops (if running) and forgets a system fetch. */
  deleteSystemFetch(cvr: string, id: string): boolean {
    const f = this.fetches.get(id.toLowerCase());
    if (!f || f.cvr !== cvr) return false;
    if (f.timer) clearTimeout(f.timer);
    this.fetches.delete(f.resource.id);
    return true;
  }

  /** Waiting memos of a mailbox, oldest first. */
  list(cvr: string): WaitingMemo[] {
    return [...(this.mailboxes.get(cvr)?.values() ?? [])];
  }

  get(cvr: string, id: string): WaitingMemo | undefined {
    return this.mailboxes.get(cvr)?.get(id.toLowerCase());
  }

  remove(cvr: string, id: string): boolean {
    return this.mailboxes.get(cvr)?.delete(id.toLowerCase()) ?? false;
  }

  waiting(cvr: string): WaitingSummary[] {
    return this.list(cvr).map((m) => ({
      id: m.id, size: m.xml.length, arrivedAt: m.arrivedAt.toISOString(), fetched: m.fetched, receipt: m.receipt ?? null,
    }));
  }

  /** CVR numbers with at least one memo waiting. */
  cvrs(): string[] {
    return [...this.mailboxes.entries()].filter(([, b]) => b.size > 0).map(([c]) => c);
  }

  addReceipt(memo: { id: string; cvr: string; receipt?: ReceiptStatus }, r: Receipt): void {
    memo.receipt = r.receiptStatus;
    this.receiptLog.push({ ...r, memoId: memo.id, cvr: memo.cvr, receivedAt: new Date().toISOString() });
  }

  receipts(): ReceivedReceipt[] { return [...this.receiptLog]; }

  addSent(senderCvr: string, messageUUID: string, xml: Buffer): SentMemo {
    const text = xml.toString('utf8');
    const recipient = /<(?:[\w.-]+:)?Recipient[\s>][\s\S]*?<(?:[\w.-]+:)?recipientID\s*>\s*([^<\s]+)\s*</.exec(text.slice(0, 1024 * 1024));
    const s: SentMemo = {
      transmissionId: randomUUID(), messageUUID: messageUUID.toLowerCase(), senderCvr, recipientId: recipient?.[1] ?? null,
      size: xml.length, sentAt: new Date().toISOString(), xml: text,
    };
    this.sentLog.push(s);
    return s;
  }

  sent(): SentMemo[] { return [...this.sentLog]; }

  reset(): void {
    for (const f of this.fetches.values()) if (f.timer) clearTimeout(f.timer);
    this.fetches.clear();
    this.archiveByCvr.clear();
    this.pushedMemos.clear();
    this.mailboxes.clear();
    this.receiptLog = [];
    this.sentLog = [];
    this.faults = {};
  }

  private box(cvr: string): Map<string, WaitingMemo> {
    let b = this.mailboxes.get(cvr);
    if (!b) { b = new Map(); this.mailboxes.set(cvr, b); }
    return b;
  }
}

function checkMemo(cvr: string, xml: Buffer | string): { id: string; buf: Buffer } {
  if (!CVR_RE.test(cvr)) throw new NgdpError(400, 'BAD_REQUEST', `"${cvr}" is not a CVR number (8 digits).`);
  const buf = typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml;
  const id = extractMessageUUID(buf);
  if (!id) throw new NgdpError(400, 'BAD_REQUEST', 'No MeMo messageUUID found: the body must be a MeMo XML document (Message/MessageHeader/messageUUID).');
  return { id, buf };
}

/** A stable UUID for a simulated resource of a CVR number (the same across restarts). */
export function simulatedId(kind: string, cvr: string): string {
  const h = createHash('sha256').update(`ngdp-sim:${kind}:${cvr}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** NgDP's id of the mailbox of a CVR number, in the simulator. */
export const simulatedMailboxId = (cvr: string) => simulatedId('mailbox', cvr);
