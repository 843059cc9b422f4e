// Microsoft Graph (v1.0) mail subset simulator. Mount `router` at any prefix G; then
//   G/v1.0/...   Graph itself (SDK: Client…({ baseUrl: '<origin>G/', defaultVersion: 'v1.0' }))
//   G/sim/...    control routes (see control-routes.ts)
// State lives in the instance; create as many as you like.
import { Router } from 'express';
import { batchHandler } from './batch-routes';
import { controlRouter } from './control-routes';
import { GraphHttpError, graphErrorHandler } from './errors';
import type { GraphFaults, Random } from './faults';
import { folderRoutes } from './folder-routes';
import { DEFAULT_GRAPH_LIMITS, type GraphLimits } from './limits';
import { messageRoutes } from './message-routes';
import { bearerAuth, faultGate, jsonBody, latency, mailboxGate, requestContext } from './pipeline';
import { GraphRuntime, type GraphStats } from './runtime';
import type { AddMailboxInput } from './state';
import { mailboxSummary, messageSummaries, type MailboxSummary, type MessageSummary } from './summaries';
import { userRoutes } from './user-routes';

export type { GraphFaults } from './faults';
export type { GraphLimits } from './limits';
export type { GraphStats, MailboxStats } from './runtime';
export type { AddMailboxInput } from './state';
export type { MailboxSummary, MessageSummary } from './summaries';
export { DEFAULT_GRAPH_LIMITS } from './limits';

/** Accepted when no tokens are configured explicitly (standalone and demo runs). */
export const DEMO_GRAPH_TOKEN = 'brevdue-demo-graph-token';

export interface GraphSimulatorOptions {
  /** Bearer tokens accepted; without it any non-empty token is. */
  acceptedTokens?: string[];
  /** Override Graph's limits (tests use small windows). */
  limits?: Partial<GraphLimits>;
  /** Source of randomness for fault rates. */
  random?: Random;
}

export interface GraphSimulatorApi {
  addMailbox(m: AddMailboxInput): MailboxSummary;
  mailboxes(): MailboxSummary[];
  /** Messages of a mailbox (by id or UPN) with their folder paths, e.g. 'Inbox/Digital Post/Acme'. */
  messages(mailbox: string): MessageSummary[];
  setFaults(f: GraphFaults): void;
  reset(): void;
  stats(): GraphStats;
}

export function createGraphSimulator(opts: GraphSimulatorOptions = {}): { router: Router; api: GraphSimulatorApi } {
  const rt = new GraphRuntime({ ...DEFAULT_GRAPH_LIMITS, ...opts.limits }, opts.random ?? Math.random, opts.acceptedTokens);

  const user = Router({ mergeParams: true });
  user.use(mailboxGate(rt), latency(rt));
  userRoutes(user, rt);
  folderRoutes(user, rt);
  messageRoutes(user, rt);

  const v1 = Router();
  v1.post(/^\/\$batch\/?$/, latency(rt), batchHandler(rt));
  v1.use('/users/:u', user);
  v1.use((req, _res, next) => next(new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${req.path.split('/').filter(Boolean)[0] ?? ''}'.`)));

  const router = Router();
  router.use('/sim', controlRouter(rt));
  router.use(requestContext(rt), bearerAuth(rt), jsonBody(rt), faultGate(rt));
  router.use('/v1.0', v1);
  router.use((req, _res, next) => next(new GraphHttpError(400, 'BadRequest', `Invalid version: the simulator serves /v1.0 only (got ${req.path}).`)));
  router.use(graphErrorHandler);

  const find = (u: string) => {
    const mb = rt.state.find(u);
    if (!mb) throw new Error(`No mailbox ${u} in the Graph simulator.`);
    return mb;
  };
  const api: GraphSimulatorApi = {
    addMailbox: (m) => mailboxSummary(rt.state, rt.state.addMailbox(m)),
    mailboxes: () => rt.state.all().map((mb) => mailboxSummary(rt.state, mb)),
    messages: (u) => messageSummaries(rt.state, find(u)),
    setFaults: (f) => rt.setFaults(f),
    reset: () => rt.reset(),
    stats: () => rt.stats(),
  };
  return { router, api };
}
