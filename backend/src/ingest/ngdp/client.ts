// NgDP (Digital Post for organisations) REST client: pull (list, get, receipt, delete), business
// receipts for pushed memos, backfill (system fetches) and send. Production runs it over mutual TLS
// with the organisation's or vendor's OCES certificate (`fetch` from createNgdpTransport in tls.ts
// carries it); `delegatedCVR` lets one vendor certificate serve many organisations.
import { z } from 'zod';
import { withTimeout } from '../../util/timeout';
import { ProviderError, kindOfStatus, type Acknowledgement, type MailboxConnector } from '../connector';
import { NgdpCertificateError, certificateErrorKind, describeTlsFailure, type FetchLike } from './tls';
import { providerErrorCode, providerErrorDetail } from '../provider-error-body';

export interface NgdpClientOptions {
  baseUrl: string; // e.g. https://api.digitalpost.dk/apis/v1
  system: { username: string; password: string }; // the calling system's uuid:uuid
  delegatedCVR: string;
  pageSize?: number;
  timeoutMs?: number;
  /**
   * Retries of an idempotent call (GET, DELETE, a receipt) after a retryable failure (5xx, 429, a
   * network error, a broken body), with a short growing pause: one failed request of many should not
   * fail the whole poll and put the mailbox into backoff. Default 2; 0 turns it off.
   */
  retries?: number;
  retryDelayMs?: number;
  /** fetch with the client certificate (mTLS), from createNgdpTransport; global fetch when omitted (local simulator). */
  fetch?: FetchLike;
}

// The list answer, NgDP's PagingResultUUID: the UUIDs of waiting memos on the requested (zero-based) page.
export const memoListSchema = z.object({
  content: z.array(z.string().uuid()),
  number: z.number().int().nonnegative(),
  size: z.number().int().positive(),
  totalElements: z.number().int().nonnegative(),
  totalPages: z.number().int().nonnegative(),
}).passthrough();

/** NgDP's business receipt (OpenAPI `Receipt`), as posted to `POST /memos/{id}/receipt`. */
export interface NgdpReceipt {
  messageUUID: string;
  receiptStatus: 'NOT_ALLOWED' | 'INVALID' | 'RECEIVED' | 'COMPLETED';
  timeStamp: string;
  transmissionId?: string;
  messageId?: string;
  errorCode?: string;
  errorMessage?: string;
}

export const SYSTEM_FETCH_STATUSES = ['UNKNOWN', 'RUNNING', 'FINISHED', 'STOPPED'] as const;

/** NgDP's `SystemFetch` (OpenAPI v1): a backfill of a mailbox's messages in a date range to the system. */
export const systemFetchSchema = z.object({
  id: z.string().uuid(),
  version: z.number().optional(),
  createdDateTime: z.string().optional(),
  lastUpdated: z.string().optional(),
  finishedDateTime: z.string().nullish(),
  systemFetchStatusType: z.enum(SYSTEM_FETCH_STATUSES).catch('UNKNOWN'),
  mailboxId: z.string().uuid(),
  organisationId: z.string().optional(),
  systemId: z.string().optional(),
  contactPointId: z.string().optional(),
  totalMessages: z.number().int().nonnegative().default(0),
  fetchedMessages: z.number().int().nonnegative().default(0),
  failedMessages: z.number().int().nonnegative().default(0),
  preferOriginalMessageRecipient: z.boolean().optional(),
  fromDateTime: z.string(),
  toDateTime: z.string().nullish(),
}).passthrough();
export type SystemFetch = z.infer<typeof systemFetchSchema>;

/** NgDP's `MailboxSearchResult` from `GET /mailboxes/`, reduced to what finding the mailbox id needs. */
const mailboxSearchSchema = z.object({
  mailboxes: z.array(z.object({ id: z.string().uuid(), ownerExternalId: z.string().nullish(), ownerType: z.string().nullish() }).passthrough()).default([]),
}).passthrough();

