// NgDP (Digital Post for organisations) REST client: pull (list, get, receipt, delete) and send.
// Production runs it over mutual TLS with the organisation's or vendor's OCES certificate (the
// `dispatcher` carries it); `delegatedCVR` lets one vendor certificate serve many organisations.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
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

// The list answer: the UUIDs of waiting memos on the requested page.
export const memoListSchema = z.object({
  memos: z.array(z.object({ messageUUID: z.string().uuid() }).passthrough()),
}).passthrough();

export function createNgdpClient(o: NgdpClientOptions) {
  const base = o.baseUrl.replace(/\/+$/, '');
  const auth = 'Basic ' + Buffer.from(`${o.system.username}:${o.system.password}`).toString('base64');
  const size = o.pageSize ?? 50;

  async function call(method: string, path: string, init: { accept?: string; body?: string | Buffer; contentType?: string; query?: Record<string, string> } = {}) {
    const url = new URL(base + path);
    url.searchParams.set('delegatedCVR', o.delegatedCVR);
    for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = { Authorization: auth };
    if (init.accept) headers.Accept = init.accept;
    if (init.contentType) headers['Content-Type'] = init.contentType;
    let res: Response;
    try {
      res = await fetch(url, {
        method, headers, body: init.body, signal: AbortSignal.timeout(o.timeoutMs ?? 30_000),
        ...(o.dispatcher ? { dispatcher: o.dispatcher } : {}),
      } as RequestInit);
    } catch (e) {
      const why = (e as Error).name === 'TimeoutError' ? 'did not answer in time' : `could not be reached (${(e as Error).message})`;
      throw new ProviderError(`Digital Post ${method} ${path} ${why}`, true);
    }
    if (!res.ok) {
      const text = (await res.text().catch(() => '')).slice(0, 300);
      const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
      const hint = res.status === 401 || res.status === 403 ? ' (check the system credentials and certificate)' : '';
      throw new ProviderError(`Digital Post answered ${res.status} to ${method} ${path}${hint}: ${text}`, retryable, res.status);
    }
    return res;
  }

  const connector: MailboxConnector = {
    async *listWaiting() {
      // Acknowledged memos disappear from the list, so always read the first page again.
      for (let guard = 0; guard < 10_000; guard++) {
        const res = await call('GET', '/memos/', { query: { page: '0', size: String(size) }, accept: 'application/json' });
        const parsed = memoListSchema.safeParse(await res.json().catch(() => null));
        if (!parsed.success) throw new ProviderError('Digital Post sent a memo list we cannot read (truncated or malformed JSON).', true);
        const ids = parsed.data.memos.map((m) => m.messageUUID);
        if (ids.length === 0) return;
        yield ids;
        if (ids.length < size) return;
      }
    },
    async fetchRaw(id) {
      const res = await call('GET', `/memos/${encodeURIComponent(id)}`, { accept: 'application/xml' });
      const buf = Buffer.from(await res.arrayBuffer());
      const declared = Number(res.headers.get('content-length') ?? NaN);
      if (Number.isFinite(declared) && declared !== buf.length) {
        throw new ProviderError(`Digital Post sent ${buf.length} of ${declared} bytes of memo ${id}; will fetch again.`, true);
      }
      return buf;
    },
    async acknowledge(id, ack: Acknowledgement) {
      const receipt = {
        messageUUID: ack.messageUUID ?? id,
        receiptStatus: ack.status,
        timeStamp: new Date().toISOString(),
        ...(ack.errorMessage ? { errorCode: 'INVALID_MEMO', errorMessage: ack.errorMessage } : {}),
      };
      await call('POST', `/memos/${encodeURIComponent(id)}/receipt`, { body: JSON.stringify(receipt), contentType: 'application/json' });
      await call('DELETE', `/memos/${encodeURIComponent(id)}`);
    },
  };

  return {
    connector,
    /** Sends a MeMo (used for replies); returns NgDP's transmission id. */
    async send(memoXml: string, messageUUID: string = randomUUID()): Promise<string> {
      const res = await call('POST', '/memos/', { query: { 'memo-message-uuid': messageUUID }, body: memoXml, contentType: 'application/xml' });
      const body = await res.json().catch(() => ({})) as { transmissionId?: string };
      if (!body.transmissionId) throw new ProviderError('Digital Post accepted the memo but returned no transmissionId.', false);
      return body.transmissionId;
    },
  };
}
