// Durable storage of fetched letters. Storing is idempotent on (organisation, MeMo UUID), so the
// same letter arriving twice (retry, crash before the receipt, push and pull overlap) is kept once.
import { and, eq } from 'drizzle-orm';
import type { Memo, MemoDocument } from '../memo/types';
import type { Sealer } from '../crypto/envelope';
import { maskCpr, maskPartyId } from '../../../shared/src/identifiers';
import { normaliseMimeType } from '../util/mime';
import { documents, events, messages, quarantine, routeQueue } from './schema';
import type { Db, Tx } from './db';
import { routingFactsOf } from '../routing/facts';
import { recordCprMentions } from '../dsr/cpr-index';
import { payloadSpansOf } from '../memo/parse';
import { compactOriginal } from '../memo/original';

/** Every string inside a JSON value with its CPR numbers masked. */
export function maskCprDeep<T>(v: T): T {
  if (typeof v === 'string') return maskCpr(v) as T;
  if (Array.isArray(v)) return v.map(maskCprDeep) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskCprDeep(x)])) as T;
  return v;
}

export interface MailboxRef { id: string; orgId: string; cvr: string; provider: string }

export interface StoreResult { messageId: string; created: boolean; status: string }

/**
 * Stores a parsed letter with its documents, sealed, in one transaction. `texts` (by document position,
 * from routing/document-text.ts documentTexts) are stored with the documents, sealed, and indexed for
 * CPR numbers; without them the text is extracted before the first routing instead. `guard` runs first
 * in that transaction; what it throws stores nothing (a quarantine retry's lock and check of its row).
 */
export async function storeLetter(db: Db, sealer: Sealer, mailbox: MailboxRef, memo: Memo, raw: Buffer, texts?: Map<number, { status: string; text: string | null }>,
  guard?: (tx: Tx) => Promise<void>): Promise<StoreResult> {
  const docs = documentRows(memo);
  // The original without the documents' base64 when it rebuilds exactly (memo/original.ts): the
  // documents are stored below, and keeping them twice doubled what each letter wrote.
  const original = compactOriginal(raw, payloadSpansOf(memo), docs.map((d) => ({ position: d.position, content: d.file.content })));
  return db.transaction(async (tx) => {
    await guard?.(tx);
    const inserted = await tx.insert(messages).values({
      orgId: mailbox.orgId,
      mailboxId: mailbox.id,
      provider: mailbox.provider,
      cvr: mailbox.cvr,
      memoUuid: memo.messageUUID,
      memoVersion: memo.version,
      // Label and facts are stored in clear (search, rules): CPR numbers in them are masked.
      label: maskCpr(memo.label),
      // A person's CPR number as Sender or Recipient is stored (and so listed, counted in statistics,
      // shown in delivered mails) as DDMMYY-XXXX; the full id is only in the sealed original, which
      // a reply reads (reply/send.ts).
      senderId: maskPartyId(memo.sender.id, memo.sender.idType),
      senderIdType: memo.sender.idType,
      senderName: maskCpr(memo.sender.label ?? maskPartyId(memo.sender.id, memo.sender.idType)),
      recipientId: maskPartyId(memo.recipient.id, memo.recipient.idType),
      recipientIdType: memo.recipient.idType,
      notification: memo.notification ? maskCpr(memo.notification) : null,
      // A NEMSMS has no MessageBody and so no createdDateTime: use the time we received it.
      memoCreatedAt: memo.body.createdDateTime ? new Date(memo.body.createdDateTime) : new Date(),
      replyAllowed: memo.reply,
      replyBy: memo.replyByDateTime ? new Date(memo.replyByDateTime) : null,
      routingFacts: maskCprDeep(routingFactsOf(memo, mailbox.provider)) as unknown as Record<string, unknown>,
      rawEnc: sealer.seal(original),
      searchText: searchTextOf(memo),
    }).onConflictDoNothing({ target: [messages.orgId, messages.memoUuid] }).returning({ id: messages.id });

    if (inserted.length === 0) {
      const [existing] = await tx.select({ id: messages.id, status: messages.status }).from(messages)
        .where(and(eq(messages.orgId, mailbox.orgId), eq(messages.memoUuid, memo.messageUUID)));
      return { messageId: existing.id, created: false, status: existing.status };
    }
    const messageId = inserted[0].id;
    // Queued for routing with the letter itself: stored means it will be routed (routing/route-scheduler.ts).
    await tx.insert(routeQueue).values({ messageId, orgId: mailbox.orgId });
    if (docs.length) {
      await tx.insert(documents).values(docs.map((d) => ({
        messageId, role: d.role, position: d.position, filename: maskCpr(d.file.filename), // stored in clear: masked
        mimeType: normaliseMimeType(d.file.encodingFormat), size: d.file.content.length, contentEnc: sealer.seal(d.file.content), // type: util/mime.ts
        ...textColumns(sealer, texts?.get(d.position)),
      })));
    }
    // Keyed hashes of the CPR numbers in the MeMo (label, notification, ContentData, …) and the documents'
    // text, for data subject requests: every parsed field but the documents' bytes (scanning the raw XML
    // would read ~99 % base64, ≈ 2 ms a 0.7 MB letter).
    const docTexts = [...(texts?.values() ?? [])].flatMap((t) => (t.text ? [t.text] : []));
    await recordCprMentions(tx, sealer, mailbox.orgId, messageId, [memoTextForCprScan(memo), ...docTexts]);
    // Both timeline entries in one statement (one round trip fewer per letter); same time (the
    // transaction's), in this order by id, as the timeline sorts.
    await tx.insert(events).values([
      { orgId: mailbox.orgId, messageId, type: 'fetched', actor: 'system',
        text: `Fetched from ${providerName(mailbox.provider)} mailbox of CVR ${mailbox.cvr}`,
        data: { provider: mailbox.provider, cvr: mailbox.cvr, memoUuid: memo.messageUUID } },
      { orgId: mailbox.orgId, messageId, type: 'stored', actor: 'system',
        text: `Stored encrypted with ${docs.length} document(s)`, data: { documents: docs.length, bytes: raw.length } },
    ]);
    return { messageId, created: true, status: 'received' };
  });
}

