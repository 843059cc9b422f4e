// mit.dk mailbox connector over the mit.dk viewer API (the JSON API behind mit.dk's web and app;
// mit.dk documents no business API). Calls, relative to https://gateway.mit.dk/view/client and made
// with the tokens of session.ts:
//
//   GET   mailboxes                                        the signed-in person's mailboxes, grouped; each has
//                                                          id, dataSource (DP_PUBLIC / DP_PRIVATE), ownerExternalId (CVR), ownerName
//   POST  folders/query     {"mailboxes": {DS: id, …}}     folders by kind: {"folders": {"INBOX": [{id, dataSource, mailboxId}], …}}
//   POST  messages/query    {"any": [], "folders": [{dataSource, foldersId: [inbox], mailboxId, startIndex}],
//                            "size": n, "sortFields": ["receivedDateTime:ASC"]}      → {"results": [message, …]}
//   GET   {DS}/mailboxes/{mailboxId}/messages/{id}         one message (metadata, documents, files, version)
//   GET   {DS}/mailboxes/{mailboxId}/messages/{id}/documents/{docId}/files/{fileId}/content   a file's bytes
//   PATCH {DS}/mailboxes/{mailboxId}/messages/{id}         If-Match: version; {"read": true} (+ "folderId" to archive)
//
// Acknowledgement (both COMPLETED and INVALID), per mailbox configuration:
//   archive  (default) move the message to the archive folder and mark it read; waiting = in the inbox.
//   markRead only mark it read, as the public clients do; waiting = unread in the inbox. Simpler, but
//            a letter someone opens on mit.dk before Brevdue's next poll is never fetched.
import { z } from 'zod';
import { ProviderError, type Acknowledgement, type MailboxConnector } from '../connector';
import { unconvertibleRaw } from '../eboks/provider-letter';
import { mitdkMessageSchema, mitdkToRaw } from './convert';
import { MitdkSession, readJson, statusError, type MitdkRefreshTokens, type RawAnswer } from './session';

export const MITDK_DEFAULT_BASE_URL = 'https://gateway.mit.dk/view/client';
export const MITDK_DEFAULT_CLIENT_ID = 'view-client-id-mobile-prod-1-id';
export const MITDK_DATA_SOURCES = ['DP_PRIVATE', 'DP_PUBLIC'] as const;
export type MitdkDataSource = (typeof MITDK_DATA_SOURCES)[number];

export interface MitdkClientOptions {
  baseUrl: string;
  clientId?: string;
  /** The company (mailbox owner) this connector fetches for. */
  cvr: string;
  refreshTokens: MitdkRefreshTokens;
  onTokens?: (t: MitdkRefreshTokens) => void | Promise<void>;
  /** Which of the company's mailboxes to read (private senders, public authorities). */
  dataSources?: readonly MitdkDataSource[];
  acknowledge?: 'archive' | 'markRead';
  /** The folder kind (key of folders/query) fetched letters are moved to in archive mode. */
  archiveFolder?: string;
  pageSize?: number;
  timeoutMs?: number;
  dispatcher?: unknown;
  now?: () => number;
}

const mailboxesSchema = z.object({
  groupedMailboxes: z.array(z.object({
    mailboxes: z.array(z.object({
      id: z.string().min(1),
      dataSource: z.string(),
      ownerExternalId: z.string().optional(),
      ownerName: z.string().optional(),
    }).passthrough()),
  }).passthrough()),
}).passthrough();

const foldersSchema = z.object({
  folders: z.record(z.array(z.object({ id: z.string().min(1), dataSource: z.string(), mailboxId: z.string() }).passthrough())),
}).passthrough();

const queryAnswerSchema = z.object({
  results: z.array(z.object({ id: z.string().min(1), read: z.boolean().optional(), version: z.union([z.number(), z.string()]).optional() }).passthrough()),
}).passthrough();

interface Box { id: string; dataSource: string; ownerName?: string; inbox: string; archive?: string }

/** Provider message id: "<dataSource>/<mailboxId>/<messageId>", each part URI-encoded; stable while the message exists. */
export function mitdkProviderId(dataSource: string, mailboxId: string, messageId: string): string {
  return [dataSource, mailboxId, messageId].map(encodeURIComponent).join('/');
}

