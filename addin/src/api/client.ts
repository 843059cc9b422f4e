// The Brevdue API as the task pane sees it: fetch, an optional bearer token, and every answer parsed
// with the shared zod contracts, so a mismatch shows up as a clear error, not as undefined in the UI.
import { z } from 'zod';
import {
  apiErrorSchema, destinationSchema, healthSchema, meSchema, messageDetailSchema, messageListResponseSchema,
  triageListSchema,
  type Destination, type Health, type Me, type MessageDetail, type MessageListResponse, type TriageList,
} from '../../../shared/src/contracts';
import { getAccessToken } from '../auth';

export type ApiErrorKind =
  | 'http' // the server answered with an error status (message from its error JSON when present)
  | 'network' // no answer at all
  | 'invalid'; // an answer that does not match the contract

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    /** The error code from the API's JSON, or a synthetic one (http_502, network, invalid_response). */
    readonly code: string,
    message: string,
    readonly status: number | null = null,
    /** True when `message` came from the server's error JSON and is meant for a person. */
    readonly fromServer = false,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ListMessagesParams {
  cvr?: string;
  q?: string;
  limit?: number;
  offset?: number;
}

export interface PageParams {
  limit?: number;
  offset?: number;
}

/** What the pane needs of the organisation's delivery settings (GET /api/admin/delivery-settings, operators and admins). */
export const rerouteDefaultsSchema = z.object({ rerouteOldCopy: z.enum(['leave', 'move']) });
export type RerouteDefaults = z.infer<typeof rerouteDefaultsSchema>;
export type OldCopy = RerouteDefaults['rerouteOldCopy'];

/** Resend, reroute and place answer 202 with the new deliveries' ids. */
export const deliveriesCreatedSchema = z.object({ deliveryIds: z.array(z.string().uuid()) });
export type DeliveriesCreated = z.infer<typeof deliveriesCreatedSchema>;

export const destinationListSchema = z.object({ items: z.array(destinationSchema) });

/** The Outlook item's ids, as the add-in can read them (office/mailbox.ts). */
export interface OutlookItemIds {
  /** The item's REST id (Office: convertToRestId(itemId, v2.0)); see backend GET /messages/by-graph-id. */
  restId: string;
  /** The item's Internet message id; sent along for a later fallback lookup (the backend ignores it today). */
  internetMessageId?: string | null;
}

export interface ApiClient {
  health(signal?: AbortSignal): Promise<Health>;
  me(signal?: AbortSignal): Promise<Me>;
  listMessages(params?: ListMessagesParams, signal?: AbortSignal): Promise<MessageListResponse>;
  getMessage(id: string, signal?: AbortSignal): Promise<MessageDetail>;
  /** The letter delivered as this Outlook item (404 ApiError when it is not one of ours). */
  findByOutlookItem(ids: OutlookItemIds, signal?: AbortSignal): Promise<MessageDetail>;
  /** A document's content, for saving under its original file name. */
  downloadDocument(messageId: string, documentId: string, signal?: AbortSignal): Promise<Blob>;
  /** The approved-recipients registry (everyone signed in may read it). */
  listDestinations(signal?: AbortSignal): Promise<Destination[]>;
  rerouteDefaults(signal?: AbortSignal): Promise<RerouteDefaults>;
  resend(messageId: string, body: { deliveryId?: string }): Promise<DeliveriesCreated>;
  reroute(messageId: string, body: { destinationIds: string[]; oldCopy?: OldCopy }): Promise<DeliveriesCreated>;
  listTriage(params?: PageParams, signal?: AbortSignal): Promise<TriageList>;
  place(messageId: string, body: { destinationIds: string[] }): Promise<DeliveriesCreated>;
}

export interface ApiClientOptions {
  /** Base of the API, without a trailing slash; default `/api`. */
  baseUrl?: string;
  getToken?: () => Promise<string | null>;
  fetch?: typeof fetch;
}

export function isAbortError(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}

export function messageListPath(params: ListMessagesParams = {}): string {
  const search = new URLSearchParams();
  if (params.cvr) search.set('cvr', params.cvr);
  const q = params.q?.trim();
  if (q) search.set('q', q);
  if (params.limit !== undefined) search.set('limit', String(params.limit));
  if (params.offset) search.set('offset', String(params.offset));
  const qs = search.toString();
  return qs ? `/messages?${qs}` : '/messages';
}

