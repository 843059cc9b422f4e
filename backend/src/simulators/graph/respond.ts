// Successful answers: JSON with Graph's content type and an @odata.context; a write picked by the
// timeoutAfterWrite fault has already been carried out when we get here and is left unanswered.
import type { Request, Response } from 'express';
import { origin } from './odata-query';
import type { GraphRuntime } from './runtime';

export const GRAPH_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export function sendJson(rt: GraphRuntime, res: Response, status: number, body: unknown): void {
  const answer = () => writeJson(res, status, body);
  if (res.locals.holdAfterWrite && status < 300) return rt.hold(res, answer);
  answer();
}

/** Writes JSON as Graph labels it (express's res.json would rewrite the content type). */
export function writeJson(res: Response, status: number, body: unknown): void {
  const buf = Buffer.from(JSON.stringify(body), 'utf8');
  res.status(status).setHeader('Content-Type', GRAPH_JSON);
  res.setHeader('Content-Length', String(buf.length));
  res.end(buf);
}

/** An answer without a body (204, 202, the last upload chunk's 201), held like sendJson's. */
export function sendEmpty(rt: GraphRuntime, res: Response, status: number, headers: Record<string, string> = {}): void {
  const answer = () => {
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.status(status).setHeader('Content-Length', '0');
    res.end();
  };
  if (res.locals.holdAfterWrite && status < 300) return rt.hold(res, answer);
  answer();
}

/** `@odata.context` for a resource path such as users('x')/mailFolders('inbox')/childFolders. */
export function contextUrl(req: Request, fragment: string): string {
  return `${simRoot(req)}/v1.0/$metadata#${fragment}`;
}

/** The simulator's own origin and mount prefix, e.g. http://127.0.0.1:3000/sim/graph. */
export function simRoot(req: Request): string {
  const base = req.baseUrl;
  const at = base.indexOf('/v1.0');
  return `${origin(req)}${at >= 0 ? base.slice(0, at) : base.replace(/\/upload$/, '')}`;
}

export const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
