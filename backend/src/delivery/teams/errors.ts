// One error type for Teams delivery, shaped like the Graph SDK's GraphError where it matters
// (statusCode, code, headers) so that the delivery job's classification and describeGraphError
// read it the same way, plus what the job needs to decide: retryable, and how long to wait.
import { retryAfterMs as parseRetryAfter } from '../pacing/middleware';

export class TeamsDeliveryError extends Error {
  override readonly name = 'TeamsDeliveryError';
  /** HTTP status, when there was an answer. */
  readonly statusCode?: number;
  /** Graph or Power Automate error code, when the answer had one. */
  readonly code?: string;
  readonly headers?: Headers;
  /** Trying again later may succeed (throttling, 5xx, timeouts, network); false: someone must fix something first. */
  readonly retryable: boolean;
  /** From Retry-After, when the answer had one. */
  readonly retryAfterMs?: number;
  /** The request may have taken effect although we saw no success (a timeout, a lost answer, a 5xx). */
  readonly uncertain: boolean;

  constructor(message: string, f: { statusCode?: number; code?: string; headers?: Headers; retryable: boolean; retryAfterMs?: number; uncertain?: boolean; cause?: unknown }) {
    super(message, f.cause !== undefined ? { cause: f.cause } : undefined);
    this.statusCode = f.statusCode;
    this.code = f.code;
    this.headers = f.headers;
    this.retryable = f.retryable;
    this.retryAfterMs = f.retryAfterMs;
    this.uncertain = f.uncertain ?? false;
  }
}

export const isRetryableStatus = (s: number) => s === 408 || s === 429 || s >= 500;

/** Retry-After in ms, only when the header is there. */
export function retryAfterOf(headers: Headers | undefined | null): number | undefined {
  return headers?.get('Retry-After') ? parseRetryAfter(headers) : undefined;
}

export function isTimeout(e: unknown): boolean {
  const n = (e as { name?: string })?.name;
  return n === 'TimeoutError' || n === 'AbortError' || /timed out/i.test(String((e as Error)?.message ?? ''));
}

/** A Graph SDK error (or any error) from one step, with that step named and retryability decided. */
export function graphStepError(step: string, e: unknown): TeamsDeliveryError {
  if (e instanceof TeamsDeliveryError) return e;
  const g = e as { statusCode?: number; code?: string | null; message?: string; headers?: Headers };
  const status = typeof g.statusCode === 'number' && g.statusCode > 0 ? g.statusCode : undefined;
  const detail = status ? `Microsoft Graph answered ${status}${g.code ? ` ${g.code}` : ''}: ${g.message || 'no message'}`
    : isTimeout(e) ? `Microsoft Graph did not answer in time (${g.message ?? 'timeout'})`
      : `${g.message ?? String(e)}`;
  return new TeamsDeliveryError(`${step}: ${detail}`, {
    statusCode: status, code: g.code ?? undefined, headers: g.headers,
    retryable: status === undefined || isRetryableStatus(status),
    retryAfterMs: retryAfterOf(g.headers), uncertain: status === undefined || status >= 500, cause: e,
  });
}
