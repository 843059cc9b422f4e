// Switchable e-Boks faults: latency, outage (every API call 503), random 500/503 answers, bodies cut
// off mid-transfer and complete-but-broken bodies. Session expiry lives in state.ts (sessionTtlMs).
import type { RequestHandler, Response } from 'express';
import { faultGate as commonGate, sendFaultyBody, type Random } from '../faults';
import { errorXml } from './xml';
import type { EboksState } from './state';

export type { Random } from '../faults';

export function sendError(res: Response, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.status(status).type('application/xml').send(errorXml(code, message));
}

/** Runs before every API route (logon included), not before the control routes. */
export function faultGate(state: EboksState, random: Random): RequestHandler {
  return commonGate(() => state.faults, random, (res, f) => (f === 'outage'
    ? sendError(res, 503, 'SERVICE_UNAVAILABLE', 'e-Boks is unavailable (simulated outage).', { 'Retry-After': '30' })
    : f === 'error500' ? sendError(res, 500, 'INTERNAL_ERROR', 'An unexpected error occurred (simulated).')
      : sendError(res, 503, 'SERVICE_UNAVAILABLE', 'Service temporarily unavailable (simulated).', { 'Retry-After': '5' })));
}

/** Sends a successful body, unless a truncate or malformed fault strikes. */
export function sendBody(res: Response, state: EboksState, random: Random, contentType: string, body: Buffer, status = 200): void {
  sendFaultyBody(res, state.faults, random, contentType, body, status);
}
