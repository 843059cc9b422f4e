// Pure rendering of the Adaptive Card (1.4) that announces a letter in a Teams channel: subject,
// sender and recipient with CVR, dates, the reply deadline highlighted, the letter's actions, and
// links to the documents uploaded into the channel's files. Danish labels, CPR numbers masked.
//
// Text from the letter never goes into a TextBlock or FactSet (both render markdown, so "**", "_"
// or "[x](url)" in a subject would format or link): it goes into RichTextBlock TextRuns, which
// Teams shows as plain text. Links are TextRun selectActions and Action.OpenUrl with http(s) URLs
// only. The whole message stays under Teams' 28 KB: long texts are cut, and if it is still too
// big, fewer documents are listed (the folder link shows them all).
import { maskCpr } from '../../../../shared/src/identifiers';
import type { LetterAction, LetterForMail } from '../render';

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
/** Teams refuses a message (card included) over about 28 KB. */
export const TEAMS_MESSAGE_MAX_BYTES = 28 * 1024;

export type CardElement = Record<string, unknown> & { type: string };
export interface AdaptiveCard {
  $schema: string;
  type: 'AdaptiveCard';
  version: '1.4';
  msteams?: { width: 'Full' };
  body: CardElement[];
  actions?: CardElement[];
}
/** What a Workflows webhook takes. */
export interface TeamsWebhookMessage {
  type: 'message';
  attachments: { contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE; contentUrl: null; content: AdaptiveCard }[];
}

export interface CardFile { name: string; webUrl: string }
export interface TeamsCardOptions {
  /** The folder holding the files (the channel's files folder or its subfolder). */
  folderUrl?: string;
  /** Where the letter opens in Brevdue. */
  letterUrl?: string;
}

const PROVIDERS: Record<string, string> = { ngdp: 'Digital Post', eboks: 'e-Boks', mitdk: 'mit.dk' };
const MAX_URL = 2048;

export function teamsMessage(card: AdaptiveCard): TeamsWebhookMessage {
  return { type: 'message', attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content: card }] };
}

/** UTF-8 bytes of the message a webhook receives for this card. */
export function messageBytes(card: AdaptiveCard): number {
  return Buffer.byteLength(JSON.stringify(teamsMessage(card)), 'utf8');
}

interface Budget { title: number; note: number; value: number; files: number; actions: number; letterActions: number }
const BUDGETS: Budget[] = [
  { title: 250, note: 1000, value: 200, files: 30, actions: 3, letterActions: 10 },
  { title: 200, note: 300, value: 120, files: 10, actions: 3, letterActions: 5 },
  { title: 150, note: 0, value: 80, files: 3, actions: 2, letterActions: 2 },
  { title: 120, note: 0, value: 60, files: 0, actions: 1, letterActions: 0 },
];

export function renderTeamsCard(letter: LetterForMail, files: CardFile[], opts: TeamsCardOptions = {}): AdaptiveCard {
  for (const b of BUDGETS) {
    const card = build(letter, files, opts, b);
    if (messageBytes(card) <= TEAMS_MESSAGE_MAX_BYTES) return card;
  }
  throw new Error('The Teams card stays over 28 KB even in its shortest form (are the document links unusually long?).');
}

