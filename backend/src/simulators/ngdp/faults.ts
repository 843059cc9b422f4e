// Switchable NgDP faults: latency, outage (every API call 503), random 500/503 answers, bodies cut
// off mid-transfer (truncate: Content-Length promises more than arrives, then the connection drops)
// and well-delivered but broken bodies (malformed: half an XML document / JSON text).
import type { RequestHandler, Response } from 'express';
import { faultGate as commonGate, sendFaultyBody, type Random } from '../faults';
import { NgdpError, sendError } from './errors';
import type { NgdpState } from './state';

export type { Random } from '../faults';

/** Runs before every real-API route (not before the control routes). */
export function faultGate(state: NgdpState, random: Random): RequestHandler {
  return commonGate(() => state.faults, random, (res, f) => sendError(res, f === 'outage'
    ? new NgdpError(503, 'SERVICE_UNAVAILABLE', 'Digital Post is unavailable (simulated outage).', undefined, { 'Retry-After': '30' })
    : f === 'error500' ? new NgdpError(500, 'INTERNAL_SERVER_ERROR', 'An unexpected error occurred (simulated).')
      : new NgdpError(503, 'SERVICE_UNAVAILABLE', 'Service temporarily unavailable (simulated).', undefined, { 'Retry-After': '5' })));
}

/** Sends a successful body, unless a truncate or malformed fault strikes. */
export function sendBody(res: Response, state: NgdpState, random: Random, contentType: string, body: Buffer): void {
  sendFaultyBody(res, state.faults, random, contentType, body);
}
