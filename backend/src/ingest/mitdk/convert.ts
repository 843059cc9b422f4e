// mit.dk message → MeMo, pure. mit.dk shows the viewer's JSON, not the MeMo behind it: a message has
// label (subject), sender {label, …}, receivedDateTime, read, version, and documents, each with files
// {id, filename, encodingFormat} whose bytes are downloaded one by one. Field names are those the
// public mit.dk clients read (Net::MitDK, digitalpost-utilities).
import { z } from 'zod';
import { isValidCvr, letterToMemo, letterToRaw, type Conversion, type ProviderLetter } from '../eboks/provider-letter';

export const mitdkFileSchema = z.object({
  id: z.string().min(1),
  filename: z.string().default(''),
  encodingFormat: z.string().default('application/octet-stream'),
}).passthrough();

export const mitdkDocumentSchema = z.object({
  id: z.string().min(1),
  label: z.string().optional(),
  files: z.array(mitdkFileSchema).default([]),
}).passthrough();

export const mitdkMessageSchema = z.object({
  id: z.string().min(1),
  mailboxId: z.string().min(1),
  dataSource: z.string().min(1),
  folderId: z.string().optional(),
  label: z.string().default(''),
  sender: z.object({
    id: z.string().optional(),
    idType: z.string().optional(),
    label: z.string().default(''),
  }).passthrough().default({ label: '' }),
  receivedDateTime: z.string(),
  read: z.boolean().optional(),
  version: z.union([z.number(), z.string()]).optional(),
  documents: z.array(mitdkDocumentSchema).default([]),
}).passthrough();

export type MitdkMessage = z.infer<typeof mitdkMessageSchema>;

/** The provider-neutral letter; `files` maps a mit.dk file id to its downloaded bytes. */
export function mitdkLetter(cvr: string, ownerName: string | undefined, providerMessageId: string, m: MitdkMessage, files: ReadonlyMap<string, Buffer>): ProviderLetter {
  const senderCvr = (!m.sender.idType || m.sender.idType.toUpperCase() === 'CVR') && isValidCvr(m.sender.id) ? m.sender.id : undefined;
  return {
    provider: 'mitdk',
    providerMessageId,
    recipientCvr: cvr,
    recipientName: ownerName,
    sender: { name: m.sender.label, cvr: senderCvr, providerId: m.sender.id },
    subject: m.label,
    receivedAt: m.receivedDateTime,
    documents: m.documents.map((d) => ({
      title: d.label ?? '',
      files: d.files.flatMap((f) => {
        const content = files.get(f.id);
        return content ? [{ filename: f.filename, mimeType: f.encodingFormat, content }] : [];
      }),
    })),
  };
}

export function mitdkToMemo(cvr: string, ownerName: string | undefined, providerMessageId: string, m: MitdkMessage, files: ReadonlyMap<string, Buffer>): Conversion {
  return letterToMemo(mitdkLetter(cvr, ownerName, providerMessageId, m, files));
}

/** What fetchRaw returns: MeMo XML, or the not-a-MeMo record that gets the letter quarantined. */
export function mitdkToRaw(cvr: string, ownerName: string | undefined, providerMessageId: string, m: MitdkMessage, files: ReadonlyMap<string, Buffer>): Buffer {
  return letterToRaw(mitdkLetter(cvr, ownerName, providerMessageId, m, files), { mitdk: m });
}
