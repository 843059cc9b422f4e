// The switchable faults every provider simulator shares: latency, outage, random 500/503 answers
// (the gate before each API route), and bodies cut off mid-transfer or complete-but-broken (the
// body sender). Each simulator supplies only its own error body.
import type { RequestHandler, Response } from 'express';
import { sleep } from './http';

export type Random = () => number;

export interface GateFaults { outage?: boolean; errorRate?: number; latencyMs?: number }
export interface BodyFaults { truncateRate?: number; malformedRate?: number }

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

/** Sends a successful body, unless a truncate (Content-Length promises more, then the connection drops) or malformed fault strikes. */
export function sendFaultyBody(res: Response, faults: BodyFaults, random: Random, contentType: string, body: Buffer, status = 200): void {
  res.status(status).setHeader('Content-Type', contentType);
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
