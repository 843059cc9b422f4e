// Switchable mit.dk faults: latency, outage, random 500/503 answers, bodies cut off mid-transfer and
// complete-but-broken bodies. Token expiry lives in state.ts (tokenTtlMs).
import type { RequestHandler, Response } from 'express';
import { sleep } from '../http';
import type { MitdkState } from './state';

export type Random = () => number;

const hit = (rate: number | undefined, random: Random) => rate !== undefined && rate > 0 && random() < rate;

/** mit.dk's error body, as its public clients read it: {code, message}. */
export function sendError(res: Response, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.status(status).json({ code, message });
}

export function faultGate(state: MitdkState, random: Random): RequestHandler {
  return (_req, res, next) => {
    const f = state.faults;
    const go = () => {
      if (f.outage) return sendError(res, 503, 'SERVICE_UNAVAILABLE', 'mit.dk is unavailable (simulated outage).', { 'Retry-After': '30' });
      if (hit(f.errorRate, random)) {
        return random() < 0.5
          ? sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'An unexpected error occurred (simulated).')
          : sendError(res, 503, 'SERVICE_UNAVAILABLE', 'Service temporarily unavailable (simulated).', { 'Retry-After': '5' });
      }
      next();
    };
    if (f.latencyMs) sleep(f.latencyMs).then(go, next); else go();
  };
}

export function sendBody(res: Response, state: MitdkState, random: Random, contentType: string, body: Buffer): void {
  res.status(200).setHeader('Content-Type', contentType);
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

export const sendJson = (res: Response, state: MitdkState, random: Random, value: unknown) =>
  sendBody(res, state, random, 'application/json', Buffer.from(JSON.stringify(value)));
