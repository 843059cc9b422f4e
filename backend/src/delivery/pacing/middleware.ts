// Graph SDK middleware that puts every request through the pacer of its lane and honours
// Retry-After: a 429 (and a 503 on a read) pauses the lane and the request is sent again once the
// pause is over, a few times at most. Writes answered 503 are not repeated here: Graph may have done
// them, so the delivery engine looks for its copy before trying again.
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { Pacer } from './pacer';
import { RequestClock } from './request-clock';

const MAX_THROTTLE_RETRIES = 4;
const DEFAULT_RETRY_AFTER_MS = 2_000;

/** The lane of a Graph URL: the mailbox of /users/{id}/…, the drive or team otherwise; null for others. */
export function laneOf(url: string): string | null {
  let path: string;
  try { path = new URL(url).pathname; } catch { return null; }
  const m = /\/(users|drives|teams|groups)\/([^/?]+)/i.exec(path);
  if (!m) return null;
  let id = m[2];
  try { id = decodeURIComponent(id); } catch { /* keep as is */ }
  id = id.replace(/^\(?'?|'?\)?$/g, '').toLowerCase();
  return m[1].toLowerCase() === 'users' ? `mailbox:${id}` : `${m[1].toLowerCase()}:${id}`;
}

export function retryAfterMs(headers: Headers | undefined | null, fallback = DEFAULT_RETRY_AFTER_MS): number {
  const v = headers?.get('Retry-After');
  if (!v) return fallback;
  const s = Number(v);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const d = Date.parse(v);
  return Number.isFinite(d) ? Math.max(0, d - Date.now()) : fallback;
}

function bodyBytes(body: unknown): number {
  if (body == null) return 0;
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof ArrayBuffer) return body.byteLength;
  if (ArrayBuffer.isView(body)) return body.byteLength;
  return 0;
}

export function pacingMiddleware(pacer: Pacer, onThrottled?: (lane: string, status: number, waitMs: number) => void): Middleware {
  let next: Middleware | undefined;
  return {
    async execute(ctx: Context) {
      const url = typeof ctx.request === 'string' ? ctx.request : ctx.request.url;
      const lane = laneOf(url);
      if (!lane) return next!.execute(ctx);
      const method = (ctx.options?.method ?? 'GET').toUpperCase();
      const bytes = ['POST', 'PUT', 'PATCH'].includes(method) ? bodyBytes(ctx.options?.body) : 0;
      // The call's time limit runs only while the request is out, not while it waits for a slot.
      const clock = ctx.middlewareControl?.getMiddlewareOptions(RequestClock) as RequestClock | undefined;
      for (let attempt = 0; ; attempt++) {
        clock?.stop();
        const release = await pacer.acquire(lane, bytes, undefined, ctx.options?.signal ?? undefined);
        clock?.start();
        try { await next!.execute(ctx); } finally { release(); }
        const status = ctx.response?.status ?? 0;
        const throttled = status === 429 || (status === 503 && (method === 'GET' || method === 'HEAD'));
        if (status !== 429 && status !== 503) return;
        const wait = retryAfterMs(ctx.response?.headers);
        pacer.pause(lane, wait);
        onThrottled?.(lane, status, wait);
        if (!throttled || attempt >= MAX_THROTTLE_RETRIES) return;
      }
    },
    setNext(m: Middleware) { next = m; },
  };
}
