// Switchable e-Boks faults: latency, outage (every API call 503), random 500/503 answers, bodies cut
// off mid-transfer and complete-but-broken bodies. Session expiry lives in state.ts (sessionTtlMs).
import type { RequestHandler, Response } from 'express';
import { sleep } from '../http';
import { errorXml } from './xml';
import type { EboksState } from './state';

export type Random = () => number;

const hit = (rate: number | undefined, random: Random) => rate !== undefined && rate > 0 && random() < rate;

export function sendError(res: Response, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.status(status).type('application/xml').send(errorXml(code, message));
}

/** Runs before every API route (logon included), not before the control routes. */
export function faultGate(state: EboksState, random: Random): RequestHandler {
  return (_req, res, next) => {
    const f = state.faults;
    const go = () => {
      if (f.outage) return sendError(res, 503, 'SERVICE_UNAVAILABLE', 'e-Boks is unavailable (simulated outage).', { 'Retry-After': '30' });
      if (hit(f.errorRate, random)) {
        return random() < 0.5
          ? sendError(res, 500, 'INTERNAL_ERROR', 'An unexpected error occurred (simulated).')
          : sendError(res, 503, 'SERVICE_UNAVAILABLE', 'Service temporarily unavailable (simulated).', { 'Retry-After': '5' });
      }
      next();
    };
    if (f.latencyMs) sleep(f.latencyMs).then(go, next); else go();
  };
}

/** Sends a successful body, unless a truncate or malformed fault strikes. */
export function sendBody(res: Response, state: EboksState, random: Random, contentType: string, body: Buffer, status = 200): void {
  res.status(status).setHeader('Content-Type', contentType);
  if (hit(state.faults.truncateRate, random) && body.length > 1) {
    res.setHeader('Content-Length', String(body.length));
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
    return;
  }
  if (hit(state.faults.malformedRate, random)) {
    const broken = body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
    res.setHeader('Content-Length', String(broken.length));
    res.end(broken);
    return;
  }
  res.setHeader('Content-Length', String(body.length));
  res.end(body);
}
