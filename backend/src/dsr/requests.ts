// Data subject requests (GDPR art. 15 and 17): every letter of an organisation that mentions a CPR
// number, found through the keyed-hash index (dsr/cpr-index.ts); exported with its documents; erased
// like retention purges (the trace stays, the content goes). A letter on legal hold blocks erasure.
// Quarantined letters (never taken in, so not letters yet) are found through their own index
// (quarantine.cpr_hashes: their sealed bytes searched in memory, cpr-index.ts indexQuarantined),
// exported with their original bytes and erased by replacing those with a sealed empty value and the
// reason with a fixed sentence: the row stays (mailbox, provider id, the reason's mark, dates), so a poll
// still passes the letter by or owes its receipt.
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Sealer } from '../crypto/envelope';
import type { Db } from '../store/db';
import { documents, events, mailboxes, messages, quarantine } from '../store/schema';
import { lettersMentioning, quarantineMentioning } from './cpr-index';
import { purgeLetters } from '../retention/purge';
import { providerName } from '../store/letters';
import { NOT_FETCHED_PREFIX, RECEIPT_NOT_SENT_PREFIX, erasedReason } from '../ingest/letter-failures';

export interface DsrLetter {
  id: string; label: string; senderName: string; cvr: string; receivedAt: string; purgedAt: string | null; legalHold: boolean;
}

export async function dsrSearch(db: Db, sealer: Sealer, orgId: string, cpr10: string): Promise<DsrLetter[]> {
  const ids = await lettersMentioning(db, sealer, orgId, cpr10);
  if (ids.length === 0) return [];
  const rows = await db.select({
    id: messages.id, label: messages.label, senderName: messages.senderName, cvr: messages.cvr,
    receivedAt: messages.receivedAt, purgedAt: messages.purgedAt, legalHold: messages.legalHold,
  }).from(messages).where(and(eq(messages.orgId, orgId), inArray(messages.id, ids))).orderBy(asc(messages.receivedAt));
  return rows.map((r) => ({ ...r, receivedAt: r.receivedAt.toISOString(), purgedAt: r.purgedAt?.toISOString() ?? null }));
}

export interface DsrQuarantined {
  id: string; mailboxId: string; provider: string; cvr: string; providerMessageId: string; receivedAt: string; reason: string;
}

export interface DsrQuarantineSearch {
  quarantined: DsrQuarantined[];
  /** Quarantined letters that could not be opened (their key is no longer configured), so not searched. */
  quarantineUnreadable: string[];
}

/** The organisation's quarantined letters whose sealed bytes mention the CPR number (not erased ones). */
export async function dsrSearchQuarantine(db: Db, sealer: Sealer, orgId: string, cpr10: string): Promise<DsrQuarantineSearch> {
  const { ids, unreadable } = await quarantineMentioning(db, sealer, orgId, cpr10);
  if (ids.length === 0) return { quarantined: [], quarantineUnreadable: unreadable };
  const rows = await db.select({
    id: quarantine.id, mailboxId: quarantine.mailboxId, provider: mailboxes.provider, cvr: mailboxes.cvr,
    providerMessageId: quarantine.providerMessageId, receivedAt: quarantine.receivedAt, reason: quarantine.reason,
  }).from(quarantine).innerJoin(mailboxes, eq(mailboxes.id, quarantine.mailboxId))
    .where(and(eq(quarantine.orgId, orgId), inArray(quarantine.id, ids))).orderBy(asc(quarantine.receivedAt));
  return {
    quarantined: rows.map((r) => ({ ...r, provider: providerName(r.provider), receivedAt: r.receivedAt.toISOString() })),
    quarantineUnreadable: unreadable,
  };
}

/**
 * The export: JSON with each letter's metadata, notification, timeline and documents (base64). JSON
 * rather than a zip because no zip library is a direct dependency, and the export is for a person
 * handling the request, who can save the documents from it; base64 costs a third more bytes.
 */
