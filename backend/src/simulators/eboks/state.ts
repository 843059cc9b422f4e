// In-memory state of one e-Boks simulator instance: accounts (who may log on, and for which company),
// sessions with their rolling nonces, each company's folders and messages, and the faults.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { EboksFaults, EboksInjectInput } from './schemas';
import { eboksInjectSchema } from './schemas';

export interface EboksAccount {
  /** The company whose e-Boks this logon opens. */
  cvr: string;
  /** What the logon's User/@identity carries; default: the CVR number. */
  identity?: string;
  identityType?: string;
  nationality?: string;
  password: string;
  activationCode: string;
  /** When set, only this device id may log on. */
  deviceId?: string;
  /** User/@name in the logon answer; default: "Virksomhed <cvr>". */
  name?: string;
}

export interface SimFolder { id: string; name: string }
export interface SimDocument { id: string; name: string; format: string; mimeType: string; content: Buffer; missing?: boolean }
export interface SimMessage {
  id: string;
  cvr: string;
  folderId: string;
  subject: string;
  sender: { name: string; id?: string };
  receivedAt: Date;
  unread: boolean;
  /** [0] is the letter itself (its id is the message id); the rest are attachments with their own ids. */
  documents: SimDocument[];
  fetched: number;
  deleted: boolean;
}

export interface WaitingSummary { id: string; subject: string; sender: string; receivedAt: string; unread: boolean; fetched: number; documents: number }
export interface MessageSummary extends WaitingSummary { folder: string }

interface Session {
  id: string;
  cvr: string;
  userId: string;
  deviceId: string;
  activationCode: string;
  nonce: string;
  createdAt: number;
  dead: boolean;
}

export class EboksSimError extends Error {
  constructor(public readonly status: number, public readonly code: string, message: string) { super(message); }
}

export const DEFAULT_FOLDERS: readonly SimFolder[] = Object.freeze([
  Object.freeze({ id: '0', name: 'Indbakke' }),
  Object.freeze({ id: '1', name: 'Arkiv' }),
  Object.freeze({ id: '2', name: 'Papirkurv' }),
]);

const CVR_RE = /^\d{8}$/;
const sha256hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

const MIME: Record<string, string> = {
  pdf: 'application/pdf', jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', tiff: 'image/tiff',
  txt: 'text/plain', html: 'text/html', htm: 'text/html', xml: 'application/xml',
};

export class EboksState {
  faults: EboksFaults = {};
  private seq = 100_000;
  private users = new Map<string, { userId: string; name: string }>(); // by CVR
  private folderSets = new Map<string, SimFolder[]>(); // by CVR
  private messages = new Map<string, SimMessage>(); // by id, in arrival order
  private sessions = new Map<string, Session>();
  private logonCount = new Map<string, number>();

  /**
   * @param accounts who may log on; undefined = demo mode: any 8-digit identity logs on as that CVR
   *   with the demo password and activation code.
   */
  constructor(private readonly accounts: EboksAccount[] | undefined, private readonly demo: { password: string; activationCode: string },
    private readonly defaultSessionTtlMs: number) {}

  // -- messages --------------------------------------------------------------------------------

  inject(cvr: string, input: EboksInjectInput): { id: string } {
    if (!CVR_RE.test(cvr)) throw new EboksSimError(400, 'BAD_REQUEST', `"${cvr}" is not a CVR number (8 digits).`);
    const v = eboksInjectSchema.parse(input);
    const id = this.nextId();
    const documents = v.documents.map((d, i) => {
      const dot = d.filename.lastIndexOf('.');
      const ext = dot > 0 ? d.filename.slice(dot + 1).toLowerCase() : '';
      const format = (d.format ?? ext).toLowerCase() || 'bin';
      return {
        id: i === 0 ? id : this.nextId(),
        name: dot > 0 && ext === format ? d.filename.slice(0, dot) : d.filename,
        format,
        mimeType: MIME[format] ?? 'application/octet-stream',
        content: Buffer.from(d.content, 'base64'),
        ...(d.missing ? { missing: true } : {}),
      };
    });
    this.user(cvr);
    this.messages.set(id, {
      id, cvr, folderId: this.inbox(cvr).id, subject: v.subject, sender: { ...v.sender },
      receivedAt: v.receivedAt ? new Date(v.receivedAt) : new Date(), unread: v.unread ?? true, documents, fetched: 0, deleted: false,
    });
    return { id };
  }

