// One letter that keeps failing must not hold up its mailbox: polls read oldest first, so a letter
// that can never be fetched or stored would otherwise fail every poll before the later ones are
// reached. Failed attempts are counted per letter; after LETTER_ATTEMPTS the poll gives up on it:
// a letter it holds is quarantined and acknowledged INVALID like an invalid MeMo; one it never got
// (the provider lists it but will not hand it over) is recorded in quarantine with the reason and
// left waiting at the provider, where people still see it, and later polls pass it by.
// A letter already in quarantine whose INVALID receipt fails is bounded the same way: the receipt is
// tried at each poll (without fetching the letter again), and after LETTER_ATTEMPTS its quarantine
// row is marked (RECEIPT_NOT_SENT_PREFIX, the first reason kept after it) and later polls pass it by.
// An admin's "try again" (quarantine-retry.ts) clears either mark.
//
// The counts live in this process: a restart or another process only starts counting again, which
// costs a few more attempts, never a letter.
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../store/db';
import { quarantine, quarantineTombstones } from '../store/schema';

export const LETTER_ATTEMPTS = 5;
/** How the quarantine reason of a letter never fetched begins (later polls pass such letters by). */
export const NOT_FETCHED_PREFIX = 'Not fetched after';
/** How the reason of a quarantined letter whose INVALID receipt was given up begins (passed by too). */
export const RECEIPT_NOT_SENT_PREFIX = 'INVALID receipt not sent after';
/** Between the receipt's failure and the reason the letter was quarantined for, in a marked reason. */
export const FIRST_REASON_SEPARATOR = ' Quarantined because: ';

/**
 * The reason a quarantined letter keeps once a data subject request erased it (dsr/requests.ts): fixed
 * and content-free, since a reason may quote the letter (an element's value, a name, a file name).
 */
export const ERASED_REASON = 'Quarantined by Brevdue; its content and the reason were erased at a data subject\'s request.';

/** Whether a quarantine reason marks a letter later polls pass by (never fetched, or its receipt given up). */
export const passedBy = (reason: string) => reason.startsWith(NOT_FETCHED_PREFIX) || reason.startsWith(RECEIPT_NOT_SENT_PREFIX);

const counts = new WeakMap<object, Map<string, number>>();
const keyOf = (mailboxId: string, providerId: string) => `${mailboxId}\u0000${providerId}`;

/** Counts one more failed attempt at the letter and returns how many there were. */
export function countFailedAttempt(db: Db, mailboxId: string, providerId: string): number {
  let m = counts.get(db);
  if (!m) counts.set(db, m = new Map());
  const n = (m.get(keyOf(mailboxId, providerId)) ?? 0) + 1;
  m.set(keyOf(mailboxId, providerId), n);
  return n;
}

export function forgetFailedAttempts(db: Db, mailboxId: string, providerId: string): void {
  counts.get(db)?.delete(keyOf(mailboxId, providerId));
}

/**
 * Of `ids`, those this mailbox has in quarantine: `passBy` those a poll gave up on (never fetched,
 * or their INVALID receipt given up: still waiting at the provider); the others are held letters
 * whose INVALID receipt is still owed (`reason` goes with it). A letter whose quarantine row retention
 * deleted counts through its tombstone (quarantine_tombstones: content-free, a fixed reason), so it
 * is never fetched again — not even one a data subject had erased.
 */
export async function inQuarantine(db: Db, mailboxId: string, ids: string[]): Promise<Map<string, { passBy: boolean; reason: string }>> {
  if (ids.length === 0) return new Map();
  const [rows, stones] = await Promise.all([
    db.select({ id: quarantine.providerMessageId, reason: quarantine.reason }).from(quarantine)
      .where(and(eq(quarantine.mailboxId, mailboxId), inArray(quarantine.providerMessageId, ids))),
    db.select({ id: quarantineTombstones.providerMessageId, reason: quarantineTombstones.reason }).from(quarantineTombstones)
      .where(and(eq(quarantineTombstones.mailboxId, mailboxId), inArray(quarantineTombstones.providerMessageId, ids))),
  ]);
  // A quarantine row (the letter came again and is held anew) speaks before a tombstone.
  return new Map([...stones, ...rows].map((r) => [r.id, { passBy: passedBy(r.reason), reason: r.reason }]));
}

/** A tombstone's reason: content-free, keeping the mark of a receipt given up (later polls pass the letter by). */
export function tombstoneReason(reason: string): string {
  const head = 'Quarantined by Brevdue; the record was deleted at the end of its retention period.';
  return reason.startsWith(RECEIPT_NOT_SENT_PREFIX) ? `${RECEIPT_NOT_SENT_PREFIX} ${LETTER_ATTEMPTS} attempts. ${head}` : head;
}

/**
 * An erased letter's reason (ERASED_REASON), keeping the mark later polls read: a letter never fetched,
 * or whose INVALID receipt was given up, is still passed by; any other still gets its owed receipt.
 */
export function erasedReason(reason: string): string {
  if (reason.startsWith(RECEIPT_NOT_SENT_PREFIX)) return `${RECEIPT_NOT_SENT_PREFIX} ${LETTER_ATTEMPTS} attempts. ${ERASED_REASON}`;
  if (reason.startsWith(NOT_FETCHED_PREFIX)) return `${NOT_FETCHED_PREFIX} ${LETTER_ATTEMPTS} attempts. ${ERASED_REASON}`;
  return ERASED_REASON;
}

/** Of `ids`, those a poll gave up on (recorded in quarantine, still waiting at the provider). */
export async function givenUp(db: Db, mailboxId: string, ids: string[]): Promise<Set<string>> {
  const known = await inQuarantine(db, mailboxId, ids);
  return new Set([...known].filter(([, q]) => q.passBy).map(([id]) => id));
}

/** What quarantine keeps for a letter never fetched: not MeMo, just what we know of it. */
export function notFetchedRecord(provider: string, providerId: string, reason: string): Buffer {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<NotFetched xmlns="urn:brevdue:not-fetched" provider="${esc(provider)}" `
    + `providerMessageId="${esc(providerId)}"><reason>${esc(reason)}</reason></NotFetched>\n`);
}
