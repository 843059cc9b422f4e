// Attachment upload sessions (attachment: createUploadSession): the file announced, the bytes
// received so far (in order), the opaque token in the upload URL and when the session expires.
import { randomBytes } from 'node:crypto';
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { exchangeId } from './ids';

/** The AttachmentItem of createUploadSession, validated: a file with a name and a size. */
export interface AttachmentItemInput extends MicrosoftGraph.AttachmentItem {
  attachmentType: 'file';
  name: string;
  size: number;
  contentType: string | null;
  isInline: boolean;
  contentId: string | null;
}

export interface UploadSession {
  id: string;
  token: string;
  mailboxId: string;
  messageId: string;
  item: AttachmentItemInput;
  chunks: Buffer[];
  /** Offset of the next byte expected. */
  next: number;
  expiresAt: number;
}

export class UploadSessions {
  private sessions = new Map<string, UploadSession>();

  constructor(private readonly lifetimeMs: number, private readonly now: () => number = Date.now) {}

  create(mailboxId: string, messageId: string, item: AttachmentItemInput): UploadSession {
    this.sweep();
    const s: UploadSession = {
      id: exchangeId('attachment').slice(0, 48), token: randomBytes(24).toString('base64url'),
      mailboxId, messageId, item, chunks: [], next: 0, expiresAt: this.now() + this.lifetimeMs,
    };
    this.sessions.set(s.id, s);
    return s;
  }

  get(id: string): UploadSession | undefined { return this.sessions.get(id); }
  expired(s: UploadSession): boolean { return this.now() >= s.expiresAt; }
  delete(id: string): boolean { return this.sessions.delete(id); }
  /** Sessions not yet completed or cancelled (expired ones included until swept). */
  count(): number { return this.sessions.size; }
  clear(): void { this.sessions.clear(); }

  /** Forgets sessions that expired more than a lifetime ago (expired ones answer 401 until then). */
  private sweep(): void {
    const t = this.now();
    for (const [id, s] of this.sessions) if (t >= s.expiresAt + this.lifetimeMs) this.sessions.delete(id);
  }
}
