// Reading a letter's original MeMo back, byte for byte: a skeleton (memo/original.ts) is rebuilt
// from the letter's stored documents; an original kept whole (older letters, letters without large
// documents) is returned as it is.
import { and, eq, inArray } from 'drizzle-orm';
import type { Sealer } from '../crypto/envelope';
import { documentPositionsNeeded, rebuildOriginal } from '../memo/original';
import { documents } from './schema';
import type { Db } from './db';

/** `rawEnc` is the letter's sealed messages.raw_enc (read it with the letter, not separately). */
export async function openOriginal(db: Db, sealer: Sealer, messageId: string, rawEnc: Buffer): Promise<Buffer> {
  const stored = sealer.open(rawEnc);
  const needed = documentPositionsNeeded(stored);
  if (needed.length === 0) return stored;
  const rows = await db.select({ position: documents.position, contentEnc: documents.contentEnc }).from(documents)
    .where(and(eq(documents.messageId, messageId), inArray(documents.position, needed)));
  const byPosition = new Map(rows.map((r) => [r.position, sealer.open(r.contentEnc)]));
  return rebuildOriginal(stored, (p) => byPosition.get(p));
}
