// mit.dk simulator, speaking the mit.dk viewer API. Mount `router` at any prefix P:
//   P/view/client/...   the API (base URL for clients: <origin>P/view/client)
//   P/...               control routes (see control-routes.ts), e.g. POST P/:cvr/messages
// State lives in the instance; create as many as you like.
import { Router } from 'express';
import { apiRouter } from './api-routes';
import { controlRouter } from './control-routes';
import type { Random } from './faults';
import { mitdkFaultsSchema, type MitdkFaults, type MitdkInjectInput } from './schemas';
import { MitdkState, type FolderKind, type MessageSummary, type MitdkUser } from './state';

export type { FolderKind, MessageSummary, MitdkUser } from './state';
export type { MitdkFaults, MitdkInjectInput } from './schemas';

/** Used in demo mode (no users given): these refresh tokens sign in as someone who sees every company. */
export const DEMO_MITDK_REFRESH_TOKENS = Object.freeze({ dppRefreshToken: 'demo-dpp-refresh-token', ngdpRefreshToken: 'demo-ngdp-refresh-token' });
export const MITDK_API_PATH = '/view/client';

export interface MitdkSimulatorOptions {
  /** Who may sign in, and which companies each sees; omitted = demo mode (see DEMO_MITDK_REFRESH_TOKENS). */
  users?: MitdkUser[];
  /** Access token lifetime (default 10 minutes); the tokenTtlMs fault overrides it. */
  accessTtlMs?: number;
  /** Refresh token lifetime (default 30 days). */
  refreshTtlMs?: number;
  random?: Random;
}

export interface MitdkSimulatorApi {
  /** Places a letter in the inbox of `cvr`'s DP_PRIVATE (default) or DP_PUBLIC mailbox; returns its mit.dk id. */
  inject(cvr: string, input: MitdkInjectInput): { id: string };
  /** The inbox messages of `cvr`. */
  waiting(cvr: string): MessageSummary[];
  /** Every message of `cvr` with its folder kind. */
  messages(cvr: string): MessageSummary[];
  setOwnerName(cvr: string, name: string): void;
  /** A company whose mailboxes exist, empty; in demo mode the sign-in sees it from then on. */
  addCompany(cvr: string, name: string): void;
  /** Moves a message to another folder kind (INBOX, ARCHIVE, TRASH), as a person would on mit.dk. */
  move(cvr: string, id: string, kind: FolderKind): void;
  /** Marks a message read or unread, as a person opening it on mit.dk would. */
  setRead(cvr: string, id: string, read: boolean): void;
  /** Expires every access token; returns how many. */
  expireAccessTokens(): number;
  /** How many token refreshes succeeded. */
  refreshes(): number;
  setFaults(f: MitdkFaults): void;
  reset(): void;
}

export function createMitdkSimulator(opts: MitdkSimulatorOptions = {}): { router: Router; api: MitdkSimulatorApi } {
  const state = new MitdkState(opts.users, DEMO_MITDK_REFRESH_TOKENS, opts.accessTtlMs ?? 10 * 60_000, opts.refreshTtlMs ?? 30 * 24 * 3600_000);
  const random = opts.random ?? Math.random;
  const router = Router();
  router.use(MITDK_API_PATH, apiRouter(state, random));
  router.use(controlRouter(state));
  const api: MitdkSimulatorApi = {
    inject: (cvr, input) => state.inject(cvr, input),
    waiting: (cvr) => state.waiting(cvr),
    messages: (cvr) => state.all(cvr),
    setOwnerName: (cvr, name) => state.setOwnerName(cvr, name),
    addCompany: (cvr, name) => state.addCompany(cvr, name),
    move: (cvr, id, kind) => state.move(cvr, id, kind),
    setRead: (cvr, id, read) => state.setRead(cvr, id, read),
    expireAccessTokens: () => state.expireAccessTokens(),
    refreshes: () => state.refreshes(),
    setFaults: (f) => { state.faults = mitdkFaultsSchema.parse(f); },
    reset: () => state.reset(),
  };
  return { router, api };
}
