// e-Boks message → MeMo, pure. e-Boks hands out no MeMo: a message is metadata (MessageInfo /
// Message: id, name = subject, receivedDateTime in Danish local time, format = file type of the
// letter itself, Sender with its e-Boks id, Attachements/AttachmentInfo) plus one file per document,
// each downloaded from …/message/{id}/content. Names and the format → MIME type table follow
// Net::Eboks, the longest-lived public e-Boks client.
import { letterToMemo, letterToRaw, type Conversion, type ProviderDocument, type ProviderLetter } from './provider-letter';

export interface EboksAttachmentInfo { id: string; name: string; format: string }

/** The fields of an e-Boks Message element the conversion uses. */
export interface EboksMessage {
  id: string;
  name: string;
  folderId?: string;
  receivedDateTime: string;
  format: string;
  sender: { name: string; id?: string };
  attachments: EboksAttachmentInfo[];
}

/** e-Boks `format` (a file type such as "pdf", "PDF", "jpg", "html") → MIME type. */
export function eboksMimeType(format: string): string {
  const f = format.trim().toLowerCase();
  if (f === 'pdf') return 'application/pdf';
  if (f === 'jpg' || f === 'jpeg') return 'image/jpeg';
  if (['gif', 'tiff', 'png', 'webp'].includes(f)) return `image/${f}`;
  if (['txt', 'text', 'plain'].includes(f)) return 'text/plain';
  if (f === 'html' || f === 'htm') return 'text/html';
  if (f === 'xml') return 'application/xml';
  return f ? `application/${f.replace(/[^a-z0-9.+-]/g, '')}` : 'application/octet-stream';
}

/** "Årsopgørelse 2025" + "PDF" → "Årsopgørelse 2025.pdf" (characters no file system likes become _). */
export function eboksFilename(name: string, format: string): string {
  const base = (name.trim() || 'dokument').replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_');
  const ext = format.trim().toLowerCase().replace(/^plain$|^text$/, 'txt');
  if (!ext || base.toLowerCase().endsWith(`.${ext}`)) return base;
  return `${base}.${ext}`;
}

/**
 * The e-Boks message with its downloaded files as a provider-neutral letter. `files` maps a
 * document id (the message id for the letter itself, an AttachmentInfo id for each attachment) to
 * its bytes.
 */
export function eboksLetter(cvr: string, recipientName: string | undefined, m: EboksMessage, files: ReadonlyMap<string, Buffer>): ProviderLetter {
  const docs: ProviderDocument[] = [];
  const main = files.get(m.id);
  if (main) docs.push({ title: m.name, files: [{ filename: eboksFilename(m.name, m.format), mimeType: eboksMimeType(m.format), content: main }] });
  for (const a of m.attachments) {
    const bytes = files.get(a.id);
    if (bytes) docs.push({ title: a.name, files: [{ filename: eboksFilename(a.name, a.format), mimeType: eboksMimeType(a.format), content: bytes }] });
  }
  return {
    provider: 'eboks',
    providerMessageId: m.id,
    recipientCvr: cvr,
    recipientName,
    // e-Boks names senders by its own id; when that id is a CVR number the MeMo carries it.
    sender: { name: m.sender.name, cvr: m.sender.id, providerId: m.sender.id },
    subject: m.name,
    receivedAt: m.receivedDateTime,
    documents: docs,
  };
}

export function eboksToMemo(cvr: string, recipientName: string | undefined, m: EboksMessage, files: ReadonlyMap<string, Buffer>): Conversion {
  return letterToMemo(eboksLetter(cvr, recipientName, m, files));
}

/** What fetchRaw returns: MeMo XML, or the not-a-MeMo record that gets the letter quarantined. */
export function eboksToRaw(cvr: string, recipientName: string | undefined, m: EboksMessage, files: ReadonlyMap<string, Buffer>): Buffer {
  return letterToRaw(eboksLetter(cvr, recipientName, m, files), { eboks: m });
}
