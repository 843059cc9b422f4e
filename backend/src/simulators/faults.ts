// The switchable faults every provider simulator shares: latency, outage, random 500/503 answers
// (the gate before each API route), and bodies cut off mid-transfer or complete-but-broken (the
// body sender). Each simulator supplies only its own error body.
import { gzipSync } from 'node:zlib';
import type { RequestHandler, Response } from 'express';
import { sleep } from './http';

export type Random = () => number;

export interface GateFaults { outage?: boolean; errorRate?: number; latencyMs?: number }
/** `compress`: gzip answers when the request accepts gzip, as servers behind IIS or nginx compression do. */
export interface BodyFaults { truncateRate?: number; malformedRate?: number; compress?: boolean }

/** Whether an Accept-Encoding header admits gzip (named without q=0). */
export function acceptsGzip(header: string | undefined): boolean {
  return (header ?? '').split(',').some((part) => {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return (name === 'gzip' || name === '*') && !(q && Number(q.slice(2)) === 0);
  });
}

/** The failure to answer: an outage (503, Retry-After 30) or a random 500 or 503 (Retry-After 5). */
export type Failure = 'outage' | 'error500' | 'error503';

export const hit = (rate: number | undefined, random: Random) => rate !== undefined && rate > 0 && random() < rate;

export function faultGate(faults: () => GateFaults, random: Random, fail: (res: Response, f: Failure) => void): RequestHandler {
  return (_req, res, next) => {
    const f = faults();
    const go = () => {
      if (f.outage) return fail(res, 'outage');
      if (hit(f.errorRate, random)) return fail(res, random() < 0.5 ? 'error500' : 'error503');
      next();
    };
    if (f.latencyMs) sleep(f.latencyMs).then(go, next); else go();
  };
}

/** Sends a successful body (gzipped when `compress` and the client accepts it), unless a truncate (Content-Length promises more, then the connection drops) or malformed fault strikes. */
export function sendFaultyBody(res: Response, faults: BodyFaults, random: Random, contentType: string, plain: Buffer, status = 200): void {
  res.status(status).setHeader('Content-Type', contentType);
  let body = plain;
  if (faults.compress) {
    res.setHeader('Vary', 'Accept-Encoding');
    if (acceptsGzip(res.req.headers['accept-encoding'])) {
      body = gzipSync(plain);
      res.setHeader('Content-Encoding', 'gzip'); // Content-Length below is then the compressed size
    }
  }
  if (hit(faults.truncateRate, random) && body.length > 1) {
    res.setHeader('Content-Length', String(body.length));
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
    return;
  }
  if (hit(faults.malformedRate, random)) {
    const broken = body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
    res.setHeader('Content-Length', String(broken.length));
    res.end(broken);
    return;
  }
  res.setHeader('Content-Length', String(body.length));
  res.end(body);
}
