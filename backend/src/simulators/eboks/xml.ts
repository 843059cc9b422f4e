// The e-Boks mobile API's XML payloads as the simulator writes them (namespace urn:eboks:mobile:1.0.0),
// in the shapes the public clients read: Session/User, FolderInfo, Messages/MessageInfo with a Sender
// child, Message with Attachements/AttachmentInfo (e-Boks' own spelling).
import type { SimFolder, SimMessage } from './state';

export const NS = 'urn:eboks:mobile:1.0.0';

export const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch]!);

const head = '<?xml version="1.0" encoding="utf-8"?>\n';

const copenhagen = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Copenhagen', hourCycle: 'h23',
  year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
});

/** e-Boks writes times as Danish local time without a zone: "2026-01-15T10:30:00". */
export function localDateTime(d: Date): string {
  const p = Object.fromEntries(copenhagen.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}

export function sessionXml(userId: string, name: string): string {
  return `${head}<Session xmlns="${NS}"><User userId="${esc(userId)}" name="${esc(name)}"/></Session>`;
}

export function foldersXml(folders: { folder: SimFolder; unread: number }[]): string {
  return `${head}<Folders xmlns="${NS}">${folders.map(({ folder, unread }) =>
    `<FolderInfo id="${esc(folder.id)}" name="${esc(folder.name)}" unread="${unread}"/>`).join('')}</Folders>`;
}

function infoAttrs(m: SimMessage): string {
  const main = m.documents[0];
  const size = m.documents.reduce((n, d) => n + d.content.length, 0);
  return `id="${esc(m.id)}" name="${esc(m.subject)}" folderId="${esc(m.folderId)}" receivedDateTime="${localDateTime(m.receivedAt)}" `
    + `unread="${m.unread}" format="${esc(main?.format ?? '')}" attachmentsCount="${Math.max(0, m.documents.length - 1)}" size="${size}"`;
}

const senderXml = (m: SimMessage) => `<Sender${m.sender.id ? ` id="${esc(m.sender.id)}"` : ''}>${esc(m.sender.name)}</Sender>`;

export function folderPageXml(folder: SimFolder, unread: number, page: SimMessage[]): string {
  return `${head}<FolderInfo xmlns="${NS}" id="${esc(folder.id)}" name="${esc(folder.name)}" unread="${unread}"><Messages>`
    + page.map((m) => `<MessageInfo ${infoAttrs(m)}>${senderXml(m)}</MessageInfo>`).join('')
    + '</Messages></FolderInfo>';
}

export function messageXml(m: SimMessage): string {
  const atts = m.documents.slice(1).map((d) =>
    `<AttachmentInfo id="${esc(d.id)}" name="${esc(d.name)}" format="${esc(d.format)}" size="${d.content.length}"/>`).join('');
  return `${head}<Message xmlns="${NS}" ${infoAttrs(m)}>${senderXml(m)}<Attachements>${atts}</Attachements></Message>`;
}

export function messageInfoXml(m: SimMessage): string {
  return `${head}<MessageInfo xmlns="${NS}" ${infoAttrs(m)}>${senderXml(m)}</MessageInfo>`;
}

export function errorXml(code: string, message: string): string {
  return `${head}<Error xmlns="${NS}" code="${esc(code)}">${esc(message)}</Error>`;
}
