// The text of a letter's PDF documents, for rules and the assistant. Extracted once, bounded per
// document in time and memory (pdf-text/), and stored sealed like the documents themselves: at ingest,
// while the documents' bytes are in memory anyway (ingest/accept.ts → documentTexts), so routing never
// reads megabytes back from the database; here, for letters stored without it (older ones).
import { normaliseMimeType } from '../util/mime';
import { and, asc, eq, ne, sql } from 'drizzle-orm';
import type { AppContext } from '../context';
import { documents } from '../store/schema';
import { extractPdfText } from '../pdf-text';
import { errorMessage } from '../log';
import { prepared } from '../store/prepared';
import { recordCprMentionsOf } from '../dsr/cpr-index';

/** Text of all documents but technical ones, capped; extracts what has not been extracted yet. */
export async function documentTextOf(ctx: AppContext, messageId: string, maxChars = 100_000): Promise<string> {
  // One read: each document's stored text, and its content only where the text is still to be made
  // (a letter's documents are megabytes; routing a second time, or listing triage, needs none of them).
  const rows = await prepared(ctx.db, 'route_document_texts', (db) => db.select({
    id: documents.id, mimeType: documents.mimeType, textStatus: documents.textStatus, textEnc: documents.textEnc,
    contentEnc: sql<Buffer | null>`case when ${documents.textStatus} is null then ${documents.contentEnc} end`.mapWith(documents.contentEnc),
  }).from(documents).where(and(eq(documents.messageId, sql.placeholder('id')), ne(documents.role, 'technical'))).orderBy(asc(documents.position))
    .prepare('route_document_texts')).execute({ id: messageId });
  const texts: string[] = [];
  for (const d of rows) {
    if (d.textStatus !== null) {
      if (d.textEnc) texts.push(ctx.sealer.open(d.textEnc).toString('utf8'));
      continue;
    }
    if (d.mimeType !== 'application/pdf' || !d.contentEnc) {
      await ctx.db.update(documents).set({ textStatus: 'skipped' }).where(eq(documents.id, d.id));
      continue;
    }
    const { status, text } = await textOfPdf(ctx.sealer.open(d.contentEnc));
    await ctx.db.update(documents).set({ textStatus: status, textEnc: text ? ctx.sealer.seal(text) : null }).where(eq(documents.id, d.id));
    if (text) {
      await recordCprMentionsOf(ctx.db, ctx.sealer, messageId, [text]);
      texts.push(text);
    } else ctx.log.warn('no text from a PDF document; rules on document text will not see it', { documentId: d.id, status });
  }
  let out = '';
  for (const t of texts) {
    out += (out ? '\n' : '') + t;
    if (out.length >= maxChars) return out.slice(0, maxChars);
  }
  return out;
}

/** What extraction made of one document: text_status (≤ 300 characters) and the text, if any. */
export interface DocumentText { status: string; text: string | null }

async function textOfPdf(content: Buffer): Promise<DocumentText> {
  try {
    const r = await extractPdfText(content);
    if (r.ok) return { status: r.truncated ? 'ok (truncated)' : 'ok', text: r.text };
    return { status: `failed: ${r.reason}`.slice(0, 300), text: null };
  } catch (e) {
    return { status: `failed: ${errorMessage(e)}`.slice(0, 300), text: null };
  }
}

/**
 * The text of each of a letter's documents, by position, as storeLetter keeps it: PDFs extracted,
 * other types 'skipped', technical documents left out (null status: never read for routing).
 */
export async function documentTexts(docs: { role: string; position: number; file: { encodingFormat: string; content: Buffer } }[]): Promise<Map<number, DocumentText>> {
  const out = new Map<number, DocumentText>();
  for (const d of docs) {
    if (d.role === 'technical') continue;
    out.set(d.position, normaliseMimeType(d.file.encodingFormat) === 'application/pdf' ? await textOfPdf(d.file.content) : { status: 'skipped', text: null });
  }
  return out;
}
