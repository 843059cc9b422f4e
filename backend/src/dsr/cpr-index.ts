// CPR numbers a letter mentions, kept only as keyed hashes (cpr_mentions): HMAC-SHA-256 of the
// 10 digits under a key derived from the KEK (HKDF, info 'brevdue-cpr-index'). Without the KEK the
// hashes cannot be checked against the 10^10 possible numbers, which a plain hash could. Each hash
// is prefixed with the KEK id it was made under, so a rotation can find and re-index stale ones.
import { createHmac } from 'node:crypto';
import { and, eq, inArray, like, not } from 'drizzle-orm';
import { findCprNumbers } from '../../../shared/src/identifiers';
import type { Sealer } from '../crypto/envelope';
import type { Db, Tx } from '../store/db';
import { cprMentions, documents, messages } from '../store/schema';
import { originalMarkup } from '../memo/original';

export const CPR_INDEX_INFO = 'brevdue-cpr-index';

/** "010190-1234", "010190 1234", "0101901234" → "0101901234"; null when it is not 10 digits. */
export function normaliseCpr(input: string): string | null {
  const digits = input.replace(/[\s\-\u2010\u2011\u2013]/g, '');
  return /^\d{10}$/.test(digits) ? digits : null;
}

/** The hash under every configured key (current first): a search must also find not-yet-re-indexed rows. */
export function cprHashes(sealer: Sealer, cpr10: string): string[] {
  return sealer.deriveKeys(CPR_INDEX_INFO).map((k) => `${k.id}:${createHmac('sha256', k.key).update(cpr10).digest('hex')}`);
}

/** The hash under the current key: what is stored and what audit entries name. */
export function currentCprHash(sealer: Sealer, cpr10: string): string {
  return cprHashes(sealer, cpr10)[0];
}

/** Current-key hashes of every CPR number in the texts. */
export function cprHashesIn(sealer: Sealer, texts: string[]): string[] {
  const found = new Set<string>();
  for (const t of texts) for (const m of findCprNumbers(t)) found.add(m.value.replace(/\D/g, ''));
  return [...found].map((c) => currentCprHash(sealer, c));
}

/** Records the CPR numbers found in `texts` as mentions of the letter (idempotent). */
export async function recordCprMentions(db: Db | Tx, sealer: Sealer, orgId: string, messageId: string, texts: string[]): Promise<number> {
  const hashes = cprHashesIn(sealer, texts);
  if (hashes.length === 0) return 0;
  await db.insert(cprMentions).values(hashes.map((cprHash) => ({ orgId, messageId, cprHash }))).onConflictDoNothing();
  return hashes.length;
}

/** The same, when only the letter id is at hand (after text extraction). */
export async function recordCprMentionsOf(db: Db, sealer: Sealer, messageId: string, texts: string[]): Promise<number> {
  if (cprHashesIn(sealer, texts).length === 0) return 0;
  const [m] = await db.select({ orgId: messages.orgId, purgedAt: messages.purgedAt }).from(messages).where(eq(messages.id, messageId));
  if (!m || m.purgedAt) return 0;
  return recordCprMentions(db, sealer, m.orgId, messageId, texts);
}

/**
 * After a key rotation: letters whose mentions were hashed under an older key are re-indexed from
 * their sealed content (the original MeMo and the documents' extracted text) under the current key.
 * Returns how many letters were re-indexed.
 */
export async function reindexStaleMentions(db: Db, sealer: Sealer, batch = 100): Promise<number> {
  const prefix = `${sealer.currentKeyId}:`;
  let done = 0;
  for (;;) {
    const stale = await db.selectDistinct({ messageId: cprMentions.messageId, orgId: cprMentions.orgId }).from(cprMentions)
      .where(not(like(cprMentions.cprHash, `${prefix.replace(/[%_\\]/g, '\\$&')}%`))).limit(batch);
    if (stale.length === 0) return done;
    for (const s of stale) {
      const [m] = await db.select({ raw: messages.rawEnc }).from(messages).where(eq(messages.id, s.messageId));
      const texts = m ? [originalMarkup(sealer.open(m.raw)).toString('utf8')] : [];
      const docs = await db.select({ t: documents.textEnc }).from(documents).where(eq(documents.messageId, s.messageId));
      for (const d of docs) if (d.t) texts.push(sealer.open(d.t).toString('utf8'));
      await db.transaction(async (tx) => {
        await recordCprMentions(tx, sealer, s.orgId, s.messageId, texts);
        await tx.delete(cprMentions).where(and(eq(cprMentions.messageId, s.messageId),
          not(like(cprMentions.cprHash, `${prefix.replace(/[%_\\]/g, '\\$&')}%`))));
      });
      done++;
    }
  }
}

/** Letter ids in the organisation that mention the CPR number. */
export async function lettersMentioning(db: Db, sealer: Sealer, orgId: string, cpr10: string): Promise<string[]> {
  const rows = await db.selectDistinct({ id: cprMentions.messageId }).from(cprMentions)
    .where(and(eq(cprMentions.orgId, orgId), inArray(cprMentions.cprHash, cprHashes(sealer, cpr10))));
  return rows.map((r) => r.id);
}
