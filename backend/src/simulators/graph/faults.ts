// Switchable Graph faults: latency, random 429 (with Retry-After) and 503, and writes that are
// carried out but never answered (or answered only after a long delay), the case that makes
// idempotent delivery necessary.
import { z } from 'zod';

export const graphFaultsSchema = z.object({
  rate429: z.number().min(0).max(1).optional(),
  rate503: z.number().min(0).max(1).optional(),
  /** Share of successful writes (POST/PATCH/PUT/DELETE) that are performed but not answered. */
  timeoutAfterWriteRate: z.number().min(0).max(1).optional(),
  /** Answer such a write after this delay; without it the request hangs until the client gives up. */
  timeoutAfterWriteDelayMs: z.number().int().min(0).optional(),
  latencyMs: z.number().int().min(0).max(120_000).optional(),
  /** Share of upload-session fragment PUTs (attachment and drive sessions, not Graph itself) answered 429 with Retry-After. */
  uploadFragment429Rate: z.number().min(0).max(1).optional(),
  /** Retry-After of fault 429s and 503s, in seconds (default 1). */
  retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
}).strict();
export type GraphFaults = z.infer<typeof graphFaultsSchema>;

export type Random = () => number;
export { hit } from '../faults';
