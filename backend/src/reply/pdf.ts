// The reply text as a plain A4 PDF (pdf-lib): a heading naming the letter answered, who answers,
// the date, then the text with its line breaks, wrapped and paged. Helvetica's WinAnsi set covers
// Danish; a character outside it (an emoji, say) is shown as "?" rather than failing the reply.
import { PDFDocument, StandardFonts, rgb, type PDFFont } from 'pdf-lib';

export interface ReplyPdfInput {
  title: string; // the reply's label, "Re: …"
  from: string; // "Nordlys Holding A/S (CVR 12345678)"
  to: string; // the original sender
  date: Date;
  text: string;
}

const PAGE = { width: 595.28, height: 841.89 }; // A4 in points
const MARGIN = 56;
const SIZE = 11;
const LEADING = 15;

function encodable(font: PDFFont): (s: string) => string {
  const set = new Set(font.getCharacterSet());
  return (s) => [...s].map((c) => (c === '\t' ? '    ' : c === '\n' || set.has(c.codePointAt(0)!) ? c : '?')).join('');
}

/** Lines of at most `width` points; long words are broken. */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    if (paragraph.trim() === '') { lines.push(''); continue; }
    let line = '';
    for (const word of paragraph.split(/(?<=\s)/)) {
      const candidate = line + word;
      if (font.widthOfTextAtSize(candidate.trimEnd(), size) <= width) { line = candidate; continue; }
      if (line) lines.push(line.trimEnd());
      line = '';
      let rest = word;
      while (font.widthOfTextAtSize(rest.trimEnd(), size) > width) {
        let cut = rest.length - 1;
        while (cut > 1 && font.widthOfTextAtSize(rest.slice(0, cut), size) > width) cut--;
        lines.push(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
      line = rest;
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

export async function renderReplyPdf(input: ReplyPdfInput): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.setTitle(input.title);
  doc.setProducer('Brevdue');
  doc.setCreator('Brevdue');
  doc.setCreationDate(input.date);
  doc.setModificationDate(input.date);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const safe = encodable(font);
  const width = PAGE.width - 2 * MARGIN;

  let page = doc.addPage([PAGE.width, PAGE.height]);
  let y = PAGE.height - MARGIN;
  const newPageIfNeeded = () => {
    if (y < MARGIN + LEADING) {
      page = doc.addPage([PAGE.width, PAGE.height]);
      y = PAGE.height - MARGIN;
    }
  };
  const draw = (line: string, f: PDFFont, size: number, color = rgb(0, 0, 0)) => {
    newPageIfNeeded();
    if (line) page.drawText(line, { x: MARGIN, y, size, font: f, color });
    y -= size === SIZE ? LEADING : size + 6;
  };

  for (const l of wrap(safe(input.title), bold, 14, width)) draw(l, bold, 14);
  y -= 4;
  const grey = rgb(0.3, 0.3, 0.3);
  for (const l of wrap(safe(`Fra: ${input.from}`), font, SIZE, width)) draw(l, font, SIZE, grey);
  for (const l of wrap(safe(`Til: ${input.to}`), font, SIZE, width)) draw(l, font, SIZE, grey);
  draw(safe(`Dato: ${input.date.toISOString().slice(0, 10)}`), font, SIZE, grey);
  y -= LEADING;
  for (const l of wrap(safe(input.text), font, SIZE, width)) draw(l, font, SIZE);
  return Buffer.from(await doc.save());
}
