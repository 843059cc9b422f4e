// The Brevdue API as the task pane sees it: fetch, an optional bearer token, and every answer parsed
// with the shared zod contracts, so a mismatch shows up as a clear error, not as undefined in the UI.
import type { z } from 'zod';
import {
  apiErrorSchema, healthSchema, meSchema, messageDetailSchema, messageListResponseSchema,
  type Health, type Me, type MessageDetail, type MessageListResponse,
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

export interface ApiClient {
  health(signal?: AbortSignal): Promise<Health>;
  me(signal?: AbortSignal): Promise<Me>;
  listMessages(params?: ListMessagesParams, signal?: AbortSignal): Promise<MessageListResponse>;
  getMessage(id: string, signal?: AbortSignal): Promise<MessageDetail>;
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

export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const baseUrl = (options.baseUrl ?? '/api').replace(/\/+$/, '');
  const getToken = options.getToken ?? getAccessToken;
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));

  async function get<S extends z.ZodTypeAny>(path: string, schema: S, signal?: AbortSignal): Promise<z.infer<S>> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = await getToken();
    if (token) headers.Authorization = `Bearer ${token}`;

    let res: Response;
    try {
      res = await doFetch(baseUrl + path, { method: 'GET', headers, signal });
    } catch (e) {
      if (isAbortError(e)) throw e;
      throw new ApiError('network', 'network', e instanceof Error ? e.message : String(e));
    }

    let body: unknown;
    const text = await res.text();
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }

    if (!res.ok) {
      const err = apiErrorSchema.safeParse(body);
      if (err.success) throw new ApiError('http', err.data.error.code, err.data.error.message, res.status, true);
      throw new ApiError('http', `http_${res.status}`, `HTTP ${res.status} ${res.statusText}`.trim(), res.status);
    }

    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unexpected body';
      throw new ApiError('invalid', 'invalid_response', `GET ${path} answered outside the contract (${where})`, res.status);
    }
    return parsed.data;
  }

  return {
    health: (signal) => get('/health', healthSchema, signal),
    me: (signal) => get('/me', meSchema, signal),
    listMessages: (params, signal) => get(messageListPath(params), messageListResponseSchema, signal),
    getMessage: (id, signal) => get(`/messages/${encodeURIComponent(id)}`, messageDetailSchema, signal),
  };
}
