// Switchable mit.dk faults: latency, outage, random 500/503 answers, bodies cut off mid-transfer and
// complete-but-broken bodies. Token expiry lives in state.ts (tokenTtlMs).
import type { RequestHandler, Response } from 'express';
import { faultGate as commonGate, sendFaultyBody, type Random } from '../faults';
import type { MitdkState } from './state';

export type { Random } from '../faults';

/** mit.dk's error body, as its public clients read it: {code, message}. */
export function sendError(res: Response, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.status(status).json({ code, message });
}

export function faultGate(state: MitdkState, random: Random): RequestHandler {
  return commonGate(() => state.faults, random, (res, f) => (f === 'outage'
    ? sendError(res, 503, 'SERVICE_UNAVAILABLE', 'mit.dk is unavailable (simulated outage).', { 'Retry-After': '30' })
    : f === 'error500' ? sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'An unexpected error occurred (simulated).')
      : sendError(res, 503, 'SERVICE_UNAVAILABLE', 'Service temporarily unavailable (simulated).', { 'Retry-After': '5' })));
}

export function sendBody(res: Response, state: MitdkState, random: Random, contentType: string, body: Buffer): void {
  sendFaultyBody(res, state.faults, random, contentType, body);
}

export const sendJson = (res: Response, state: MitdkState, random: Random, value: unknown) =>
  sendBody(res, state, random, 'application/json', Buffer.from(JSON.stringify(value)));
