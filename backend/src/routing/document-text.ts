// The text of a letter's PDF documents, for rules and the assistant. Extracted once, before the
// letter is first routed (not at ingest, so fetching stays fast), bounded per document in time and
// memory (pdf-text/), and stored sealed like the documents themselves.
import { and, asc, eq, ne, sql } from 'drizzle-orm';
import type { AppContext } from '../context';
import { documents } from '../store/schema';
import { extractPdfText } from '../pdf-text';
import { errorMessage } from '../log';
import { recordCprMentionsOf } from '../dsr/cpr-index';

/** Text of all documents but technical ones, capped; extracts what has not been extracted yet. */
export async function documentTextOf(ctx: AppContext, messageId: string, maxChars = 100_000): Promise<string> {
  // One read: each document's stored text, and its content only where the text is still to be made
  // (a letter's documents are megabytes; routing a second time, or listing triage, needs none of them).
  const rows = await ctx.db.select({
    id: documents.id, mimeType: documents.mimeType, textStatus: documents.textStatus, textEnc: documents.textEnc,
    contentEnc: sql<Buffer | null>`case when ${documents.textStatus} is null then ${documents.contentEnc} end`.mapWith(documents.contentEnc),
  }).from(documents).where(and(eq(documents.messageId, messageId), ne(documents.role, 'technical'))).orderBy(asc(documents.position));
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
    let status: string;
    let text: string | null = null;
    try {
      const r = await extractPdfText(ctx.sealer.open(d.contentEnc));
      if (r.ok) { text = r.text; status = r.truncated ? 'ok (truncated)' : 'ok'; } else status = `failed: ${r.reason}`;
    } catch (e) {
      status = `failed: ${errorMessage(e)}`;
    }
    await ctx.db.update(documents).set({ textStatus: status.slice(0, 300), textEnc: text ? ctx.sealer.seal(text) : null }).where(eq(documents.id, d.id));
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