function build(l: LetterForMail, files: CardFile[], opts: TeamsCardOptions, b: Budget): AdaptiveCard {
  const body: CardElement[] = [];
  const channel = PROVIDERS[l.provider] ?? l.provider;
  body.push({ type: 'TextBlock', text: `${channel} · nyt brev`, size: 'Small', isSubtle: true, wrap: true, spacing: 'None' });
  body.push(rich([run(clip(plain(l.label), b.title) || '(uden titel)', { size: 'Large', weight: 'Bolder' })]));

  if (l.replyBy) {
    body.push({
      type: 'Container', style: 'attention', spacing: 'Small',
      items: [rich([run('Svarfrist: ', { weight: 'Bolder', color: 'Attention' }), run(formatDeadline(l.replyBy), { weight: 'Bolder', color: 'Attention' })])],
    });
  }
  if (l.notification && b.note > 0) body.push({ ...rich([run(clip(plain(l.notification), b.note))]), spacing: 'Small' });

  const rows: [string, string][] = [
    ['Afsender', `${plain(l.senderName)} (${/^\d{8}$/.test(l.senderId) ? 'CVR ' : ''}${plain(l.senderId)})`],
    ['Modtager', `${plain(l.cvrName)} (CVR ${plain(l.cvr)})`],
  ];
  if (l.attentionPerson) rows.push(['Att.', plain(l.attentionPerson)]);
  if (l.caseIds?.length) rows.push(['Sagsnr.', plain(l.caseIds.join(', '))]);
  rows.push(['Afsendt', formatDa(l.memoCreatedAt)], ['Modtaget', formatDa(l.receivedAt)]);
  if (l.replyAllowed && !l.replyBy) rows.push(['Svar', 'Svar muligt, ingen frist']);
  body.push({ type: 'Container', spacing: 'Medium', items: rows.map(([k, v]) => factRow(k, clip(v, b.value))) });

  const letterActions = (l.actions ?? []).slice(0, b.letterActions);
  if (letterActions.length) {
    body.push({ type: 'TextBlock', text: 'Handlinger', weight: 'Bolder', spacing: 'Medium', wrap: true });
    for (const a of letterActions) body.push(actionLine(a, b.value));
  }

  body.push({ type: 'TextBlock', text: files.length === 1 ? 'Dokument' : `Dokumenter (${files.length})`, weight: 'Bolder', spacing: 'Medium', wrap: true });
  const shown = files.slice(0, b.files);
  for (const f of shown) {
    const url = httpUrl(f.webUrl);
    body.push(rich([run(clip(plain(f.name), b.value), url ? { color: 'Accent', selectAction: openUrl(url) } : {})]));
  }
  if (files.length > shown.length) {
    body.push(rich([run(shown.length ? `… og ${files.length - shown.length} til i kanalens filer` : 'Dokumenterne ligger i kanalens filer', { isSubtle: true })]));
  }
  body.push({ type: 'TextBlock', text: 'Leveret af Brevdue', size: 'Small', isSubtle: true, spacing: 'Medium', wrap: true });

  const actions: CardElement[] = [];
  const first = httpUrl(files[0]?.webUrl);
  if (first) actions.push({ ...openUrl(first), title: files.length > 1 ? 'Åbn brevet' : 'Åbn dokumentet' });
  const folder = httpUrl(opts.folderUrl);
  if (folder && files.length > 1) actions.push({ ...openUrl(folder), title: 'Åbn mappen' });
  const letterUrl = httpUrl(opts.letterUrl);
  if (letterUrl) actions.push({ ...openUrl(letterUrl), title: 'Vis i Brevdue' });

  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard', version: '1.4', msteams: { width: 'Full' },
    body,
    ...(actions.length ? { actions: actions.slice(0, Math.max(1, b.actions)) } : {}),
  };
}

function factRow(label: string, value: string): CardElement {
  return {
    type: 'ColumnSet', spacing: 'None',
    columns: [
      { type: 'Column', width: '90px', items: [{ type: 'TextBlock', text: label, weight: 'Bolder', wrap: true }] },
      { type: 'Column', width: 'stretch', items: [rich([run(value)])] },
    ],
  };
}

function actionLine(a: LetterAction, max: number): CardElement {
  const label = clip(plain(a.label || a.actionCode), max);
  const when = a.startDateTime ? ` (${formatDa(new Date(a.startDateTime))}${a.endDateTime ? ` – ${formatDa(new Date(a.endDateTime))}` : ''})` : '';
  const url = httpUrl(a.url);
  return rich([run(label, url ? { color: 'Accent', selectAction: openUrl(url) } : {}), ...(when ? [run(when, { isSubtle: true })] : [])]);
}

const rich = (inlines: CardElement[]): CardElement => ({ type: 'RichTextBlock', inlines });
const run = (text: string, extra: Record<string, unknown> = {}): CardElement => ({ type: 'TextRun', text, ...extra });
const openUrl = (url: string): CardElement => ({ type: 'Action.OpenUrl', url });

/** Text from the letter as plain text: CPR numbers masked, control characters (other than line breaks) gone. */
function plain(s: string): string {
  // eslint-disable-next-line no-control-regex
  return maskCpr(s).replace(/\r\n?/g, '\n').replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, ' ').trim();
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

function httpUrl(u: string | undefined): string | null {
  if (!u || u.length > MAX_URL) return null;
  try {
    const p = new URL(u);
    return p.protocol === 'https:' || p.protocol === 'http:' ? p.toString() : null;
  } catch { return null; }
}

function formatDa(d: Date): string {
  return d.toLocaleDateString('da-DK', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'Europe/Copenhagen' });
}

/** The date, and the time when the deadline is not at midnight (Danish time). */
function formatDeadline(d: Date): string {
  const time = d.toLocaleTimeString('da-DK', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Copenhagen' });
  return /^00[.:]00$/.test(time) ? formatDa(d) : `${formatDa(d)} kl. ${time.replace(':', '.')}`;
}