export function parseMitdkProviderId(pid: string): { dataSource: string; mailboxId: string; messageId: string } {
  const parts = pid.split('/');
  if (parts.length !== 3 || parts.some((p) => p === '')) throw new ProviderError('unknown', `"${pid}" is not a mit.dk message id of this connector.`, false);
  const [dataSource, mailboxId, messageId] = parts.map(decodeURIComponent);
  return { dataSource, mailboxId, messageId };
}

export function createMitdkClient(o: MitdkClientOptions) {
  const session = new MitdkSession({
    baseUrl: o.baseUrl, clientId: o.clientId ?? MITDK_DEFAULT_CLIENT_ID, refreshTokens: o.refreshTokens,
    onTokens: o.onTokens, timeoutMs: o.timeoutMs, dispatcher: o.dispatcher, now: o.now,
  });
  const size = o.pageSize ?? 50;
  const mode = o.acknowledge ?? 'archive';
  const archiveKind = o.archiveFolder ?? 'ARCHIVE';
  const wanted = new Set<string>(o.dataSources ?? MITDK_DATA_SOURCES);
  let boxes: Box[] | null = null;
  const versions = new Map<string, string>(); // provider id → last seen version

  async function call(method: string, path: string, json?: unknown, headers?: Record<string, string>): Promise<RawAnswer> {
    return session.send(method, path, { json, headers });
  }
  async function ok(method: string, path: string, json?: unknown): Promise<RawAnswer> {
    const a = await call(method, path, json);
    if (a.status !== 200) throw statusError(a, method, path);
    return a;
  }

  async function resolveBoxes(): Promise<Box[]> {
    if (boxes) return boxes;
    const parsed = mailboxesSchema.safeParse(readJson(await ok('GET', '/mailboxes'), 'a mailbox list'));
    if (!parsed.success) throw new ProviderError('provider_answer_unreadable', 'mit.dk sent a mailbox list we cannot read; will try again.', true);
    const mine = parsed.data.groupedMailboxes.flatMap((g) => g.mailboxes)
      .filter((m) => m.ownerExternalId === o.cvr && wanted.has(m.dataSource));
    if (mine.length === 0) {
      throw new ProviderError('not_set_up_at_provider', `The mit.dk sign-in has no ${[...wanted].join('/')} mailbox for CVR ${o.cvr}: sign in as someone with access `
        + 'to the company\'s Digital Post on mit.dk, or check the CVR number.', false);
    }
    const f = foldersSchema.safeParse(readJson(await ok('POST', '/folders/query', {
      mailboxes: Object.fromEntries(mine.map((m) => [m.dataSource, m.id])),
    }), 'a folder list'));
    if (!f.success) throw new ProviderError('provider_answer_unreadable', 'mit.dk sent a folder list we cannot read; will try again.', true);
    const folderOf = (kind: string, m: { id: string; dataSource: string }) =>
      f.data.folders[kind]?.find((x) => x.mailboxId === m.id && x.dataSource === m.dataSource)?.id;
    boxes = mine.map((m) => {
      const inbox = folderOf('INBOX', m);
      const archive = folderOf(archiveKind, m);
      if (!inbox) throw new ProviderError('not_set_up_at_provider', `mit.dk shows no INBOX folder for the ${m.dataSource} mailbox of CVR ${o.cvr}.`, false);
      if (mode === 'archive' && !archive) {
        throw new ProviderError('not_set_up_at_provider', `mit.dk shows no ${archiveKind} folder for the ${m.dataSource} mailbox of CVR ${o.cvr}; `
          + 'set archiveFolder to an existing folder kind, or acknowledge by markRead.', false);
      }
      return { id: m.id, dataSource: m.dataSource, ownerName: m.ownerName, inbox, archive };
    });
    return boxes;
  }

  async function query(box: Box, startIndex: number) {
    const a = await ok('POST', '/messages/query', {
      any: [],
      folders: [{ dataSource: box.dataSource, foldersId: [box.inbox], mailboxId: box.id, startIndex }],
      size,
      sortFields: ['receivedDateTime:ASC'],
    });
    const parsed = queryAnswerSchema.safeParse(readJson(a, 'a message list'));
    if (!parsed.success) throw new ProviderError('provider_answer_unreadable', 'mit.dk sent a message list we cannot read; will try again.', true);
    return parsed.data.results;
  }

  const messagePath = (p: { dataSource: string; mailboxId: string; messageId: string }) =>
    `/${encodeURIComponent(p.dataSource)}/mailboxes/${encodeURIComponent(p.mailboxId)}/messages/${encodeURIComponent(p.messageId)}`;

  async function getMessage(pid: string): Promise<{ answer: RawAnswer; json: unknown }> {
    const path = messagePath(parseMitdkProviderId(pid));
    const answer = await ok('GET', path);
    const json = readJson(answer, `message ${pid}`);
    const v = (json as { version?: unknown } | null)?.version;
    if (v !== undefined && v !== null) versions.set(pid, String(v));
    return { answer, json };
  }

  async function patch(pid: string, body: Record<string, unknown>): Promise<void> {
    const path = messagePath(parseMitdkProviderId(pid));
    for (let attempt = 0; ; attempt++) {
      if (!versions.has(pid)) {
        const a = await call('GET', path);
        if (a.status === 404) return; // already gone: an overlapping poll archived it
        if (a.status !== 200) throw statusError(a, 'GET', path);
        const v = (readJson(a, `message ${pid}`) as { version?: unknown }).version;
        versions.set(pid, String(v ?? ''));
      }
      const a = await call('PATCH', path, body, { 'If-Match': versions.get(pid)! });
      if (a.status === 200 || a.status === 204) { versions.delete(pid); return; }
      if (a.status === 404) { versions.delete(pid); return; }
      if (a.status === 412 && attempt === 0) { versions.delete(pid); continue; } // changed meanwhile: read the version again
      throw statusError(a, 'PATCH', path);
    }
  }

  const connector: MailboxConnector = {
    async *listWaiting() {
      for (const box of await resolveBoxes()) {
        // Archived letters leave the inbox, so each page is read again from where the letters still
        // there (not acknowledged yet, or read ones in markRead mode) end.
        const seen = new Set<string>();
        let startIndex = 0;
        for (let guard = 0; guard < 10_000; guard++) {
          const results = await query(box, startIndex);
          const waiting = results.filter((m) => (mode === 'markRead' ? m.read === false : true));
          const fresh = waiting.filter((m) => !seen.has(m.id));
          for (const m of fresh) {
            seen.add(m.id);
            if (m.version !== undefined) versions.set(mitdkProviderId(box.dataSource, box.id, m.id), String(m.version));
          }
          if (fresh.length > 0) yield fresh.map((m) => mitdkProviderId(box.dataSource, box.id, m.id));
          if (results.length < size) break;
          startIndex += results.length - (mode === 'archive' ? fresh.length : 0);
        }
      }
    },

    async fetchRaw(pid) {
      const all = await resolveBoxes();
      const { dataSource, mailboxId, messageId } = parseMitdkProviderId(pid);
      const box = all.find((b) => b.id === mailboxId && b.dataSource === dataSource);
      const { json } = await getMessage(pid);
      const parsed = mitdkMessageSchema.safeParse(json);
      if (!parsed.success) {
        const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ');
        return unconvertibleRaw('mitdk', pid, 'metadata', `mit.dk's description of the message is incomplete: ${why}`, { mitdk: json });
      }
      const m = parsed.data;
      const files = new Map<string, Buffer>();
      for (const d of m.documents) {
        for (const f of d.files) {
          const path = `${messagePath({ dataSource, mailboxId, messageId })}/documents/${encodeURIComponent(d.id)}/files/${encodeURIComponent(f.id)}/content`;
          // Uncompressed: a file's Content-Length is then checked against the very bytes we store.
          const a = await call('GET', path, undefined, { 'Accept-Encoding': 'identity' });
          if (a.status !== 200) {
            if (a.status === 404) {
              throw new ProviderError('letter_failed', `mit.dk lists file ${f.id} ("${f.filename}") of message ${pid} but has no content for it; will try again.`, true, 404);
            }
            throw statusError(a, 'GET', path);
          }
          files.set(f.id, a.body);
        }
      }
      return mitdkToRaw(o.cvr, box?.ownerName, pid, m, files);
    },

    async acknowledge(pid, _ack: Acknowledgement) {
      // mit.dk has no business receipt for the recipient: COMPLETED and INVALID both archive (or
      // mark read); INVALID letters are kept, with the reason, in Brevdue's quarantine.
      const all = await resolveBoxes();
      const { dataSource, mailboxId } = parseMitdkProviderId(pid);
      const box = all.find((b) => b.id === mailboxId && b.dataSource === dataSource);
      if (mode === 'archive' && !box?.archive) throw new ProviderError('unknown', `No archive folder known for message ${pid}.`, false);
      await patch(pid, mode === 'archive' ? { read: true, folderId: box!.archive } : { read: true });
    },
  };

  return { connector, session };
}
