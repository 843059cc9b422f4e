// In-memory state of one mit.dk simulator instance: the people who may sign in (their refresh
// tokens and the companies they see), issued tokens, each company's two mailboxes (DP_PRIVATE,
// DP_PUBLIC) with their folders, the messages, and the faults.
import { randomBytes, randomUUID } from 'node:crypto';
import { DATA_SOURCES, mitdkInjectSchema, type MitdkFaults, type MitdkInjectInput } from './schemas';

export type DataSource = (typeof DATA_SOURCES)[number];

export interface MitdkUser {
  dppRefreshToken: string;
  ngdpRefreshToken: string;
  /** Companies whose Digital Post this person sees on mit.dk. */
  cvrs: string[];
  name?: string;
}

export const FOLDER_KINDS = ['INBOX', 'ARCHIVE', 'TRASH'] as const;
export type FolderKind = (typeof FOLDER_KINDS)[number];

export interface SimMailbox {
  id: string;
  dataSource: DataSource;
  cvr: string;
  ownerName: string;
  folders: Record<FolderKind, string>;
}

export interface SimFile { id: string; filename: string; encodingFormat: string; content: Buffer }
export interface SimDocument { id: string; label: string; files: SimFile[] }
export interface SimMessage {
  id: string;
  cvr: string;
  mailbox: SimMailbox;
  folderId: string;
  label: string;
  sender: { label: string; id?: string; idType?: string };
  receivedAt: Date;
  read: boolean;
  version: number;
  documents: SimDocument[];
  fetched: number;
  deleted: boolean;
}

export interface MessageSummary { id: string; dataSource: DataSource; folder: FolderKind | string; label: string; sender: string; receivedAt: string; read: boolean; version: number; fetched: number }

interface Principal { user: MitdkUser | 'demo'; pair: string }
interface Issued extends Principal { kind: 'dpp' | 'ngdp'; expiresAt: number; revoked: boolean }

export class MitdkSimError extends Error {
  constructor(public readonly status: number, public readonly code: string, message: string) { super(message); }
}

