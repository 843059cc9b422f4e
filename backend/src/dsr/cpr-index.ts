// CPR numbers a letter mentions, kept only as keyed hashes (cpr_mentions): HMAC-SHA-256 of the
// 10 digits under a key derived from the KEK (HKDF, info 'brevdue-cpr-index'). Without the KEK the
// hashes cannot be checked against the 10^10 possible numbers, which a plain hash could. Each hash
// is prefixed with the KEK id it was made under, so a rotation can find and re-index stale ones.
//
// Quarantined letters have no parsed MeMo to index at ingest: their sealed bytes are searched in memory
// (indexQuarantined: the bytes as text, the base64 runs in them decoded, embedded PDFs' text extracted)
// and the hashes kept in quarantine.cpr_hashes. The quarantine-notices job indexes new rows within a
// minute; a data subject search first indexes whatever of its organisation is not indexed yet, so it
// never misses a row. Nothing of the opened bytes is logged.
import { createHmac } from 'node:crypto';
import { and, arrayOverlaps, asc, eq, inArray, isNotNull, isNull, like, not, notInArray, sql } from 'drizzle-orm';
import { findCprNumbers } from '../../../shared/src/identifiers';
import type { Sealer } from '../crypto/envelope';
import type { Db, Tx } from '../store/db';
import { cprMentions, documents, messages, quarantine } from '../store/schema';
import { originalMarkup } from '../memo/original';
import { extractPdfText } from '../pdf-text';

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
 * their sealed content (the original MeMo and the documents' extracted text) under the current key,
 * and quarantined letters from their sealed bytes. Returns how many letters were re-indexed.
 */
export async function reindexStaleMentions(db: Db, sealer: Sealer, batch = 100): Promise<number> {
  const prefix = `${sealer.currentKeyId}:`;
  let done = 0;
  // Quarantined letters with a hash under an older key: indexed again from their sealed bytes.
  await db.update(quarantine).set({ cprHashes: null })
    .where(and(isNotNull(quarantine.cprHashes), sql`EXISTS (SELECT 1 FROM unnest(${quarantine.cprHashes}) AS h WHERE NOT starts_with(h, ${prefix}))`));
  done += (await indexQuarantined(db, sealer, { retryUnreadable: true })).indexed;
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

/** Embedded PDFs read per quarantined letter at most (each bounded by pdf-text's own limits). */
const QUARANTINE_PDFS_MAX = 20;
/**
 * Element text this long or longer is tried as base64 (a document's content): a CPR number in a text
 * document of a dozen bytes is base64 of 16 characters and more; shorter runs cannot hold one.
 */
const BASE64_MIN = 16;

/**
 * The texts to scan for CPR numbers in a quarantined letter's bytes, which may not parse: the bytes as
 * text (UTF-16 when they start with its byte-order mark, or without one when the first character has a
 * NUL beside it, as `<` has; UTF-8 when they are valid UTF-8; otherwise latin1, in which the digits of a
 * CPR number read the same as in every ASCII-based encoding), and every element text or CDATA section
 * that is base64, decoded: a PDF as its extracted text, anything else as text.
 */
export async function quarantineTexts(raw: Buffer): Promise<string[]> {
  const texts = [textOfBytes(raw)];
  const text = texts[0];
  let pdfs = 0;
  const run = new RegExp(`(?:>|<!\\[CDATA\\[)([^<\\]]{${BASE64_MIN},})(?:<|\\]\\]>)`, 'g');
  for (let m = run.exec(text); m; m = run.exec(text)) {
    const b64 = m[1].replace(/\s+/g, '');
    if (b64.length < BASE64_MIN || b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) continue;
    const bytes = Buffer.from(b64, 'base64');
    if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') {
      if (pdfs++ >= QUARANTINE_PDFS_MAX) continue;
      const r = await extractPdfText(bytes);
      if (r.ok) texts.push(r.text);
    } else {
      texts.push(textOfBytes(bytes));
    }
  }
  return texts;
}

function textOfBytes(raw: Buffer): string {
  if (raw[0] === 0xff && raw[1] === 0xfe) return raw.subarray(2).toString('utf16le');
  if (raw[0] === 0xfe && raw[1] === 0xff) return Buffer.from(raw.subarray(2, raw.length - (raw.length % 2))).swap16().toString('utf16le');
  // UTF-16 without a byte-order mark (which XML requires, but a letter in quarantine may be anything):
  // NUL is valid UTF-8, so it would otherwise read as digits with a NUL between each.
  if (raw.length >= 4 && raw[0] !== 0 && raw[1] === 0 && raw[2] !== 0 && raw[3] === 0) return raw.toString('utf16le');
  if (raw.length >= 4 && raw[0] === 0 && raw[1] !== 0 && raw[2] === 0 && raw[3] !== 0) return Buffer.from(raw.subarray(0, raw.length - (raw.length % 2))).swap16().toString('utf16le');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return raw.toString('latin1');
  }
}

