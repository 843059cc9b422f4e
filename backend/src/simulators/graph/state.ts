// In-memory Exchange: mailboxes with folders (the well-known ones first) and messages. Everything is
// per simulator instance.
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { GraphHttpError, badRequest, itemNotFound, malformedId } from './errors';
import { exchangeId, isWellFormedId, newGuid } from './ids';

export const WELL_KNOWN_FOLDERS: { name: string; displayName: string; top: boolean }[] = [
  { name: 'msgfolderroot', displayName: 'Top of Information Store', top: false },
  { name: 'inbox', displayName: 'Inbox', top: true },
  { name: 'drafts', displayName: 'Drafts', top: true },
  { name: 'sentitems', displayName: 'Sent Items', top: true },
  { name: 'deleteditems', displayName: 'Deleted Items', top: true },
  { name: 'archive', displayName: 'Archive', top: true },
];

export interface FolderRec { id: string; displayName: string; parentFolderId: string; wellKnownName?: string; isHidden: boolean; seq: number }
export interface ExtProp { id: string; value: string }
export interface AttachmentRec { id: string; name: string; contentType: string; size: number; isInline: boolean; contentId: string | null; lastModifiedDateTime: string; contentBytes: string }
export interface MessageRec {
  id: string;
  folderId: string;
  /** The stored message as Graph returns it by default (no attachments, no extended properties). */
  data: MicrosoftGraph.Message;
  extProps: ExtProp[];
  attachments: AttachmentRec[];
  seq: number;
}

export interface MailboxRec {
  id: string;
  userPrincipalName: string;
  displayName: string;
  kind: 'shared' | 'user';
  folders: Map<string, FolderRec>;
  messages: Map<string, MessageRec>;
  rootId: string;
}

export interface AddMailboxInput { id?: string; userPrincipalName?: string; displayName: string; kind?: 'shared' | 'user' }

/** A mail folder's displayName as Exchange accepts it; Graph's 400 otherwise. */
export function validFolderName(displayName: unknown): string {
  if (typeof displayName !== 'string' || displayName.trim() === '') {
    throw badRequest('The folder name cannot be empty.', 'ErrorInvalidRequest');
  }
  if (displayName.length > 255) throw badRequest('The folder name is longer than 255 characters.', 'ErrorInvalidRequest');
  return displayName;
}

export class GraphState {
  private boxes = new Map<string, MailboxRec>();
  private seqCounter = 0;
  private nextSeq = () => ++this.seqCounter;

  addMailbox(input: AddMailboxInput): MailboxRec {
    // `id` may be given as the address (as a caller often knows only that): then it is the UPN.
    const idIsAddress = input.id?.includes('@');
    const upn = input.userPrincipalName ?? (idIsAddress ? input.id : undefined);
    if (!upn || !/^[^@\s]+@[^@\s]+$/.test(upn)) throw new Error('addMailbox needs a userPrincipalName (an address such as post@contoso.dk).');
    const id = (idIsAddress ? undefined : input.id) ?? newGuid();
    if (this.find(upn) || this.find(id)) throw new Error(`Mailbox ${upn} exists already.`);
    const mb: MailboxRec = { id, userPrincipalName: upn, displayName: input.displayName, kind: input.kind ?? 'shared', folders: new Map(), messages: new Map(), rootId: '' };
    const root: FolderRec = { id: exchangeId('folder'), displayName: 'Top of Information Store', parentFolderId: exchangeId('folder'), wellKnownName: 'msgfolderroot', isHidden: false, seq: this.nextSeq() };
    mb.rootId = root.id;
    mb.folders.set(root.id, root);
    for (const w of WELL_KNOWN_FOLDERS.filter((x) => x.top)) {
      const f: FolderRec = { id: exchangeId('folder'), displayName: w.displayName, parentFolderId: root.id, wellKnownName: w.name, isHidden: false, seq: this.nextSeq() };
      mb.folders.set(f.id, f);
    }
    this.boxes.set(id, mb);
    return mb;
  }