const CVR_RE = /^\d{8}$/;
const MIME: Record<string, string> = { pdf: 'application/pdf', html: 'text/html', htm: 'text/html', txt: 'text/plain', xml: 'text/xml', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg' };

export class MitdkState {
  faults: MitdkFaults = {};
  private boxes = new Map<string, Record<DataSource, SimMailbox>>(); // by CVR
  private messages = new Map<string, SimMessage>();
  private access = new Map<string, Issued>();
  private refresh = new Map<string, Issued>();
  private refreshCount = 0;
  private names = new Map<string, string>();

  constructor(private readonly users: MitdkUser[] | undefined, private readonly demo: { dppRefreshToken: string; ngdpRefreshToken: string },
    private readonly defaultAccessTtlMs: number, private readonly refreshTtlMs: number) {
    for (const u of users ?? []) for (const cvr of u.cvrs) this.mailboxes(cvr);
  }

  // -- messages --------------------------------------------------------------------------------

  inject(cvr: string, input: MitdkInjectInput): { id: string } {
    if (!CVR_RE.test(cvr)) throw new MitdkSimError(400, 'BAD_REQUEST', `"${cvr}" is not a CVR number (8 digits).`);
    const v = mitdkInjectSchema.parse(input);
    const box = this.mailboxes(cvr)[v.dataSource ?? 'DP_PRIVATE'];
    const id = randomUUID();
    this.messages.set(id, {
      id, cvr, mailbox: box, folderId: box.folders.INBOX, label: v.subject,
      sender: { label: v.sender.name, ...(v.sender.id ? { id: v.sender.id } : {}), ...(v.sender.idType ? { idType: v.sender.idType } : {}) },
      receivedAt: v.receivedAt ? new Date(v.receivedAt) : new Date(), read: v.read ?? false, version: 1,
      documents: v.documents.map((d) => {
        const ext = d.filename.includes('.') ? d.filename.slice(d.filename.lastIndexOf('.') + 1).toLowerCase() : '';
        return {
          id: randomUUID(), label: d.title ?? d.filename.replace(/\.[^.]*$/, ''),
          files: [{ id: randomUUID(), filename: d.filename, encodingFormat: d.mimeType ?? MIME[ext] ?? 'application/octet-stream', content: Buffer.from(d.content, 'base64') }],
        };
      }),
      fetched: 0, deleted: false,
    });
    return { id };
  }

  /** A company's two mailboxes, created on first use. */
  mailboxes(cvr: string): Record<DataSource, SimMailbox> {
    let b = this.boxes.get(cvr);
    if (!b) {
      const ownerName = this.names.get(cvr) ?? this.users?.find((u) => u.cvrs.includes(cvr))?.name ?? `Virksomhed ${cvr}`;
      const make = (dataSource: DataSource): SimMailbox => ({
        id: randomUUID(), dataSource, cvr, ownerName,
        folders: { INBOX: randomUUID(), ARCHIVE: randomUUID(), TRASH: randomUUID() },
      });
      b = { DP_PRIVATE: make('DP_PRIVATE'), DP_PUBLIC: make('DP_PUBLIC') };
      this.boxes.set(cvr, b);
    }
    return b;
  }

  /** A company whose two mailboxes exist, empty (as on mit.dk before its first letter). */
  addCompany(cvr: string, name: string): void {
    this.setOwnerName(cvr, name);
    this.mailboxes(cvr);
  }

  setOwnerName(cvr: string, name: string): void {
    this.names.set(cvr, name);
    const b = this.boxes.get(cvr);
    if (b) { b.DP_PRIVATE.ownerName = name; b.DP_PUBLIC.ownerName = name; }
  }

  mailboxById(id: string): SimMailbox | undefined {
    for (const b of this.boxes.values()) for (const m of Object.values(b)) if (m.id === id) return m;
    return undefined;
  }

  /** Messages of one folder, ordered by receivedDateTime (then arrival). */
  folderMessages(mailbox: SimMailbox, folderId: string, direction: 'ASC' | 'DESC'): SimMessage[] {
    const list = [...this.messages.values()].filter((m) => m.mailbox === mailbox && m.folderId === folderId && !m.deleted);
    list.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
    return direction === 'ASC' ? list : list.reverse();
  }

  message(mailbox: SimMailbox, id: string): SimMessage | undefined {
    const m = this.messages.get(id);
    return m && m.mailbox === mailbox && !m.deleted ? m : undefined;
  }

  /** Moves a message to a folder kind of its mailbox (as a person would on mit.dk). */
  move(cvr: string, id: string, kind: FolderKind): void {
    const m = this.messages.get(id);
    if (!m || m.cvr !== cvr || m.deleted) throw new MitdkSimError(404, 'NOT_FOUND', `No message ${id} for CVR ${cvr}.`);
    m.folderId = m.mailbox.folders[kind];
    m.version++;
  }

  /** Marks a message read or unread (as a person opening it on mit.dk would). */
  setRead(cvr: string, id: string, read: boolean): void {
    const m = this.messages.get(id);
    if (!m || m.cvr !== cvr || m.deleted) throw new MitdkSimError(404, 'NOT_FOUND', `No message ${id} for CVR ${cvr}.`);
    m.read = read;
    m.version++;
  }

  waiting(cvr: string): MessageSummary[] {
    return this.all(cvr).filter((m) => m.folder === 'INBOX');
  }

  all(cvr: string): MessageSummary[] {
    return [...this.messages.values()].filter((m) => m.cvr === cvr && !m.deleted).map((m) => ({
      id: m.id, dataSource: m.mailbox.dataSource,
      folder: (Object.entries(m.mailbox.folders).find(([, id]) => id === m.folderId)?.[0] ?? m.folderId),
      label: m.label, sender: m.sender.label, receivedAt: m.receivedAt.toISOString(), read: m.read, version: m.version, fetched: m.fetched,
    }));
  }

  /** Companies a principal may see. */
  mayRead(p: Principal, cvr: string): boolean {
    return p.user === 'demo' ? true : p.user.cvrs.includes(cvr);
  }

  visibleCvrs(p: Principal): string[] {
    return p.user === 'demo' ? [...this.boxes.keys()] : p.user.cvrs;
  }

  // -- tokens ----------------------------------------------------------------------------------

  /** Exchanges a pair of refresh tokens for new access and refresh tokens (the old refresh tokens stay valid). */
  refreshTokens(dpp: string | undefined, ngdp: string | undefined) {
    const bad = () => new MitdkSimError(401, 'INVALID_GRANT', 'The refresh tokens are unknown, expired or revoked.');
    if (!dpp || !ngdp) throw new MitdkSimError(400, 'BAD_REQUEST', 'dppRefreshToken and ngdpRefreshToken are both required.');
    let principal: Principal;
    if (!this.users && dpp === this.demo.dppRefreshToken && ngdp === this.demo.ngdpRefreshToken) {
      principal = { user: 'demo', pair: 'demo' };
    } else {
      const configured = this.users?.find((u) => u.dppRefreshToken === dpp && u.ngdpRefreshToken === ngdp);
      if (configured) principal = { user: configured, pair: `initial:${dpp}` };
      else {
        const a = this.refresh.get(dpp);
        const b = this.refresh.get(ngdp);
        if (!a || !b || a.kind !== 'dpp' || b.kind !== 'ngdp' || a.pair !== b.pair || a.revoked || b.revoked
          || a.expiresAt < Date.now() || b.expiresAt < Date.now()) throw bad();
        principal = { user: a.user, pair: a.pair };
      }
    }
    const ttl = this.faults.tokenTtlMs ?? this.defaultAccessTtlMs;
    const pair = randomUUID();
    const issue = (map: Map<string, Issued>, kind: 'dpp' | 'ngdp', life: number) => {
      const token = `${kind}.${randomBytes(24).toString('base64url')}`;
      map.set(token, { user: principal.user, pair, kind, expiresAt: Date.now() + life, revoked: false });
      return token;
    };
    this.refreshCount++;
    const set = (kind: 'dpp' | 'ngdp') => ({
      access_token: issue(this.access, kind, ttl), refresh_token: issue(this.refresh, kind, this.refreshTtlMs),
      token_type: 'Bearer', expires_in: Math.max(1, Math.floor(ttl / 1000)), refresh_expires_in: Math.floor(this.refreshTtlMs / 1000),
    });
    return { dpp: set('dpp'), ngdp: set('ngdp') };
  }

  /** Checks the two access token headers; throws 401 unless both are live and belong together. */
  authenticate(mitdkToken: string | undefined, ngdpToken: string | undefined): Principal {
    const a = mitdkToken ? this.access.get(mitdkToken) : undefined;
    const b = ngdpToken ? this.access.get(ngdpToken) : undefined;
    if (!a || !b || a.kind !== 'dpp' || b.kind !== 'ngdp' || a.pair !== b.pair || a.revoked || b.revoked
      || a.expiresAt < Date.now() || b.expiresAt < Date.now()) {
      throw new MitdkSimError(401, 'UNAUTHORIZED', 'The mitdkToken and ngdpToken headers must carry live access tokens of one sign-in.');
    }
    return a;
  }

  revoke(tokens: string[]): void {
    for (const t of tokens) {
      const x = this.access.get(t) ?? this.refresh.get(t);
      if (x) x.revoked = true;
    }
  }

  /** Makes every access token expire: the next call gets 401 and must refresh. */
  expireAccessTokens(): number {
    let n = 0;
    for (const t of this.access.values()) if (t.expiresAt > Date.now()) { t.expiresAt = 0; n++; }
    return n;
  }

  refreshes(): number { return this.refreshCount; }

  reset(): void {
    this.boxes.clear();
    this.messages.clear();
    this.access.clear();
    this.refresh.clear();
    this.names.clear();
    this.refreshCount = 0;
    this.faults = {};
    for (const u of this.users ?? []) for (const cvr of u.cvrs) this.mailboxes(cvr);
  }
}