export async function storeQuarantine(db: Db, sealer: Sealer, mailbox: MailboxRef, providerMessageId: string, reason: string, raw: Buffer) {
  await db.insert(quarantine).values({
    orgId: mailbox.orgId, mailboxId: mailbox.id, providerMessageId, reason: maskCpr(reason), rawEnc: sealer.seal(raw),
  }).onConflictDoNothing();
}

export async function addEvent(
  tx: Db | Tx, orgId: string, messageId: string, type: string, actor: string, text: string, data: Record<string, unknown> = {},
) {
  await tx.insert(events).values({ orgId, messageId, type, actor, text, data });
}

/** Every string field of the parsed MeMo, one per line, without the documents' content. */
export function memoTextForCprScan(memo: Memo): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object' && !ArrayBuffer.isView(v)) Object.values(v).forEach(walk);
  };
  walk(memo);
  return out.join('\n');
}

const textColumns = (sealer: Sealer, t: { status: string; text: string | null } | undefined) =>
  (t ? { textStatus: t.status, textEnc: t.text ? sealer.seal(t.text) : null } : {});

/** A letter's document files in storage order (position), each with its role. */
export function documentRows(memo: Memo) {
  const out: { role: 'main' | 'additional' | 'technical'; position: number; file: MemoDocument['files'][number] }[] = [];
  const add = (role: 'main' | 'additional' | 'technical', docs: MemoDocument[]) => {
    for (const d of docs) for (const f of d.files) out.push({ role, position: out.length, file: f });
  };
  if (memo.body.mainDocument) add('main', [memo.body.mainDocument]);
  add('additional', memo.body.additionalDocuments);
  add('technical', memo.body.technicalDocuments);
  return out;
}

/**
 * What track & trace searches (search_vector is PostgreSQL's Danish tsvector of it): label, sender,
 * recipient, notification and the documents' file names — never document content. File names are
 * split into words ("aarsopgoerelse_2025.pdf" is one token to the parser otherwise). CPR numbers are
 * masked after joining, so one split across parts cannot slip through.
 */
export function searchTextOf(memo: Memo): string {
  // Masked before splitting: "010190-1234.pdf" split first would become "010190 1234", another shape.
  const files = documentRows(memo).map((d) => maskCpr(d.file.filename).replace(/[^\p{L}\p{N}]+/gu, ' '));
  const parts = [memo.label, memo.sender.label ?? '', maskPartyId(memo.sender.id, memo.sender.idType),
    maskPartyId(memo.recipient.id, memo.recipient.idType), memo.notification ?? '', ...files];
  return maskCpr(parts.join(' ')).toLowerCase();
}

export function providerName(p: string): string {
  return p === 'ngdp' ? 'Digital Post' : p === 'eboks' ? 'e-Boks' : p === 'mitdk' ? 'mit.dk' : p;
}
