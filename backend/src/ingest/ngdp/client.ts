// NgDP (Digital Post for organisations) REST client: pull (list, get, receipt, delete) and send.
// Production runs it over mutual TLS with the organisation's or vendor's OCES certificate (the
// `dispatcher` carries it); `delegatedCVR` lets one vendor certificate serve many organisations.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { withTimeout } from '../../util/timeout';
import { ProviderError, type Acknowledgement, type MailboxConnector } from '../connector';

export interface NgdpClientOptions {
  baseUrl: string; // e.g. https://api.digitalpost.dk/apis/v1
  system: { username: string; password: string }; // the calling system's uuid:uuid
  delegatedCVR: string;
  pageSize?: number;
  timeoutMs?: number;
  /** undici dispatcher with the client certificate (mTLS); omitted against a local simulator. */
  dispatcher?: unknown;
}

// The list answer, NgDP's PagingResultUUID: the UUIDs of waiting memos on the requested (zero-based) page.
export const memoListSchema = z.object({
  content: z.array(z.string().uuid()),
  number: z.number().int().nonnegative(),
  size: z.number().int().positive(),
  totalElements: z.number().int().nonnegative(),
  totalPages: z.number().int().nonnegative(),
}).passthrough();

export function createNgdpClient(o: NgdpClientOptions) {
  const base = o.baseUrl.replace(/\/+$/, '');
  const auth = 'Basic ' + Buffer.from(`${o.system.username}:${o.system.password}`).toString('base64');
  const size = o.pageSize ?? 50;

  /** One request; `read` consumes the body inside the same time limit, so a stalled body times out too. */
  async function call<T = void>(
    method: string, path: string,
    init: { accept?: string; body?: string | Buffer; contentType?: string; query?: Record<string, string> } = {},
    read: (res: Response) => Promise<T> = async () => undefined as T,
  ): Promise<T> {
    const url = new URL(base + path);
    url.searchParams.set('delegatedCVR', o.delegatedCVR);
    for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = { Authorization: auth };
    if (init.accept) headers.Accept = init.accept;
    if (init.contentType) headers['Content-Type'] = init.contentType;
    return withTimeout(o.timeoutMs ?? 30_000, async (signal) => {
      let res: Response;
      try {
        res = await fetch(url, { method, headers, body: init.body, signal, ...(o.dispatcher ? { dispatcher: o.dispatcher } : {}) } as RequestInit);
      } catch (e) {
        throw new ProviderError(`Digital Post ${method} ${path} ${describeFailure(e)}`, true);
      }
      if (!res.ok) {
        const text = (await res.text().catch(() => '')).slice(0, 300);
        const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
        const hint = res.status === 401 || res.status === 403 ? ' (check the system credentials and certificate)' : '';
        throw new ProviderError(`Digital Post answered ${res.status} to ${method} ${path}${hint}: ${text}`, retryable, res.status);
      }
      try {
        return await read(res);
      } catch (e) {
        if (e instanceof ProviderError) throw e;
        throw new ProviderError(`Digital Post broke off the answer to ${method} ${path} (${describeFailure(e)}); will try again.`, true);
      }
    });
  }

  const connector: MailboxConnector = {
    async *listWaiting() {
      // Acknowledged memos disappear from the list, so always read the first page again.
      for (let guard = 0; guard < 10_000; guard++) {
        const body = await call('GET', '/memos/', { query: { page: '0', size: String(size) }, accept: 'application/json' },
          (res) => res.json().catch(() => null));
        const parsed = memoListSchema.safeParse(body);
        if (!parsed.success) throw new ProviderError('Digital Post sent a memo list we cannot read (truncated or malformed JSON).', true);
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
          throw new ProviderError(`Digital Post sent ${buf.length} of ${declared} bytes of memo ${id}; will fetch again.`, true);
        }
        return buf;
      });
    },
    async acknowledge(id, ack: Acknowledgement) {
      const receipt = {
        messageUUID: ack.messageUUID ?? id,
        receiptStatus: ack.status,
        timeStamp: new Date().toISOString(),
        ...(ack.errorMessage ? { errorCode: 'INVALID_MEMO', errorMessage: ack.errorMessage } : {}),
      };
      // 404: the memo is already gone because another poll (another process, an overlapping run)
      // acknowledged it after storing the same letter. Our copy is stored too, so that is success.
      await call('POST', `/memos/${encodeURIComponent(id)}/receipt`, { body: JSON.stringify(receipt), contentType: 'application/json' })
        .catch(ignoreNotFound);
      await call('DELETE', `/memos/${encodeURIComponent(id)}`).catch(ignoreNotFound);
    },
  };

  return {
    connector,
    /** Sends a MeMo (used for replies); returns NgDP's transmission id. */
    async send(memoXml: string, messageUUID: string = randomUUID()): Promise<string> {
      const body = await call('POST', '/memos/', { query: { 'memo-message-uuid': messageUUID }, body: memoXml, contentType: 'application/xml' },
        (res) => res.json().catch(() => ({})) as Promise<{ transmissionId?: string }>);
      if (!body.transmissionId) throw new ProviderError('Digital Post accepted the memo but returned no transmissionId.', false);
      return body.transmissionId;
    },
  };
}

function describeFailure(e: unknown): string {
  const err = e as Error & { cause?: Error };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'did not answer in time';
  return `could not be completed: ${err.cause?.message ?? err.message}`;
}

function ignoreNotFound(e: unknown): void {
  if (e instanceof ProviderError && e.status === 404) return;
  throw e;
}
