// Pure rendering of a letter into the Graph message an employee finds in Outlook: a received,
// non-draft mail with a summary body and the documents attached. CPR numbers are masked and every
// value from the letter is HTML-escaped.
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { maskCpr } from '../../../shared/src/identifiers';
import { safeFilename } from '../util/filename';

/** Named property holding our delivery id; found again with $filter after an uncertain outcome. */
export const DELIVERY_ID_PROPERTY = 'String {0b7f7a52-2cf4-4e4c-9d5a-6f0d2b1e8a11} Name brevdueDeliveryId';
/** Which variant of the mail carries the id (see mail-delivery.ts): a retry must find the right one. */
export const DELIVERY_VARIANT_PROPERTY = 'String {0b7f7a52-2cf4-4e4c-9d5a-6f0d2b1e8a11} Name brevdueDeliveryVariant';
// PR_MESSAGE_FLAGS for a received, unread mail: MSGFLAG_UNSENT (0x8) clear, so Outlook shows no draft.
const MESSAGE_FLAGS_RECEIVED_UNREAD = 0;

export interface LetterAction { label: string; actionCode: string; url?: string; startDateTime?: string; endDateTime?: string }

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
  actions?: LetterAction[];
  attentionPerson?: string;
  caseIds?: string[];
}

export interface AttachmentInput { filename: string; mimeType: string; content: Buffer }

export interface RenderOptions {
  /** Subject template; placeholders {label} {sender} {cvr} {cvrName} {replyBy}. */
  subjectTemplate?: string;
  /** Categories before the sender's name (default "Digital Post"). */
  categories?: string[];
  /** Documents too large to go inline: attached right after creation through upload sessions. */
  followingAttachments?: { filename: string; size: number }[];
  /** Documents Graph would not take on this mail (fallback): named in the body with where to get them. */
  brevdueOnly?: { filename: string; size: number }[];
  /** Where the letter opens in Brevdue (task pane page), for the fallback text. */
  letterUrl?: string;
  /** Which delivery variant this is (inline | session | link). */
  variant?: string;
}

