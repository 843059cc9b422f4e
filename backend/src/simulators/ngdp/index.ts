// NgDP (Digital Post for organisations) simulator. Mount `router` at any prefix P:
//   P/apis/v1/...  the real REST API (base URL for clients: <origin>P/apis/v1)
//   P/...          control routes (see control-routes.ts), e.g. POST P/:cvr/memos
// State lives in the instance; create as many as you like.
import { Router } from 'express';
import { apiRouter } from './api-routes';
import { controlRouter } from './control-routes';
import type { SystemCredential } from './auth';
import type { Random } from './faults';
import { ngdpFaultsSchema, type NgdpFaults } from './schemas';
import { NgdpState, type ReceivedReceipt, type SentMemo, type WaitingSummary } from './state';

export type { SystemCredential } from './auth';
export type { NgdpFaults, PagingResultUUID, Receipt, ReceiptStatus, ErrorMessage } from './schemas';
export type { ReceivedReceipt, SentMemo, WaitingSummary } from './state';
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
}

export interface NgdpSimulatorApi {
  /** Places a MeMo in the mailbox of `cvr`; its messageUUID is its id. Throws on a bad CVR or XML. */
  inject(cvr: string, xml: Buffer | string): { id: string };
  waiting(cvr: string): WaitingSummary[];
  receipts(): ReceivedReceipt[];
  sent(): SentMemo[];
  setFaults(f: NgdpFaults): void;
  reset(): void;
}

export function createNgdpSimulator(opts: NgdpSimulatorOptions = {}): { router: Router; api: NgdpSimulatorApi } {
  const state = new NgdpState();
  const random = opts.random ?? Math.random;
  const credentials = opts.systemCredentials ?? [DEMO_NGDP_CREDENTIAL];
  const router = Router();
  router.use('/apis/v1', apiRouter(state, credentials, random));
  router.use(controlRouter(state));
  const api: NgdpSimulatorApi = {
    inject: (cvr, xml) => state.inject(cvr, xml),
    waiting: (cvr) => state.waiting(cvr),
    receipts: () => state.receipts(),
    sent: () => state.sent(),
    setFaults: (f) => { state.faults = ngdpFaultsSchema.parse(f); },
    reset: () => state.reset(),
  };
  return { router, api };
}