/** Rows this process could not open, per database: the job passes them by (a search tries them again). */
const unreadableSeen = new WeakMap<object, Set<string>>();

/**
 * Indexes quarantined letters not indexed yet (cpr_hashes null, not erased), of one organisation or
 * all, at most `limit`: opens each in memory, records the current-key hashes of the CPR numbers in it
 * ('{}' when none). A row that cannot be opened (its key is gone) stays unindexed and is returned;
 * later calls pass it by unless `retryUnreadable` (a data subject search, which must report it).
 */
export async function indexQuarantined(db: Db, sealer: Sealer, opts: { orgId?: string; limit?: number; retryUnreadable?: boolean } = {}): Promise<{ indexed: number; unreadable: string[] }> {
  let seen = unreadableSeen.get(db);
  if (!seen) unreadableSeen.set(db, seen = new Set());
  const unreadable: string[] = [];
  const skip = opts.retryUnreadable ? unreadable : [...seen];
  let indexed = 0;
  const limit = opts.limit ?? Infinity;
  while (indexed < limit) {
    const passBy = opts.retryUnreadable ? unreadable : skip.concat(unreadable);
    const todo = await db.select({ id: quarantine.id }).from(quarantine)
      .where(and(isNull(quarantine.cprHashes), isNull(quarantine.erasedAt), ...(opts.orgId ? [eq(quarantine.orgId, opts.orgId)] : []),
        ...(passBy.length ? [notInArray(quarantine.id, passBy)] : [])))
      .orderBy(asc(quarantine.receivedAt)).limit(Math.min(20, limit - indexed));
    if (todo.length === 0) break;
    for (const { id } of todo) {
      const [row] = await db.select({ raw: quarantine.rawEnc }).from(quarantine).where(eq(quarantine.id, id));
      if (!row) continue;
      let raw: Buffer;
      try {
        raw = sealer.open(row.raw);
      } catch {
        unreadable.push(id);
        seen.add(id);
        continue;
      }
      seen.delete(id);
      const hashes = cprHashesIn(sealer, await quarantineTexts(raw));
      await db.update(quarantine).set({ cprHashes: hashes }).where(and(eq(quarantine.id, id), isNull(quarantine.cprHashes), isNull(quarantine.erasedAt)));
      indexed++;
    }
  }
  return { indexed, unreadable };
}

/**
 * Quarantined letters of the organisation that mention the CPR number (erased ones are not), after
 * indexing those not indexed yet; `unreadable`: rows that could not be opened, so not searched.
 */
export async function quarantineMentioning(db: Db, sealer: Sealer, orgId: string, cpr10: string): Promise<{ ids: string[]; unreadable: string[] }> {
  const { unreadable } = await indexQuarantined(db, sealer, { orgId, retryUnreadable: true });
  const rows = await db.select({ id: quarantine.id }).from(quarantine)
    .where(and(eq(quarantine.orgId, orgId), isNull(quarantine.erasedAt), arrayOverlaps(quarantine.cprHashes, cprHashes(sealer, cpr10))));
  return { ids: rows.map((r) => r.id), unreadable };
}
