// NgDP (Digital Post for organisations) simulator. Mount `router` at any prefix P:
//   P/apis/v1/...  the real REST API (base URL for clients: <origin>P/apis/v1)
//   P/...          control routes (see control-routes.ts), e.g. POST P/:cvr/memos, POST P/push
// Push mode: `api.pushTo(url, cvr, xml)` posts a memo to a system endpoint exactly as NgDP does
// (multipart/form-data, part `file`, filename = messageUUID); the system's business receipt then
// comes back to the real receipt route. Backfill: archived memos are re-queued by system fetches.
// State lives in the instance; create as many as you like.
import { Router } from 'express';
import { apiRouter } from './api-routes';
import { controlRouter } from './control-routes';
import type { SystemCredential } from './auth';
import type { Random } from './faults';
import { ngdpFaultsSchema, type NgdpFaults } from './schemas';
import { NgdpState, simulatedMailboxId, type PushedSummary, type ReceivedReceipt, type SentMemo, type SystemFetchResource, type WaitingSummary } from './state';
import { pushMemo, type PushOptions, type PushResult } from './push';

export type { SystemCredential } from './auth';
export type { NgdpFaults, PagingResultUUID, Receipt, ReceiptStatus, ErrorMessage } from './schemas';
export type { ReceivedReceipt, SentMemo, WaitingSummary, PushedSummary, SystemFetchResource } from './state';
export type { PushOptions, PushResult } from './push';
export { extractMessageUUID } from './memo-uuid';

/** Used when no system credentials are configured (demo and standalone runs). */
export const DEMO_NGDP_CREDENTIAL: SystemCredential = {
  username: '6f1c2a8e-3b7d-4c55-9e21-0d4b8a7f3c10',
  password: '2b9e7d41-8a6c-4f03-b5d2-7c1e9a0f4d68',
};

export interface NgdpSimulatorOptions {
  systemCredentials?: SystemCredential[];
  /** Source of randomness for fault rates (tests may pass a deterministic one). */
  random?: Random;
  /** How long a system fetch (backfill) takes to re-queue its memos, spread evenly (default 3000 ms). */
  systemFetchDurationMs?: number;
  /**
   * Keep every delivered memo for backfill (default true). The archive holds each letter's XML for
   * the simulator's lifetime: a benchmark moving 30,000 letters of ≈ 0.7 MB turns it off.
   */
  keepArchive?: boolean;
}

export interface NgdpSimulatorApi {
  /**
   * Places a MeMo in the mailbox of `cvr`; its messageUUID is its id. Throws on a bad CVR or XML.
   * `receivedAt` dates it in the archive (backfill); `archiveOnly` only archives it.
   */
  inject(cvr: string, xml: Buffer | string, opts?: { receivedAt?: Date; archiveOnly?: boolean }): { id: string };
  waiting(cvr: string): WaitingSummary[];
  /** Pushes a memo for `cvr` to a system endpoint as NgDP does; resolves with the endpoint's answer (status 0: no answer). */
  pushTo(url: string, cvr: string, xml: Buffer | string, opts?: PushOptions): Promise<PushResult>;
  pushed(): PushedSummary[];
  /** NgDP's mailbox id for a CVR number (what GET /mailboxes/ returns and system fetches take). */
  mailboxId(cvr: string): string;
  systemFetches(cvr?: string): SystemFetchResource[];
  receipts(): ReceivedReceipt[];
  sent(): SentMemo[];
  setFaults(f: NgdpFaults): void;
  reset(): void;
}

export function createNgdpSimulator(opts: NgdpSimulatorOptions = {}): { router: Router; api: NgdpSimulatorApi } {
  const state = new NgdpState(opts.keepArchive ?? true);
  const random = opts.random ?? Math.random;
  const credentials = opts.systemCredentials ?? [DEMO_NGDP_CREDENTIAL];
  const router = Router();
  router.use('/apis/v1', apiRouter(state, credentials, random, { systemFetchDurationMs: opts.systemFetchDurationMs ?? 3000 }));
  router.use(controlRouter(state));
  const api: NgdpSimulatorApi = {
    inject: (cvr, xml, o) => state.inject(cvr, xml, o),
    waiting: (cvr) => state.waiting(cvr),
    pushTo: (url, cvr, xml, o) => pushMemo(state, url, cvr, xml, o),
    pushed: () => state.pushed(),
    mailboxId: (cvr) => simulatedMailboxId(cvr),
    systemFetches: (cvr) => state.systemFetches(cvr),
    receipts: () => state.receipts(),
    sent: () => state.sent(),
    setFaults: (f) => { state.faults = ngdpFaultsSchema.parse(f); },
    reset: () => state.reset(),
  };
  return { router, api };
}
