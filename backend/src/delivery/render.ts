// Pure rendering of a letter into the Graph message an employee finds in Outlook: a received,
// non-draft mail with a summary body and the documents attached. CPR numbers are masked and every
// value from the letter is HTML-escaped.
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { maskCpr } from '../../../shared/src/identifiers';

/** Named property holding our delivery id; found again with $filter after an uncertain outcome. */
export const DELIVERY_ID_PROPERTY = 'String {0b7f7a52-2cf4-4e4c-9d5a-6f0d2b1e8a11} Name brevdueDeliveryId';
// PR_MESSAGE_FLAGS for a received, unread mail: MSGFLAG_UNSENT (0x8) clear, so Outlook shows no draft.
const MESSAGE_FLAGS_RECEIVED_UNREAD = 0;

export interface LetterForMail {
  label: string;
  senderId: string;
  senderName: string;
  cvr: string;
  cvrName: string;
  recipientId: string;
  notification: string | null;
  memoCreatedAt: Date;
  receivedAt: Date;
  replyAllowed: boolean;
  replyBy: Date | null;
  provider: string;
}

export interface AttachmentInput { filename: string; mimeType: string; content: Buffer }

export function renderMail(letter: LetterForMail, attachments: AttachmentInput[], deliveryId: string): MicrosoftGraph.Message {
  const received = letter.receivedAt.toISOString();
  const message: MicrosoftGraph.Message = {
    subject: maskCpr(letter.label),
    from: { emailAddress: { name: letter.senderName, address: 'digitalpost@brevdue.invalid' } },
    toRecipients: [{ emailAddress: { name: letter.cvrName, address: 'digitalpost@brevdue.invalid' } }],
    body: { contentType: 'html', content: renderBody(letter) },
    isRead: false,
    categories: ['Digital Post', letter.senderName.slice(0, 255)],
    singleValueExtendedProperties: [
      { id: 'Integer 0x0E07', value: String(MESSAGE_FLAGS_RECEIVED_UNREAD) },
      { id: 'SystemTime 0x0E06', value: received },
      { id: 'SystemTime 0x0039', value: letter.memoCreatedAt.toISOString() },
      { id: DELIVERY_ID_PROPERTY, value: deliveryId },
    ],
    attachments: attachments.map((a) => ({
      '@odata.type': '#microsoft.graph.fileAttachment',
      name: a.filename,
      contentType: a.mimeType,
      contentBytes: a.content.toString('base64'),
    }) as MicrosoftGraph.FileAttachment),
  };
  if (letter.replyBy) {
    message.flag = {
      flagStatus: 'flagged',
      startDateTime: { dateTime: received.slice(0, 19), timeZone: 'UTC' },
      dueDateTime: { dateTime: letter.replyBy.toISOString().slice(0, 19), timeZone: 'UTC' },
    };
  }
  return message;
}

export function renderBody(l: LetterForMail): string {
  const row = (k: string, v: string) => `<tr><th style="text-align:left;padding:2px 12px 2px 0">${esc(k)}</th><td>${esc(v)}</td></tr>`;
  const rows = [
    row('Afsender', `${l.senderName} (CVR ${l.senderId})`),
    row('Modtager', `${l.cvrName} (CVR ${l.cvr})`),
    row('Dato', formatDa(l.memoCreatedAt)),
    row('Kanal', l.provider === 'ngdp' ? 'Digital Post' : l.provider),
  ];
  if (l.replyAllowed) rows.push(row('Svarfrist', l.replyBy ? formatDa(l.replyBy) : 'Svar muligt'));
  const note = l.notification ? `<p>${esc(maskCpr(l.notification))}</p>` : '';
  return `<html><body style="font-family:Segoe UI,Arial,sans-serif">`
    + `<h2 style="font-size:16px">${esc(maskCpr(l.label))}</h2>${note}`
    + `<table>${rows.join('')}</table>`
    + `<p style="color:#666;font-size:12px">Leveret af Brevdue. Brevet er vedhæftet som dokument.</p>`
    + `</body></html>`;
}

function formatDa(d: Date): string {
  return d.toLocaleDateString('da-DK', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'Europe/Copenhagen' });
}

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]!));
}