  /** By id or user principal name, case-insensitively. */
  find(u: string): MailboxRec | undefined {
    const k = u.toLowerCase();
    for (const mb of this.boxes.values()) {
      if (mb.id.toLowerCase() === k || mb.userPrincipalName.toLowerCase() === k) return mb;
    }
    return undefined;
  }

  all(): MailboxRec[] { return [...this.boxes.values()]; }

  clear(): void { this.boxes.clear(); }

  /** A folder by id or well-known name; Graph's 400/404 when there is none. */
  folder(mb: MailboxRec, idOrName: string): FolderRec {
    const lower = idOrName.toLowerCase();
    for (const f of mb.folders.values()) {
      if (f.id === idOrName || f.wellKnownName === lower) return f;
    }
    if (!isWellFormedId(idOrName)) throw malformedId();
    throw itemNotFound();
  }

  children(mb: MailboxRec, parentId: string): FolderRec[] {
    return [...mb.folders.values()].filter((f) => f.parentFolderId === parentId).sort((a, b) => a.seq - b.seq);
  }

  createFolder(mb: MailboxRec, parent: FolderRec, name: unknown, isHidden = false): FolderRec {
    const displayName = validFolderName(name);
    const exists = this.children(mb, parent.id).some((f) => f.displayName.toLowerCase() === displayName.toLowerCase());
    if (exists) throw new GraphHttpError(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
    const f: FolderRec = { id: exchangeId('folder'), displayName, parentFolderId: parent.id, isHidden, seq: this.nextSeq() };
    mb.folders.set(f.id, f);
    return f;
  }

  /**
   * DELETE of a folder as Exchange does it: the folder, with what it holds, moves under Deleted Items
   * (its id stays valid, so mail can still be created in it). `permanent` (POST .../permanentDelete)
   * removes it, its subfolders and their messages: their ids are 404 from then on. Well-known folders
   * cannot be deleted.
   */
  deleteFolder(mb: MailboxRec, folder: FolderRec, permanent: boolean): void {
    if (folder.wellKnownName) throw badRequest('Distinguished folders cannot be deleted.', 'ErrorDeleteDistinguishedFolder');
    const deleted = this.folder(mb, 'deleteditems').id;
    // Deleting what is already in Deleted Items removes it, as for messages.
    if (!permanent && folder.parentFolderId !== deleted) {
      folder.parentFolderId = deleted;
      return;
    }
    const gone = new Set<string>([folder.id]);
    for (let grew = true; grew;) {
      grew = false;
      for (const f of mb.folders.values()) if (!gone.has(f.id) && gone.has(f.parentFolderId)) { gone.add(f.id); grew = true; }
    }
    for (const id of gone) mb.folders.delete(id);
    for (const m of [...mb.messages.values()]) if (gone.has(m.folderId)) mb.messages.delete(m.id);
  }

  /** "Inbox/Digital Post/Acme": display names from below the root. */
  folderPath(mb: MailboxRec, folderId: string): string {
    const names: string[] = [];
    let f = mb.folders.get(folderId);
    while (f && f.id !== mb.rootId) { names.unshift(f.displayName); f = mb.folders.get(f.parentFolderId); }
    return names.join('/');
  }

  message(mb: MailboxRec, id: string): MessageRec {
    const m = mb.messages.get(id);
    if (m) return m;
    if (!isWellFormedId(id)) throw malformedId();
    throw itemNotFound();
  }

  addMessage(mb: MailboxRec, rec: Omit<MessageRec, 'seq'>): MessageRec {
    const m = { ...rec, seq: this.nextSeq() };
    mb.messages.set(m.id, m);
    return m;
  }

  removeMessage(mb: MailboxRec, id: string): void { mb.messages.delete(id); }

  messagesIn(mb: MailboxRec, folderId?: string): MessageRec[] {
    return [...mb.messages.values()].filter((m) => !folderId || m.folderId === folderId).sort((a, b) => a.seq - b.seq);
  }
}
