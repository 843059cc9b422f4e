// Data subject requests (GDPR art. 15 and 17): every letter of an organisation that mentions a CPR
// number, found through the keyed-hash index (dsr/cpr-index.ts); exported with its documents; erased
// like retention purges (the trace stays, the content goes). A letter on legal hold blocks erasure.
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Sealer } from '../crypto/envelope';
import type { Db } from '../store/db';
import { documents, events, messages } from '../store/schema';
import { lettersMentioning } from './cpr-index';
import { purgeLetters } from '../retention/purge';

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
  return { generatedAt: new Date().toISOString(), letterCount: letters.length, letters };
}

export type EraseResult =
  | { ok: true; erased: string[]; alreadyPurged: number }
  | { ok: false; held: string[] };

export async function dsrErase(db: Db, sealer: Sealer, orgId: string, cpr10: string): Promise<EraseResult> {
  const found = await dsrSearch(db, sealer, orgId, cpr10);
  const held = found.filter((l) => l.legalHold).map((l) => l.id);
  if (held.length) return { ok: false, held };
  const todo = found.filter((l) => !l.purgedAt).map((l) => l.id);
  const erased = await purgeLetters(db, sealer, orgId, todo, 'dsr');
  return { ok: true, erased, alreadyPurged: found.length - todo.length };
}