  /** The messages of a folder, newest first, as the e-Boks app shows them. */
  folderMessages(cvr: string, folderId: string): SimMessage[] {
    return [...this.messages.values()]
      .filter((m) => m.cvr === cvr && m.folderId === folderId && !m.deleted)
      .reverse()
      .sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime());
  }

  message(cvr: string, folderId: string, id: string): SimMessage | undefined {
    const m = this.messages.get(id);
    return m && m.cvr === cvr && m.folderId === folderId && !m.deleted ? m : undefined;
  }

  /** A document (the letter or an attachment) of a message in the folder, by its id. */
  document(cvr: string, folderId: string, documentId: string): { message: SimMessage; document: SimDocument } | undefined {
    for (const m of this.folderMessages(cvr, folderId)) {
      const d = m.documents.find((x) => x.id === documentId);
      if (d) return { message: m, document: d };
    }
    return undefined;
  }

  /** Moves a message to the folder named `folderName` (as a person would in e-Boks). */
  move(cvr: string, id: string, folderName: string): void {
    const m = this.messages.get(id);
    const f = this.folders(cvr).find((x) => x.name === folderName);
    if (!m || m.cvr !== cvr || m.deleted) throw new EboksSimError(404, 'NOT_FOUND', `No message ${id} for CVR ${cvr}.`);
    if (!f) throw new EboksSimError(404, 'NOT_FOUND', `No folder "${folderName}" for CVR ${cvr}.`);
    m.folderId = f.id;
  }

  waiting(cvr: string): WaitingSummary[] {
    return this.folderMessages(cvr, this.inbox(cvr).id).map((m) => this.summary(m));
  }

  all(cvr: string): MessageSummary[] {
    const names = new Map(this.folders(cvr).map((f) => [f.id, f.name]));
    return [...this.messages.values()].filter((m) => m.cvr === cvr && !m.deleted)
      .map((m) => ({ ...this.summary(m), folder: names.get(m.folderId) ?? m.folderId }));
  }

  private summary(m: SimMessage): WaitingSummary {
    return {
      id: m.id, subject: m.subject, sender: m.sender.name, receivedAt: m.receivedAt.toISOString(),
      unread: m.unread, fetched: m.fetched, documents: m.documents.length,
    };
  }

  // -- folders ---------------------------------------------------------------------------------

  folders(cvr: string): SimFolder[] {
    return this.folderSets.get(cvr) ?? [...DEFAULT_FOLDERS];
  }

  setFolders(cvr: string, folders: SimFolder[]): void {
    this.folderSets.set(cvr, folders.map((f) => ({ ...f })));
  }

  inbox(cvr: string): SimFolder {
    return this.folders(cvr)[0];
  }

  // -- accounts and sessions -------------------------------------------------------------------

  /** The e-Boks user of a company (created on first use). */
  user(cvr: string): { userId: string; name: string } {
    let u = this.users.get(cvr);
    if (!u) {
      const account = this.accounts?.find((a) => a.cvr === cvr);
      u = { userId: String(5_000_000 + this.users.size + 1), name: account?.name ?? `Virksomhed ${cvr}` };
      this.users.set(cvr, u);
    }
    return u;
  }

  /** Checks a logon; returns the new session or throws a 401/403 EboksSimError. */
  logon(h: Record<string, string>, u: Record<string, string>): { session: Session; user: { userId: string; name: string } } {
    const refuse = (why: string) => new EboksSimError(401, 'LOGON_FAILED', why);
    const identity = u.identity ?? '';
    const identityType = u.identityType ?? '';
    const nationality = u.nationality ?? '';
    const { deviceid, datetime, challenge } = h;
    if (!deviceid || !datetime || !challenge) throw refuse('X-EBOKS-AUTHENTICATE must be: logon deviceid="…",datetime="…",challenge="…".');
    let cvr: string;
    let secret: { password: string; activationCode: string };
    if (this.accounts) {
      const a = this.accounts.find((x) => (x.identity ?? x.cvr) === identity
        && (x.identityType ?? 'P') === identityType && (x.nationality ?? 'DK') === nationality);
      if (!a) throw refuse('Unknown user.');
      if (a.deviceId && a.deviceId !== deviceid) throw refuse('This device is not activated for the user.');
      cvr = a.cvr;
      secret = a;
    } else {
      if (!CVR_RE.test(identity)) throw refuse('Unknown user.');
      cvr = identity;
      secret = this.demo;
    }
    const expected = sha256hex(sha256hex([secret.activationCode, deviceid, identityType, identity, nationality, secret.password, datetime].join(':')));
    if (u.pincode !== secret.password || challenge !== expected) throw refuse('Wrong password or activation code.');
    const user = this.user(cvr);
    const session: Session = {
      id: randomUUID(), cvr, userId: user.userId, deviceId: deviceid, activationCode: secret.activationCode,
      nonce: randomBytes(16).toString('hex'), createdAt: Date.now(), dead: false,
    };
    this.sessions.set(session.id, session);
    this.logonCount.set(cvr, (this.logonCount.get(cvr) ?? 0) + 1);
    return { session, user };
  }

  /**
   * Checks an authenticated call's X-EBOKS-AUTHENTICATE fields: live session, the nonce the last
   * answer handed out, and response = sha256(activationCode:deviceId:nonce). Rolls the nonce.
   */
  authenticate(h: Record<string, string>): Session {
    const s = h.sessionid ? this.sessions.get(h.sessionid) : undefined;
    const ttl = this.faults.sessionTtlMs ?? this.defaultSessionTtlMs;
    if (!s || s.dead || Date.now() - s.createdAt >= ttl) throw new EboksSimError(401, 'SESSION_EXPIRED', 'The session has expired; log on again.');
    if (h.deviceid !== s.deviceId || h.nonce !== s.nonce || h.response !== sha256hex(`${s.activationCode}:${s.deviceId}:${s.nonce}`)) {
      s.dead = true; // a replayed or forged nonce ends the session
      throw new EboksSimError(401, 'INVALID_NONCE', 'The nonce or its response is wrong; the session is closed.');
    }
    s.nonce = randomBytes(16).toString('hex');
    return s;
  }

  /** Ends every session (or those of one company): the next call gets 401 and must log on again. */
  expireSessions(cvr?: string): number {
    let n = 0;
    for (const s of this.sessions.values()) if (!s.dead && (!cvr || s.cvr === cvr)) { s.dead = true; n++; }
    return n;
  }

  logons(cvr: string): number { return this.logonCount.get(cvr) ?? 0; }

  reset(): void {
    this.messages.clear();
    this.sessions.clear();
    this.users.clear();
    this.folderSets.clear();
    this.logonCount.clear();
    this.faults = {};
  }

  private nextId(): string { return String(++this.seq); }
}
