// e-Boks mailbox connector over the e-Boks mobile XML API (the API the e-Boks app and every public
// e-Boks client use; e-Boks documents no business API). Calls, relative to the base URL
// https://rest.e-boks.dk/mobile/1/xml.svc/en-gb and made on the session of session.ts:
//
//   GET {userId}/{mailboxId}/mail/folders                                  folders (FolderInfo id name unread)
//   GET {userId}/{mailboxId}/mail/folder/{folderId}?skip=&take=            one page of a folder (Messages/MessageInfo)
//   GET {userId}/{mailboxId}/mail/folder/{folderId}/message/{id}           a message (Sender, Attachements/AttachmentInfo)
//   GET {userId}/{mailboxId}/mail/folder/{folderId}/message/{id}/content   the letter's file; an attachment's file
//                                                                          is fetched the same way with its own id
//   PUT {userId}/{mailboxId}/mail/folder/{folderId}/message/{id}           acknowledge: <MessageInfo folderId="{archive}" unread="false"/>
//
// "Waiting" means: in the inbox folder. Acknowledging (COMPLETED or INVALID) moves the message to the
// archive folder and marks it read, so people still find every letter in e-Boks, and the next poll
// does not see it again. The move is the one call no public client shows; see docs/CONNECTORS.md.
import { ProviderError, type Acknowledgement, type MailboxConnector } from '../connector';
import { eboksToRaw, type EboksMessage } from './convert';
import { EBOKS_XML_NS, EboksSession, readXml, statusError, type EboksCredentials, type RawAnswer } from './session';

export const EBOKS_DEFAULT_BASE_URL = 'https://rest.e-boks.dk/mobile/1/xml.svc/en-gb';

export interface EboksClientOptions {
  baseUrl: string;
  /** The company (mailbox) this connector fetches for. */
  cvr: string;
  credentials: EboksCredentials;
  /** e-Boks mailbox number in the path; 0 is the user's own e-Boks (private senders). */
  mailboxId?: string;
  /** Folder names, matched without regard to case. */
  inboxFolder?: string;
  archiveFolder?: string;
  pageSize?: number;
  timeoutMs?: number;
  dispatcher?: unknown;
  now?: () => Date;
}

export interface EboksFolder { id: string; name: string; unread: number }

/** One entry of a folder page (MessageInfo). */
export interface EboksMessageInfo { id: string; name: string; receivedDateTime: string; unread: boolean; sender: string }

const arr = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function senderOf(s: unknown): { name: string; id?: string } {
  if (s && typeof s === 'object') {
    const o = s as Record<string, unknown>;
    return { name: String(o['#text'] ?? ''), ...(o['@_id'] !== undefined ? { id: String(o['@_id']) } : {}) };
  }
  return { name: s === undefined ? '' : String(s) };
}

