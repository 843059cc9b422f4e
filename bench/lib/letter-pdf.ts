// The benchmarks' letter document: see letterPdf.
const LINES = [
  'Kære modtager', '', 'Skattestyrelsen har behandlet jeres indberetning for perioden og fundet, at der',
  'skal ske en regulering af den foreløbige opgørelse. Beløbet fremgår af bilaget til dette brev.',
  'I kan klage over afgørelsen inden fire uger fra modtagelsen. Vejledning om klage findes på skat.dk.',
  'Har I spørgsmål, er I velkomne til at kontakte os på telefon 72 22 18 18 med sagsnummer ved hånden.',
  '', 'Med venlig hilsen', 'Skattestyrelsen',
];

/**
 * A real one-page PDF (a Helvetica text page pdf.js reads as a letter's text) carrying `bulk` bytes of
 * incompressible data as an image the page does not draw: the size and entropy of a scanned enclosure,
 * the text cost of an ordinary letter. Built by hand so the cross-reference offsets are exact.
 */
export function letterPdf(bulk: Buffer): Buffer {
  const esc = (t: string) => t.replace(/[\\()]/g, (c) => `\\${c}`);
  const text = `BT /F1 11 Tf 14 TL 56 780 Td ${LINES.map((l) => `(${esc(l)}) '`).join(' ')} ET`;
  const content = Buffer.from(text, 'latin1');
  const objects: Buffer[] = [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'),
    Buffer.from('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'),
    Buffer.from('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> /XObject << /Im1 6 0 R >> >> /Contents 5 0 R >>'),
    Buffer.from('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>'),
    Buffer.concat([Buffer.from(`<< /Length ${content.length} >>\nstream\n`), content, Buffer.from('\nendstream')]),
    Buffer.concat([Buffer.from(`<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length ${bulk.length} >>\nstream\n`), bulk, Buffer.from('\nendstream')]),
  ];
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let at = parts[0].length;
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    const b = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), o, Buffer.from('\nendobj\n')]);
    offsets.push(at);
    parts.push(b);
    at += b.length;
  });
  const xref = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`
    + `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${at}\n%%EOF\n`;
  parts.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(parts);
}
