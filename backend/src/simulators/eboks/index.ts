// e-Boks simulator, speaking the e-Boks mobile XML API. Mount `router` at any prefix P:
//   P/mobile/1/xml.svc/en-gb/...  the API (base URL for clients: <origin>P/mobile/1/xml.svc/en-gb)
//   P/...                         control routes (see control-routes.ts), e.g. POST P/:cvr/messages
// State lives in the instance; create as many as you like.
import { Router } from 'express';
import { apiRouter } from './api-routes';
import { controlRouter } from './control-routes';
import type { Random } from './faults';
import { eboksFaultsSchema, type EboksFaults, type EboksInjectInput } from './schemas';
import { EboksState, type EboksAccount, type MessageSummary, type SimFolder, type WaitingSummary } from './state';

export type { EboksAccount, MessageSummary, SimFolder, WaitingSummary } from './state';
export type { EboksFaults, EboksInjectInput } from './schemas';

/** Used in demo mode (no accounts given): any 8-digit identity logs on as that CVR with these. */
export const DEMO_EBOKS_SECRET = Object.freeze({ password: 'demo-1234', activationCode: 'Demo4Brevdue' });
export const DEMO_EBOKS_DEVICE_ID = '0d4b8a7f-3c10-4c55-9e21-6f1c2a8e3b7d';
export const EBOKS_API_PATH = '/mobile/1/xml.svc/en-gb';

export interface EboksSimulatorOptions {
  /** Who may log on; omitted = demo mode (see DEMO_EBOKS_SECRET). */
  accounts?: EboksAccount[];
  /** Session lifetime (default 30 minutes); the sessionTtlMs fault overrides it. */
  sessionTtlMs?: number;
  random?: Random;
}

export interface EboksSimulatorApi {
  /** Places a letter in the inbox of `cvr`'s e-Boks; returns its e-Boks message id. */
  inject(cvr: string, input: EboksInjectInput): { id: string };
  /** The inbox of `cvr`, newest first. */
  waiting(cvr: string): WaitingSummary[];
  /** Every message of `cvr` with the name of its folder. */
  messages(cvr: string): MessageSummary[];
  setFolders(cvr: string, folders: SimFolder[]): void;
  /** Moves a message to another folder by name, as a person would in e-Boks. */
  move(cvr: string, id: string, folderName: string): void;
  /** Ends the sessions (of one CVR or all); returns how many. */
  expireSessions(cvr?: string): number;
  /** How many logons succeeded for `cvr`. */
  logons(cvr: string): number;
  setFaults(f: EboksFaults): void;
  reset(): void;
}

export function createEboksSimulator(opts: EboksSimulatorOptions = {}): { router: Router; api: EboksSimulatorApi } {
  const state = new EboksState(opts.accounts, DEMO_EBOKS_SECRET, opts.sessionTtlMs ?? 30 * 60_000);
  const random = opts.random ?? Math.random;
  const router = Router();
  router.use('/mobile/1/xml.svc/:lang', apiRouter(state, random));
  router.use(controlRouter(state));
  const api: EboksSimulatorApi = {
    inject: (cvr, input) => state.inject(cvr, input),
    waiting: (cvr) => state.waiting(cvr),
    messages: (cvr) => state.all(cvr),
    setFolders: (cvr, folders) => state.setFolders(cvr, folders),
    move: (cvr, id, folderName) => state.move(cvr, id, folderName),
    expireSessions: (cvr) => state.expireSessions(cvr),
    logons: (cvr) => state.logons(cvr),
    setFaults: (f) => { state.faults = eboksFaultsSchema.parse(f); },
    reset: () => state.reset(),
  };
  return { router, api };
}