export function triagePath(params: PageParams = {}): string {
  const search = new URLSearchParams();
  if (params.limit !== undefined) search.set('limit', String(params.limit));
  if (params.offset) search.set('offset', String(params.offset));
  const qs = search.toString();
  return qs ? `/triage?${qs}` : '/triage';
}

export function outlookItemPath(ids: OutlookItemIds): string {
  const path = `/messages/by-graph-id/${encodeURIComponent(ids.restId)}`;
  return ids.internetMessageId ? `${path}?${new URLSearchParams({ internetMessageId: ids.internetMessageId })}` : path;
}

type Method = 'GET' | 'POST';

export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const baseUrl = (options.baseUrl ?? '/api').replace(/\/+$/, '');
  const getToken = options.getToken ?? getAccessToken;
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));

  /** Sends the request; an error status becomes an ApiError with the API's own sentence. */
  async function send(method: Method, path: string, opts: { body?: unknown; accept?: string; signal?: AbortSignal }): Promise<Response> {
    const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json' };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    const token = await getToken();
    if (token) headers.Authorization = `Bearer ${token}`;

    let res: Response;
    try {
      res = await doFetch(baseUrl + path, {
        method, headers, signal: opts.signal, body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
    } catch (e) {
      if (isAbortError(e)) throw e;
      throw new ApiError('network', 'network', e instanceof Error ? e.message : String(e));
    }
    if (!res.ok) {
      const body = parseJson(await res.text().catch(() => ''));
      const err = apiErrorSchema.safeParse(body);
      if (err.success) throw new ApiError('http', err.data.error.code, err.data.error.message, res.status, true);
      throw new ApiError('http', `http_${res.status}`, `HTTP ${res.status} ${res.statusText}`.trim(), res.status);
    }
    return res;
  }

  async function json<S extends z.ZodTypeAny>(method: Method, path: string, schema: S, opts: { body?: unknown; signal?: AbortSignal } = {}): Promise<z.infer<S>> {
    const res = await send(method, path, opts);
    const body = parseJson(await res.text());
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unexpected body';
      throw new ApiError('invalid', 'invalid_response', `${method} ${path} answered outside the contract (${where})`, res.status);
    }
    return parsed.data;
  }

  const get = <S extends z.ZodTypeAny>(path: string, schema: S, signal?: AbortSignal) => json('GET', path, schema, { signal });
  const post = <S extends z.ZodTypeAny>(path: string, schema: S, body: unknown) => json('POST', path, schema, { body });
  const letter = (id: string) => `/messages/${encodeURIComponent(id)}`;

  return {
    health: (signal) => get('/health', healthSchema, signal),
    me: (signal) => get('/me', meSchema, signal),
    listMessages: (params, signal) => get(messageListPath(params), messageListResponseSchema, signal),
    getMessage: (id, signal) => get(letter(id), messageDetailSchema, signal),
    findByOutlookItem: (ids, signal) => get(outlookItemPath(ids), messageDetailSchema, signal),
    downloadDocument: async (messageId, documentId, signal) => {
      const res = await send('GET', `${letter(messageId)}/documents/${encodeURIComponent(documentId)}`, { accept: '*/*', signal });
      try {
        return await res.blob();
      } catch (e) {
        if (isAbortError(e)) throw e;
        throw new ApiError('network', 'network', e instanceof Error ? e.message : String(e));
      }
    },
    listDestinations: async (signal) => (await get('/destinations', destinationListSchema, signal)).items,
    rerouteDefaults: (signal) => get('/admin/delivery-settings', rerouteDefaultsSchema, signal),
    resend: (messageId, body) => post(`${letter(messageId)}/resend`, deliveriesCreatedSchema, body),
    reroute: (messageId, body) => post(`${letter(messageId)}/reroute`, deliveriesCreatedSchema, body),
    listTriage: (params, signal) => get(triagePath(params), triageListSchema, signal),
    place: (messageId, body) => post(`/triage/${encodeURIComponent(messageId)}/place`, deliveriesCreatedSchema, body),
  };
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
