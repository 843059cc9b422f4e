// Which documents fit into the creating request and which must follow. Graph takes a file
// attachment inline only under 3 MB, and the whole request under 4 MB (base64 adds a third).
export const INLINE_ATTACHMENT_MAX = 3 * 1024 * 1024 - 1;
/** Room for the JSON, the body and the properties around the attachments. */
export const REQUEST_BUDGET = 4 * 1024 * 1024 - 256 * 1024;

export interface PlannedDoc { index: number; filename: string; size: number }

export function planAttachments(docs: { filename: string; size: number }[], bodyBytes = 16 * 1024): { inline: PlannedDoc[]; large: PlannedDoc[] } {
  const inline: PlannedDoc[] = [];
  const large: PlannedDoc[] = [];
  let used = bodyBytes;
  docs.forEach((d, index) => {
    const encoded = Math.ceil(d.size / 3) * 4 + d.filename.length * 2 + 200;
    if (d.size <= INLINE_ATTACHMENT_MAX && used + encoded <= REQUEST_BUDGET) {
      inline.push({ index, filename: d.filename, size: d.size });
      used += encoded;
    } else {
      large.push({ index, filename: d.filename, size: d.size });
    }
  });
  return { inline, large };
}