const MESSAGE_UUID_RE = /<(?:[A-Za-z_][\w.-]*:)?messageUUID\s*>\s*([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\s*</;

/** The messageUUID in a MeMo's header (the first occurrence: the header precedes the documents). */
export function memoMessageUUID(xml: string | Buffer): string | null {
  const head = typeof xml === 'string' ? xml.slice(0, 1024 * 1024) : xml.subarray(0, 1024 * 1024).toString('utf8');
  return MESSAGE_UUID_RE.exec(head)?.[1]?.toLowerCase() ?? null;
}

export function createNgdpClient(o: NgdpClientOptions) {
  const base = o.baseUrl.replace(/\/+$/, '');
  const auth = 'Basic ' + Buffer.from(`${o.system.username}:${o.system.password}`).toString('base64');
  const size = o.pageSize ?? 50;
  const doFetch: FetchLike = o.fetch ?? ((u, i) => fetch(u, i));

  type CallInit = { accept?: string; body?: string | Buffer; contentType?: string; query?: Record<string, string> };

  /** `once`, retried where that is safe: sending a new memo (POST /memos/) is never repeated here. */
  async function call<T = void>(method: string, path: string, init: CallInit = {}, read: (res: Response) => Promise<T> = async () => undefined as T): Promise<T> {
    const idempotent = method === 'GET' || method === 'DELETE' || (method === 'POST' && path.endsWith('/receipt'));
    const retries = idempotent ? o.retries ?? 2 : 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return await once(method, path, init, read);
      } catch (e) {
        if (!(e instanceof ProviderError) || !e.retryable || attempt >= retries) throw e;
        const pause = (o.retryDelayMs ?? 300) * 4 ** attempt;
        await new Promise((r) => setTimeout(r, pause * (0.75 + Math.random() * 0.5)));
      }
    }
  }

  /** One request; `read` consumes the body inside the same time limit, so a stalled body times out too. */
  async function once<T = void>(method: string, path: string, init: CallInit, read: (res: Response) => Promise<T>): Promise<T> {
    const url = new URL(base + path);
    url.searchParams.set('delegatedCVR', o.delegatedCVR);
    for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = { Authorization: auth };
    if (init.accept) headers.Accept = init.accept;
    if (init.contentType) headers['Content-Type'] = init.contentType;
    return withTimeout(o.timeoutMs ?? 30_000, async (signal) => {
      let res: Response;
      try {
        res = await doFetch(url, { method, headers, body: init.body, signal } as RequestInit);
      } catch (e) {
        if (e instanceof NgdpCertificateError) throw new ProviderError(certificateErrorKind(e), e.message, false);
        const tlsProblem = describeTlsFailure(e);
        // A permanent TLS failure is about a certificate (ours or the server's); a reset without an answer may be the network.
        if (tlsProblem) throw new ProviderError(tlsProblem.permanent ? 'certificate_problem' : 'provider_unavailable', `Digital Post ${method} ${path}: ${tlsProblem.message}`, !tlsProblem.permanent);
        throw new ProviderError('provider_unavailable', `Digital Post ${method} ${path} ${describeFailure(e)}`, true);
      }
      if (!res.ok) {
        // Only NgDP's own error code and message, bounded and cleaned: never the body as it came.
        const body = await res.text().catch(() => '');
        const detail = providerErrorDetail(body, 'ngdp');
        const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
        const hint = res.status === 401 || res.status === 403 ? ' (check the system credentials and certificate)' : '';
        throw new ProviderError(kindOfStatus(res.status), `Digital Post answered ${res.status} to ${method} ${path}${hint}${detail ? `: ${detail}` : '.'}`, retryable, res.status,
          providerErrorCode(body, 'ngdp'));
      }
      try {
        return await read(res);
      } catch (e) {
        if (e instanceof ProviderError) throw e;
        throw new ProviderError('provider_answer_unreadable', `Digital Post broke off the answer to ${method} ${path} (${describeFailure(e)}); will try again.`, true);
      }
    });
  }

  /** `POST /memos/{id}/receipt`: the business receipt for a memo (pulled or pushed). */
  function postReceipt(memoId: string, receipt: NgdpReceipt): Promise<void> {
    const body: NgdpReceipt = { ...receipt, ...(receipt.errorMessage ? { errorMessage: receipt.errorMessage.slice(0, 4000) } : {}) };
    return call('POST', `/memos/${encodeURIComponent(memoId)}/receipt`, { body: JSON.stringify(body), contentType: 'application/json' });
  }

  const readSystemFetch = (what: string) => async (res: Response): Promise<SystemFetch> => {
    const parsed = systemFetchSchema.safeParse(await res.json().catch(() => null));
    if (!parsed.success) throw new ProviderError('provider_answer_unreadable', `Digital Post sent a ${what} we cannot read (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}).`, true);
    return parsed.data;
  };

  const connector: MailboxConnector = {
    async *listWaiting() {
      // Acknowledged memos disappear from the list, so always read the first page again.
      for (let guard = 0; guard < 10_000; guard++) {
        const body = await call('GET', '/memos/', { query: { page: '0', size: String(size) }, accept: 'application/json' },
          (res) => res.json().catch(() => null));
        const parsed = memoListSchema.safeParse(body);
        if (!parsed.success) throw new ProviderError('provider_answer_unreadable', 'Digital Post sent a memo list we cannot read (truncated or malformed JSON).', true);
        const ids = parsed.data.content;
        if (ids.length === 0) return;
        yield ids;
        if (parsed.data.totalElements <= ids.length) return;
      }
    },
    async fetchRaw(id) {
      return call('GET', `/memos/${encodeURIComponent(id)}`, { accept: 'application/xml' }, async (res) => {
        const buf = Buffer.from(await res.arrayBuffer());
        const declared = Number(res.headers.get('content-length') ?? NaN);
        if (Number.isFinite(declared) && declared !== buf.length) {
          throw new ProviderError('provider_answer_unreadable', `Digital Post sent ${buf.length} of ${declared} bytes of memo ${id}; will fetch again.`, true);
        }
        return buf;
      });
    },
    async acknowledge(id, ack: Acknowledgement) {
      const receipt: NgdpReceipt = {
        messageUUID: ack.messageUUID ?? id,
        receiptStatus: ack.status,
        timeStamp: new Date().toISOString(),
        ...(ack.errorMessage ? { errorCode: 'INVALID_MEMO', errorMessage: ack.errorMessage } : {}),
      };
      // 404: the memo is already gone because another poll (another process, an overlapping run)
      // acknowledged it after storing the same letter. Our copy is stored too, so that is success.
      await postReceipt(id, receipt).catch(ignoreNotFound);
      await call('DELETE', `/memos/${encodeURIComponent(id)}`).catch(ignoreNotFound);
    },
  };

  return {
    connector,
    postReceipt,

    /**
     * Sends a MeMo (used for replies); returns NgDP's transmission id. `messageUUID` defaults to the
     * one in the MeMo's header (NgDP requires the query parameter to equal it).
     */
    async send(memoXml: string, messageUUID?: string): Promise<string> {
      const uuid = messageUUID ?? memoMessageUUID(memoXml);
      if (!uuid) throw new ProviderError('unknown', 'This is not a MeMo with a messageUUID in its header; nothing was sent.', false);
      const body = await call('POST', '/memos/', { query: { 'memo-message-uuid': uuid }, body: memoXml, contentType: 'application/xml', accept: 'application/json' },
        (res) => res.json().catch(() => ({})) as Promise<{ transmissionId?: string }>);
      if (!body.transmissionId) throw new ProviderError('provider_answer_unreadable', 'Digital Post accepted the memo but returned no transmissionId.', false);
      return body.transmissionId;
    },

    /**
     * Backfill: `POST /mailboxes/{mailboxId}/system-fetches/` asks NgDP to deliver the mailbox's
     * messages received between `from` and `to` (default: now) to this system again; they arrive
     * through the normal channel (the pull list, or pushes).
     */
    async requestSystemFetch(mailboxId: string, from: Date, to?: Date, opts: { preferOriginalMessageRecipient?: boolean } = {}): Promise<SystemFetch> {
      const body = {
        fromDateTime: from.toISOString(),
        ...(to ? { toDateTime: to.toISOString() } : {}),
        ...(opts.preferOriginalMessageRecipient !== undefined ? { preferOriginalMessageRecipient: opts.preferOriginalMessageRecipient } : {}),
      };
      return call('POST', `/mailboxes/${encodeURIComponent(mailboxId)}/system-fetches/`,
        { body: JSON.stringify(body), contentType: 'application/json', accept: 'application/json' }, readSystemFetch('system fetch'));
    },

    /** `GET /mailboxes/{mailboxId}/system-fetches/{id}`: status and progress of one backfill. */
    async getSystemFetch(mailboxId: string, id: string): Promise<SystemFetch> {
      return call('GET', `/mailboxes/${encodeURIComponent(mailboxId)}/system-fetches/${encodeURIComponent(id)}`, { accept: 'application/json' },
        readSystemFetch('system fetch'));
    },

    /** `GET /mailboxes/{mailboxId}/system-fetches/`: every backfill of the mailbox, running, stopped or finished. */
    async listSystemFetches(mailboxId: string): Promise<SystemFetch[]> {
      return call('GET', `/mailboxes/${encodeURIComponent(mailboxId)}/system-fetches/`, { accept: 'application/json' }, async (res) => {
        const parsed = z.object({ systemFetches: z.array(systemFetchSchema).default([]) }).passthrough().safeParse(await res.json().catch(() => null));
        if (!parsed.success) throw new ProviderError('provider_answer_unreadable', 'Digital Post sent a system-fetch list we cannot read.', true);
        return parsed.data.systemFetches;
      });
    },

    /**
     * NgDP's id of the mailbox of `delegatedCVR` (`GET /mailboxes/`): the one whose owner is that CVR
     * number, or the only one visible. Null when it cannot be told.
     */
    async findMailboxId(): Promise<string | null> {
      const found = await call('GET', '/mailboxes/', { query: { page: '0', size: '20' }, accept: 'application/json' }, async (res) => {
        const parsed = mailboxSearchSchema.safeParse(await res.json().catch(() => null));
        if (!parsed.success) throw new ProviderError('provider_answer_unreadable', 'Digital Post sent a mailbox list we cannot read.', true);
        return parsed.data.mailboxes;
      });
      const own = found.filter((m) => m.ownerExternalId === o.delegatedCVR);
      if (own.length === 1) return own[0].id;
      return found.length === 1 ? found[0].id : null;
    },
  };
}

export type NgdpClient = ReturnType<typeof createNgdpClient>;

function describeFailure(e: unknown): string {
  const err = e as Error & { cause?: Error };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'did not answer in time';
  return `could not be completed: ${err.cause?.message ?? err.message}`;
}

function ignoreNotFound(e: unknown): void {
  if (e instanceof ProviderError && e.status === 404) return;
  throw e;
}