export async function dsrExport(db: Db, sealer: Sealer, orgId: string, cpr10: string) {
  const found = await dsrSearch(db, sealer, orgId, cpr10);
  const letters = [];
  for (const l of found) {
    const [m] = await db.select({
      memoUuid: messages.memoUuid, provider: messages.provider, senderId: messages.senderId, recipientId: messages.recipientId,
      notification: messages.notification, memoCreatedAt: messages.memoCreatedAt, status: messages.status,
    }).from(messages).where(eq(messages.id, l.id));
    const docs = await db.select().from(documents).where(eq(documents.messageId, l.id)).orderBy(asc(documents.position));
    const evs = await db.select({ at: events.at, type: events.type, actor: events.actor, text: events.text }).from(events)
      .where(eq(events.messageId, l.id)).orderBy(asc(events.at), asc(events.id));
    letters.push({
      ...l, memoUuid: m.memoUuid, provider: m.provider, senderId: m.senderId, recipientId: m.recipientId,
      notification: m.notification, createdAt: m.memoCreatedAt.toISOString(), status: m.status,
      documents: docs.map((d) => ({
        id: d.id, role: d.role, filename: d.filename, mimeType: d.mimeType, size: d.size,
        contentBase64: sealer.open(d.contentEnc).toString('base64'),
      })),
      timeline: evs.map((e) => ({ ...e, at: e.at.toISOString() })),
    });
  }
  // Quarantined letters: what is known of them and the original bytes as received (not a valid
  // letter, so there are no documents or timeline to list).
  const q = await dsrSearchQuarantine(db, sealer, orgId, cpr10);
  const quarantined = [];
  for (const l of q.quarantined) {
    const [row] = await db.select({ raw: quarantine.rawEnc }).from(quarantine).where(eq(quarantine.id, l.id));
    if (!row) continue; // taken in or removed meanwhile: the letter search finds it next time
    quarantined.push({ ...l, originalBase64: sealer.open(row.raw).toString('base64') });
  }
  return {
    generatedAt: new Date().toISOString(), letterCount: letters.length, letters,
    quarantinedCount: quarantined.length, quarantined, quarantineUnreadable: q.quarantineUnreadable,
  };
}

export type EraseResult =
  | { ok: true; erased: string[]; alreadyPurged: number; quarantineErased: string[]; quarantineUnreadable: string[] }
  | { ok: false; held: string[] };

export async function dsrErase(db: Db, sealer: Sealer, orgId: string, cpr10: string): Promise<EraseResult> {
  const found = await dsrSearch(db, sealer, orgId, cpr10);
  const held = found.filter((l) => l.legalHold).map((l) => l.id);
  if (held.length) return { ok: false, held };
  // Quarantine first, then the letters searched again: a "try again" storing one of these letters holds
  // its row until the letter is committed (ingest/quarantine-retry.ts), so either the erase finds the row
  // and the retry stores nothing, or the row is gone and the search below finds the letter it stored.
  const q = await dsrSearchQuarantine(db, sealer, orgId, cpr10);
  const quarantineErased = await eraseQuarantined(db, sealer, orgId, q.quarantined.map((l) => l.id));
  const letters = await dsrSearch(db, sealer, orgId, cpr10);
  const todo = letters.filter((l) => !l.purgedAt).map((l) => l.id);
  const erased = await purgeLetters(db, sealer, orgId, todo, 'dsr');
  return { ok: true, erased, alreadyPurged: letters.length - todo.length, quarantineErased, quarantineUnreadable: q.quarantineUnreadable };
}

/**
 * Erases quarantined letters' content: the sealed bytes become a sealed empty value, the index goes,
 * the reason becomes a fixed sentence (it may quote the letter: a value, a name, a file name), keeping
 * only the mark polls read (letter-failures.ts erasedReason), erased_at is set. The row stays (so polls
 * keep passing the letter by, and its INVALID receipt, if still owed, is still sent, with the fixed
 * sentence); "try again" refuses it, retention deletes it at the retention period.
 */
export async function eraseQuarantined(db: Db, sealer: Sealer, orgId: string, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  // In the statement, from the row as it is: a poll marking the receipt given up meanwhile is not undone.
  const reason = sql<string>`CASE WHEN starts_with(${quarantine.reason}, ${RECEIPT_NOT_SENT_PREFIX}) THEN ${erasedReason(RECEIPT_NOT_SENT_PREFIX)}
    WHEN starts_with(${quarantine.reason}, ${NOT_FETCHED_PREFIX}) THEN ${erasedReason(NOT_FETCHED_PREFIX)} ELSE ${erasedReason('')} END`;
  const rows = await db.update(quarantine).set({ rawEnc: sealer.seal(Buffer.alloc(0)), cprHashes: [], reason, erasedAt: new Date() })
    .where(and(eq(quarantine.orgId, orgId), inArray(quarantine.id, ids), isNull(quarantine.erasedAt))).returning({ id: quarantine.id });
  return rows.map((r) => r.id);
}
