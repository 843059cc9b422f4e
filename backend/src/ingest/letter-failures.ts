// One letter that keeps failing must not hold up its mailbox: polls read oldest first, so a letter
// that can never be fetched or stored would otherwise fail every poll before the later ones are
// reached. Failed attempts are counted per letter; after LETTER_ATTEMPTS the poll gives up on it:
// a letter it holds is quarantined and acknowledged INVALID like an invalid MeMo; one it never got
// (the provider lists it but will not hand it over) is recorded in quarantine with the reason and
// left waiting at the provider, where people still see it, and later polls pass it by.
//
// The counts live in this process: a restart or another process only starts counting again, which
// costs a few more attempts, never a letter.
import { and, eq, inArray, like } from 'drizzle-orm';
import type { Db } from '../store/db';
import { quarantine } from '../store/schema';

export const LETTER_ATTEMPTS = 5;
/** How the quarantine reason of a letter never fetched begins (later polls pass such letters by). */
export const NOT_FETCHED_PREFIX = 'Not fetched after';

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

/** Of `ids`, those a poll gave up fetching (recorded in quarantine, still waiting at the provider). */
export async function givenUp(db: Db, mailboxId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.select({ id: quarantine.providerMessageId }).from(quarantine)
    .where(and(eq(quarantine.mailboxId, mailboxId), inArray(quarantine.providerMessageId, ids), like(quarantine.reason, `${NOT_FETCHED_PREFIX}%`)));
  return new Set(rows.map((r) => r.id));
}

/** What quarantine keeps for a letter never fetched: not MeMo, just what we know of it. */
export function notFetchedRecord(provider: string, providerId: string, reason: string): Buffer {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<NotFetched xmlns="urn:brevdue:not-fetched" provider="${esc(provider)}" `
    + `providerMessageId="${esc(providerId)}"><reason>${esc(reason)}</reason></NotFetched>\n`);
}
