// The original MeMo is kept (sealed) for audit and re-processing, byte for byte. Its documents'
// base64 is almost all of it, and the documents are stored already (decoded, sealed) — keeping both
// doubled what every letter wrote and sealed. So the original is kept as a "skeleton": the bytes with
// each large document's base64 cut out, plus, per cut, which stored document it was and how its
// base64 was laid out (leading/trailing whitespace, line length and separator). Rebuilding encodes
// the document again and lays it out the same way. Only cuts that rebuild exactly are made: the
// whole original is rebuilt and compared before the skeleton is accepted, otherwise it is kept whole.
// Pure functions; store/original.ts reads the documents.
import { z } from 'zod';
import type { PayloadSpan } from './parse';

/** Starts every skeleton. A NUL cannot start an XML document, so a stored original that is the plain XML (older letters, letters without large documents) is told apart. */
const MAGIC = Buffer.from('\0brevdue-original/1\n', 'latin1');

const partSchema = z.object({
  /** Offset in the skeleton where the base64 goes. */
  at: z.number().int().nonnegative(),
  /** The stored document (documents.position) whose bytes it is. */
  position: z.number().int().nonnegative(),
  lead: z.string(),
  trail: z.string(),
  /** Base64 characters per line; 0 for one line. */
  line: z.number().int().nonnegative(),
  sep: z.string(),
});
const headerSchema = z.object({ parts: z.array(partSchema) });
type Part = z.infer<typeof partSchema>;
type Layout = Omit<Part, 'at' | 'position'>;

export interface StoredDocument { position: number; content: Buffer }

const isWs = (b: number) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

/** How the base64 in raw[start, end) is laid out, read off its whitespace (verified later by rebuilding). */
function layoutOf(raw: Buffer, start: number, end: number): Layout {
  let i = start;
  while (i < end && isWs(raw[i])) i++;
  let j = end;
  while (j > i && isWs(raw[j - 1])) j--;
  const body = raw.subarray(i, j);
  let k = -1;
  for (const b of [0x0a, 0x0d, 0x20, 0x09]) {
    const at = body.indexOf(b);
    if (at !== -1 && (k === -1 || at < k)) k = at;
  }
  let sepEnd = k;
  if (k !== -1) while (sepEnd < body.length && isWs(body[sepEnd])) sepEnd++;
  return {
    lead: raw.toString('latin1', start, i), trail: raw.toString('latin1', j, end),
    line: k === -1 ? 0 : k, sep: k === -1 ? '' : body.toString('latin1', k, sepEnd),
  };
}

/** The document's base64 laid out as in the original. */
function layBase64(content: Buffer, l: Layout): Buffer {
  const b64 = Buffer.from(content.toString('base64'), 'latin1');
  const lead = Buffer.from(l.lead, 'latin1');
  const trail = Buffer.from(l.trail, 'latin1');
  if (l.line === 0 || b64.length <= l.line) return Buffer.concat([lead, b64, trail]);
  const sep = Buffer.from(l.sep, 'latin1');
  const lines = Math.ceil(b64.length / l.line);
  const out = Buffer.allocUnsafe(lead.length + b64.length + (lines - 1) * sep.length + trail.length);
  let o = lead.copy(out, 0);
  for (let n = 0; n < lines; n++) {
    if (n > 0) o += sep.copy(out, o);
    o += b64.copy(out, o, n * l.line, Math.min(b64.length, (n + 1) * l.line));
  }
  trail.copy(out, o);
  return out;
}

/**
 * What to store as the original: the skeleton when at least one document's base64 can be cut out and
 * rebuilt exactly, else `raw` itself. `spans` from parse.ts payloadSpansOf (the documents' Buffers,
 * matched to `docs` by identity: the same file twice is two spans and two documents).
 */
export function compactOriginal(raw: Buffer, spans: readonly PayloadSpan[], docs: readonly StoredDocument[]): Buffer {
  const positionOf = new Map(docs.map((d) => [d.content, d.position]));
  const parts: Part[] = [];
  const pieces: Buffer[] = [];
  let from = 0;
  let skeletonLength = 0;
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    const position = positionOf.get(span.content);
    if (position === undefined || span.start < from || span.end > raw.length) continue;
    const piece = raw.subarray(from, span.start);
    pieces.push(piece);
    skeletonLength += piece.length;
    parts.push({ at: skeletonLength, position, ...layoutOf(raw, span.start, span.end) });
    from = span.end;
  }
  if (parts.length === 0) return raw;
  pieces.push(raw.subarray(from));
  const stored = Buffer.concat([MAGIC, Buffer.from(`${JSON.stringify({ parts })}\n`, 'utf8'), ...pieces]);
  const byPosition = new Map(docs.map((d) => [d.position, d.content]));
  // The proof: anything this could not lay out again exactly (odd whitespace, say) keeps the whole.
  const rebuilt = rebuildOriginal(stored, (p) => byPosition.get(p));
  return rebuilt.equals(raw) ? stored : raw;
}

export function isSkeleton(stored: Buffer): boolean {
  return stored.length >= MAGIC.length && stored.subarray(0, MAGIC.length).equals(MAGIC);
}

function split(stored: Buffer): { parts: Part[]; skeleton: Buffer } {
  const nl = stored.indexOf(0x0a, MAGIC.length);
  const header = nl === -1 ? null : headerSchema.safeParse(safeJson(stored.toString('utf8', MAGIC.length, nl)));
  if (!header?.success) throw new Error('the stored original is damaged (its header cannot be read)');
  return { parts: header.data.parts, skeleton: stored.subarray(nl + 1) };
}

function safeJson(s: string): unknown {
  try { return JSON.parse(s); } catch { return null; }
}

/** The stored documents a skeleton needs to be rebuilt (none for a whole original). */
export function documentPositionsNeeded(stored: Buffer): number[] {
  return isSkeleton(stored) ? [...new Set(split(stored).parts.map((p) => p.position))] : [];
}

/** The original MeMo, byte for byte. `documentBytes` gives a stored document's decoded bytes by position. */
export function rebuildOriginal(stored: Buffer, documentBytes: (position: number) => Buffer | undefined): Buffer {
  if (!isSkeleton(stored)) return stored;
  const { parts, skeleton } = split(stored);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of parts) {
    const content = documentBytes(p.position);
    if (!content) throw new Error(`the stored original needs document ${p.position + 1}, which is missing`);
    if (p.at < from || p.at > skeleton.length) throw new Error('the stored original is damaged (a document is out of place)');
    out.push(skeleton.subarray(from, p.at), layBase64(content, p));
    from = p.at;
  }
  out.push(skeleton.subarray(from));
  return Buffer.concat(out);
}

/**
 * The original's markup without the documents' base64 (the skeleton's bytes after its header, or the
 * whole original): what a scan of the original for CPR numbers should read.
 */
export function originalMarkup(stored: Buffer): Buffer {
  return isSkeleton(stored) ? split(stored).skeleton : stored;
}
