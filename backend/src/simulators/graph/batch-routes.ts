// JSON batching: POST /v1.0/$batch with at most 20 requests. Each request is sent back through this
// same simulator over loopback HTTP, so it meets the same auth, faults and per-mailbox throttling
// as a direct call (a 429 inside a 200). `dependsOn` orders requests; a failed dependency gives 424.
// The recording keeps the batch's inner requests on the $batch entry; the replays carry its request-id.
import type { Request, Response } from 'express';
import { z } from 'zod';
import { asyncHandler } from '../http';
import { badRequest, graphErrorBody } from './errors';
import { BATCH_REPLAY_HEADER } from './recorder';
import { sendJson } from './respond';
import type { GraphRuntime } from './runtime';

const MAX_BATCH = 20;
const batchSchema = z.object({
  requests: z.array(z.object({
    id: z.string().min(1),
    method: z.string().regex(/^(GET|POST|PUT|PATCH|DELETE)$/i),
    url: z.string().min(1),
    headers: z.record(z.string()).optional(),
    body: z.unknown().optional(),
    dependsOn: z.array(z.string()).optional(),
  }).passthrough()).min(1),
}).passthrough();

// JSON batching's envelope has no type in @microsoft/microsoft-graph-types; each response's body is
// the simulator's own answer to the inner request (typed where that route builds it).
type BatchRequest = z.infer<typeof batchSchema>['requests'][number];
interface BatchResponse { id: string; status: number; headers: Record<string, string>; body?: unknown }
interface BatchResponseBody { responses: BatchResponse[] }
const KEEP_HEADERS = ['content-type', 'retry-after', 'location', 'preference-applied', 'request-id'];

export function batchHandler(rt: GraphRuntime) {
  return asyncHandler(async (req: Request, res: Response) => {
    const parsed = batchSchema.safeParse(res.locals.body);
    if (!parsed.success) throw badRequest('Invalid batch payload format.', 'BadRequest');
    const reqs = parsed.data.requests;
    if (reqs.length > MAX_BATCH) throw badRequest(`The number of batch requests exceeds the limit of ${MAX_BATCH}.`, 'BadRequest');
    const ids = new Set(reqs.map((r) => r.id));
    if (ids.size !== reqs.length) throw badRequest('Batch request ids must be unique.', 'BadRequest');
    for (const r of reqs) {
      for (const d of r.dependsOn ?? []) if (!ids.has(d)) throw badRequest(`Request ${r.id} depends on unknown request ${d}.`, 'BadRequest');
    }
    const deps = new Map(reqs.map((r) => [r.id, r.dependsOn ?? []]));
    const cyclic = (id: string, seen: string[]): boolean => seen.includes(id) || (deps.get(id) ?? []).some((d) => cyclic(d, [...seen, id]));
    if (reqs.some((r) => cyclic(r.id, []))) throw badRequest('The dependsOn of the batch requests form a cycle.', 'BadRequest');

    const addr = req.socket.localAddress ?? '127.0.0.1';
    const host = addr.includes(':') ? (addr.startsWith('::ffff:') ? addr.slice(7) : `[${addr}]`) : addr;
    const base = `http://${host}:${req.socket.localPort}${req.baseUrl}`; // …/v1.0
    const results = new Map<string, Promise<BatchResponse>>();

    const run = async (r: BatchRequest): Promise<BatchResponse> => {
      const before = await Promise.all((r.dependsOn ?? []).map((d) => start(reqs.find((x) => x.id === d)!)));
      if (before.some((d) => d.status >= 400)) return failed(r.id, 424, 'FailedDependency', 'A request this one depends on failed.');
      const headers: Record<string, string> = { ...(r.headers ?? {}) };
      const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
      if (r.body !== undefined && !lower['content-type']) return failed(r.id, 400, 'BadRequest', `Write request id : ${r.id} does not contain Content-Type header or body.`);
      headers.Authorization = req.get('Authorization') ?? '';
      headers[BATCH_REPLAY_HEADER] = String(res.locals.requestId ?? ''); // the recording links it to this batch
      let path = r.url.replace(/^https?:\/\/[^/]+/i, '').replace(/^\/?v1\.0(?=\/)/i, '');
      if (!path.startsWith('/')) path = `/${path}`;
      if (/^\/\$batch/i.test(path)) return failed(r.id, 400, 'BadRequest', 'Nested batch requests are not allowed.');
      const body = r.body === undefined ? undefined : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
      const answer = await fetch(base + path, { method: r.method.toUpperCase(), headers, body });
      const text = await answer.text();
      const out: BatchResponse = { id: r.id, status: answer.status, headers: {} };
      answer.headers.forEach((v, k) => { if (KEEP_HEADERS.includes(k)) out.headers[k === 'retry-after' ? 'Retry-After' : k === 'content-type' ? 'Content-Type' : k] = v; });
      if (text) { try { out.body = JSON.parse(text); } catch { out.body = text; } }
      return out;
    };
    const failed = (id: string, status: number, code: string, message: string): BatchResponse =>
      ({ id, status, headers: { 'Content-Type': 'application/json' }, body: graphErrorBody(res, code, message) });
    const start = (r: BatchRequest) => {
      let p = results.get(r.id);
      if (!p) { p = run(r); results.set(r.id, p); }
      return p;
    };

    const responses = await Promise.all(reqs.map((r) => start(r)));
    sendJson(rt, res, 200, { responses } satisfies BatchResponseBody);
  });
}