export function createEboksClient(o: EboksClientOptions) {
  const session = new EboksSession({ baseUrl: o.baseUrl, credentials: o.credentials, timeoutMs: o.timeoutMs, dispatcher: o.dispatcher, now: o.now });
  const mailboxId = o.mailboxId ?? '0';
  const take = o.pageSize ?? 50;
  const inboxName = o.inboxFolder ?? 'Indbakke';
  const archiveName = o.archiveFolder ?? 'Arkiv';
  let folderIds: { inbox: string; archive: string } | null = null;

  const userPath = async (rest: string) => `/${encodeURIComponent((await session.user()).userId)}/${encodeURIComponent(mailboxId)}${rest}`;

  async function get(rest: string, query?: Record<string, string>): Promise<RawAnswer> {
    const path = await userPath(rest);
    const a = await session.send('GET', path, { query });
    if (a.status !== 200) throw statusError(a, 'GET', path);
    return a;
  }

  async function folders(): Promise<EboksFolder[]> {
    const xml = readXml((await get('/mail/folders')).body, 'a folder list');
    const root = Object.values(xml).find((v) => v && typeof v === 'object' && 'FolderInfo' in (v as object)) as Record<string, unknown> | undefined;
    return arr(root?.FolderInfo as Record<string, string>[] | undefined).map((f) => ({
      id: String(f['@_id']), name: String(f['@_name'] ?? ''), unread: Number(f['@_unread'] ?? 0),
    }));
  }

  async function resolveFolders(): Promise<{ inbox: string; archive: string }> {
    if (folderIds) return folderIds;
    const all = await folders();
    const find = (name: string) => all.find((f) => f.name.trim().toLowerCase() === name.trim().toLowerCase());
    const inbox = find(inboxName);
    const archive = find(archiveName);
    const names = all.map((f) => `"${f.name}"`).join(', ') || 'none';
    if (!inbox) throw new ProviderError('not_set_up_at_provider', `The e-Boks of CVR ${o.cvr} has no folder named "${inboxName}" (folders: ${names}); set inboxFolder to the inbox's name.`, false);
    if (!archive) {
      throw new ProviderError('not_set_up_at_provider', `The e-Boks of CVR ${o.cvr} has no folder named "${archiveName}" (folders: ${names}); `
        + 'create it in e-Boks or set archiveFolder: fetched letters are moved there.', false);
    }
    folderIds = { inbox: inbox.id, archive: archive.id };
    return folderIds;
  }

  async function page(skip: number): Promise<EboksMessageInfo[]> {
    const { inbox } = await resolveFolders();
    const xml = readXml((await get(`/mail/folder/${encodeURIComponent(inbox)}`, { skip: String(skip), take: String(take) })).body, 'a message list');
    const folder = xml.FolderInfo ?? Object.values(xml).find((v) => v && typeof v === 'object' && 'Messages' in (v as object));
    if (!folder || typeof folder !== 'object') throw new ProviderError('provider_answer_unreadable', 'e-Boks sent a message list without a folder element; will try again.', true);
    const infos = arr((folder as Record<string, any>).Messages?.MessageInfo as Record<string, unknown>[] | undefined);
    return infos.map((m) => ({
      id: String(m['@_id']),
      name: String(m['@_name'] ?? ''),
      receivedDateTime: String(m['@_receivedDateTime'] ?? ''),
      unread: String(m['@_unread'] ?? 'false').toLowerCase() === 'true',
      sender: senderOf(m.Sender).name,
    }));
  }

  async function message(id: string): Promise<EboksMessage> {
    const { inbox } = await resolveFolders();
    const xml = readXml((await get(`/mail/folder/${encodeURIComponent(inbox)}/message/${encodeURIComponent(id)}`)).body, `message ${id}`);
    const m = xml.Message as Record<string, any> | undefined;
    if (!m?.['@_id']) throw new ProviderError('provider_answer_unreadable', `e-Boks sent message ${id} without its Message element; will try again.`, true);
    const attachments = arr(m.Attachements?.AttachmentInfo as Record<string, unknown>[] | undefined).map((a) => ({
      id: String(a['@_id']), name: String(a['@_name'] ?? ''), format: String(a['@_format'] ?? ''),
    }));
    return {
      id: String(m['@_id']),
      name: String(m['@_name'] ?? ''),
      folderId: m['@_folderId'] !== undefined ? String(m['@_folderId']) : undefined,
      receivedDateTime: String(m['@_receivedDateTime'] ?? ''),
      format: String(m['@_format'] ?? ''),
      sender: senderOf(m.Sender),
      attachments,
    };
  }

  /** A document's bytes; undefined when e-Boks has none for it (404). */
  async function content(documentId: string): Promise<Buffer | undefined> {
    const { inbox } = await resolveFolders();
    const path = await userPath(`/mail/folder/${encodeURIComponent(inbox)}/message/${encodeURIComponent(documentId)}/content`);
    const a = await session.send('GET', path, { uncompressed: true });
    if (a.status === 404) return undefined;
    if (a.status !== 200) throw statusError(a, 'GET', path);
    return a.body;
  }

  const connector: MailboxConnector = {
    async *listWaiting() {
      // Acknowledged letters leave the inbox, so the inbox is read from the top again after each
      // page; letters seen earlier in this run (still there because they could not be moved yet)
      // are skipped over. e-Boks lists newest first: each page is handed over oldest first.
      const seen = new Set<string>();
      let skip = 0;
      for (let guard = 0; guard < 10_000; guard++) {
        const infos = await page(skip);
        const fresh = infos.filter((m) => !seen.has(m.id))
          .sort((a, b) => a.receivedDateTime.localeCompare(b.receivedDateTime));
        for (const m of fresh) seen.add(m.id);
        if (fresh.length > 0) yield fresh.map((m) => m.id);
        if (infos.length < take) return;
        skip += infos.length - fresh.length;
      }
    },

    async fetchRaw(id) {
      const user = await session.user();
      const m = await message(id);
      const files = new Map<string, Buffer>();
      // A message without a format has no letter file (the conversion then quarantines it). A
      // document e-Boks lists but cannot deliver is an error for now, never a letter stored without it.
      const documents = [...(m.format ? [{ id: m.id, name: m.name }] : []), ...m.attachments];
      for (const d of documents) {
        const bytes = await content(d.id);
        if (!bytes) throw new ProviderError('letter_failed', `e-Boks lists document ${d.id} ("${d.name}") of message ${id} but has no content for it; will try again.`, true, 404);
        files.set(d.id, bytes);
      }
      return eboksToRaw(o.cvr, user.name || undefined, m, files);
    },

    async acknowledge(id, _ack: Acknowledgement) {
      // e-Boks has no business receipt: COMPLETED and INVALID both take the letter out of the inbox
      // (INVALID letters are kept, with the reason, in Brevdue's quarantine).
      const { inbox, archive } = await resolveFolders();
      const path = await userPath(`/mail/folder/${encodeURIComponent(inbox)}/message/${encodeURIComponent(id)}`);
      const body = `<?xml version="1.0" encoding="utf-8"?><MessageInfo xmlns="${EBOKS_XML_NS}" folderId="${archive}" unread="false"/>`;
      const a = await session.send('PUT', path, { body, contentType: 'application/xml' });
      // 404: already moved by an overlapping poll that stored the same letter.
      if (a.status === 404) return;
      if (a.status !== 200 && a.status !== 204) throw statusError(a, 'PUT', path);
    },
  };

  return { connector, session, folders, page, message };
}