export function renderMail(letter: LetterForMail, attachments: AttachmentInput[], deliveryId: string, opts: RenderOptions = {}): MicrosoftGraph.Message {
  const received = letter.receivedAt.toISOString();
  const message: MicrosoftGraph.Message = {
    subject: renderSubject(opts.subjectTemplate ?? '{label}', letter),
    from: { emailAddress: { name: letter.senderName, address: 'digitalpost@brevdue.invalid' } },
    toRecipients: [{ emailAddress: { name: letter.cvrName, address: 'digitalpost@brevdue.invalid' } }],
    body: { contentType: 'html', content: renderBody(letter, opts) },
    isRead: false,
    importance: letter.replyBy ? 'high' : 'normal',
    categories: [...new Set([...(opts.categories ?? ['Digital Post']), letter.senderName].map((c) => c.slice(0, 255)))],
    singleValueExtendedProperties: [
      { id: 'Integer 0x0E07', value: String(MESSAGE_FLAGS_RECEIVED_UNREAD) },
      { id: 'SystemTime 0x0E06', value: received },
      { id: 'SystemTime 0x0039', value: letter.memoCreatedAt.toISOString() },
      { id: DELIVERY_ID_PROPERTY, value: deliveryId },
      ...(opts.variant ? [{ id: DELIVERY_VARIANT_PROPERTY, value: opts.variant }] : []),
    ],
    attachments: attachments.map((a) => ({
      '@odata.type': '#microsoft.graph.fileAttachment',
      name: safeFilename(a.filename),
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

/** Subject from the template; the result is CPR-masked and cut to Outlook's 255 characters. */
export function renderSubject(template: string, l: LetterForMail): string {
  const values: Record<string, string> = {
    label: l.label, sender: l.senderName, cvr: l.cvr, cvrName: l.cvrName,
    replyBy: l.replyBy ? formatDa(l.replyBy) : '',
  };
  const s = template.replace(/\{(label|sender|cvr|cvrName|replyBy)\}/g, (_, k: string) => values[k]).replace(/\s+/g, ' ').trim();
  return maskCpr(s || l.label).slice(0, 255);
}

export function renderBody(l: LetterForMail, opts: RenderOptions = {}): string {
  const row = (k: string, v: string) => `<tr><th style="text-align:left;vertical-align:top;padding:2px 12px 2px 0">${esc(k)}</th><td>${esc(v)}</td></tr>`;
  const rows = [
    row('Afsender', `${l.senderName} (${l.senderId.length === 8 ? 'CVR ' : ''}${l.senderId})`),
    row('Modtager', `${l.cvrName} (CVR ${l.cvr})`),
  ];
  if (l.attentionPerson) rows.push(row('Att.', maskCpr(l.attentionPerson)));
  if (l.caseIds?.length) rows.push(row('Sagsnr.', maskCpr(l.caseIds.join(', '))));
  rows.push(row('Afsendt', formatDa(l.memoCreatedAt)));
  rows.push(row('Modtaget', formatDa(l.receivedAt)));
  rows.push(row('Kanal', PROVIDER_NAMES[l.provider] ?? l.provider));
  if (l.replyAllowed || l.replyBy) rows.push(row('Svarfrist', l.replyBy ? formatDa(l.replyBy) : 'Svar muligt, ingen frist'));
  const deadline = l.replyBy
    ? `<p style="background:#fff4ce;padding:6px 8px;border-left:4px solid #c19c00"><strong>Frist: ${esc(formatDa(l.replyBy))}</strong></p>` : '';
  const note = l.notification ? `<p>${esc(maskCpr(l.notification))}</p>` : '';
  const actions = (l.actions ?? []).map((a) => {
    const when = a.startDateTime ? ` (${esc(formatDa(new Date(a.startDateTime)))}${a.endDateTime ? ` – ${esc(formatDa(new Date(a.endDateTime)))}` : ''})` : '';
    const label = esc(maskCpr(a.label || a.actionCode));
    return safeHttpUrl(a.url) ? `<li><a href="${esc(a.url!)}">${label}</a>${when}</li>` : `<li>${label}${when}</li>`;
  });
  const following = (opts.followingAttachments ?? []).map((d) => `<li>${esc(d.filename)} (${formatSize(d.size)})</li>`);
  const only = (opts.brevdueOnly ?? []).map((d) => `<li>${esc(d.filename)} (${formatSize(d.size)})</li>`);
  return `<html><body style="font-family:Segoe UI,Arial,sans-serif">`
    + `<h2 style="font-size:16px">${esc(maskCpr(l.label))}</h2>${deadline}${note}`
    + `<table>${rows.join('')}</table>`
    + (actions.length ? `<h3 style="font-size:14px">Handlinger</h3><ul>${actions.join('')}</ul>` : '')
    + (following.length ? `<p>Store dokumenter vedhæftes lige efter, når de er overført:</p><ul>${following.join('')}</ul>` : '')
    + (only.length ? `<p><strong>Disse dokumenter er for store til at blive vedhæftet her.</strong> Hent dem i Brevdue-panelet i Outlook`
      + (opts.letterUrl && safeHttpUrl(opts.letterUrl) ? ` (<a href="${esc(opts.letterUrl)}">åbn brevet</a>)` : '') + `:</p><ul>${only.join('')}</ul>` : '')
    + `<p style="color:#666;font-size:12px">Leveret af Brevdue.</p>`
    + `</body></html>`;
}

const PROVIDER_NAMES: Record<string, string> = { ngdp: 'Digital Post', eboks: 'e-Boks', mitdk: 'mit.dk' };

function safeHttpUrl(u: string | undefined): boolean {
  if (!u) return false;
  try { const p = new URL(u).protocol; return p === 'https:' || p === 'http:'; } catch { return false; }
}

export function formatSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / 1048576).toFixed(1).replace('.', ',')} MB`;
}

// One formatter for the process: toLocaleDateString builds a new one per call (3 % of delivery's CPU).
const DA_DATE = new Intl.DateTimeFormat('da-DK', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'Europe/Copenhagen' });
function formatDa(d: Date): string {
  return DA_DATE.format(d);
}

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]!));
}
