// In-memory state of one NgDP simulator instance: the memos waiting per organisation mailbox (CVR),
// the business receipts received, the memos sent, and the faults switched on.
import { randomUUID } from 'node:crypto';
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

export interface WaitingSummary { id: string; size: number; arrivedAt: string; fetched: number; receipt: ReceiptStatus | null }
export interface ReceivedReceipt extends Receipt { memoId: string; cvr: string; receivedAt: string }
export interface SentMemo { transmissionId: string; messageUUID: string; senderCvr: string; recipientId: string | null; size: number; sentAt: string; xml: string }

export class NgdpState {
  private mailboxes = new Map<string, Map<string, WaitingMemo>>(); // Map order = arrival order
  private receiptLog: ReceivedReceipt[] = [];
  private sentLog: SentMemo[] = [];
  faults: NgdpFaults = {};

  /** Places a MeMo in a mailbox as NgDP would on delivery; its messageUUID becomes its id. */
  inject(cvr: string, xml: Buffer | string): { id: string } {
    if (!CVR_RE.test(cvr)) throw new NgdpError(400, 'BAD_REQUEST', `"${cvr}" is not a CVR number (8 digits).`);
    const buf = typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml;
    const id = extractMessageUUID(buf);
    if (!id) throw new NgdpError(400, 'BAD_REQUEST', 'No MeMo messageUUID found: the body must be a MeMo XML document (Message/MessageHeader/messageUUID).');
    const box = this.box(cvr);
    if (box.has(id)) throw new NgdpError(409, 'CONFLICT', `Memo ${id} is already waiting in the mailbox of CVR ${cvr}.`);
    box.set(id, { id, cvr, xml: buf, arrivedAt: new Date(), fetched: 0 });
    return { id };
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

  addReceipt(memo: WaitingMemo, r: Receipt): void {
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
