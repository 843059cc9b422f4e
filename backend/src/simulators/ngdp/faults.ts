// Switchable NgDP faults: latency, outage (every API call 503), random 500/503 answers, bodies cut
// off mid-transfer (truncate: Content-Length promises more than arrives, then the connection drops)
// and well-delivered but broken bodies (malformed: half an XML document / JSON text).
import type { RequestHandler, Response } from 'express';
import { sleep } from '../http';
import { NgdpError, sendError } from './errors';
import type { NgdpState } from './state';

export type Random = () => number;

const hit = (rate: number | undefined, random: Random) => rate !== undefined && rate > 0 && random() < rate;

/** Runs before every real-API route (not before the control routes). */
export function faultGate(state: NgdpState, random: Random): RequestHandler {
  return (req, res, next) => {
    const f = state.faults;
    const go = () => {
      if (f.outage) return sendError(res, new NgdpError(503, 'SERVICE_UNAVAILABLE', 'Digital Post is unavailable (simulated outage).', undefined, { 'Retry-After': '30' }));
      if (hit(f.errorRate, random)) {
        return random() < 0.5
          ? sendError(res, new NgdpError(500, 'INTERNAL_SERVER_ERROR', 'An unexpected error occurred (simulated).'))
          : sendError(res, new NgdpError(503, 'SERVICE_UNAVAILABLE', 'Service temporarily unavailable (simulated).', undefined, { 'Retry-After': '5' }));
      }
      next();
    };
    if (f.latencyMs) sleep(f.latencyMs).then(go, next); else go();
  };
}

/** Sends a successful body, unless a truncate or malformed fault strikes. */
export function sendBody(res: Response, state: NgdpState, random: Random, contentType: string, body: Buffer): void {
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
