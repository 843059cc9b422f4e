// Microsoft Graph (v1.0) mail subset simulator. Mount `router` at any prefix G; then
//   G/v1.0/...   Graph itself (SDK: Client…({ baseUrl: '<origin>G/', defaultVersion: 'v1.0' }))
//   G/sim/...    control routes (see control-routes.ts)
//   G/upload/... attachment upload-session URLs (upload-routes.ts; outside /v1.0, no bearer token)
//   G/_sp/...    drive upload-session and download URLs (drive-routes.ts; pre-authenticated, no bearer token)
// State lives in the instance; create as many as you like.
import { Router } from 'express';
import { attachmentRoutes } from './attachment-routes';
import type { GraphBehaviour } from './behaviour';
import { recordRequests, type RecordedRequest } from './recorder';
import { sendMailRoutes, type OutboxItem } from './send-mail';
import { uploadRouter } from './upload-routes';
import { batchHandler } from './batch-routes';
import { controlRouter } from './control-routes';
import { GraphHttpError, graphErrorHandler } from './errors';
import type { GraphFaults, Random } from './faults';
import { folderRoutes } from './folder-routes';
import { DEFAULT_GRAPH_LIMITS, type GraphLimits } from './limits';
import { messageRoutes } from './message-routes';
import { bearerAuth, faultGate, fragmentFault, jsonBody, latency, mailboxGate, requestContext } from './pipeline';
import { GraphRuntime, type GraphStats } from './runtime';
import type { AddMailboxInput } from './state';
import { mailboxSummary, messageSummaries, type MailboxSummary, type MessageSummary } from './summaries';
import { userRoutes } from './user-routes';
import { SP_PATH, driveRouter, spRouter } from './drive-routes';
import { teamsRouter } from './teams-routes';
import { teamsOf, type AddChannelInput, type AddTeamInput, type DriveFileSummary, type TeamSummary } from './teams-state';

export type { GraphFaults } from './faults';
export type { GraphBehaviour } from './behaviour';
export type { RecordedRequest, RecordedBatchItem } from './recorder';
export type { OutboxItem } from './send-mail';
export type { GraphLimits } from './limits';
export type { GraphStats, MailboxStats } from './runtime';
export type { AddMailboxInput } from './state';
export type { MailboxSummary, MessageSummary } from './summaries';
export type { AddChannelInput, AddTeamInput, ChannelSummary, DriveFileSummary, TeamSummary } from './teams-state';
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
  /** Refuse upload sessions and attachment POSTs on non-draft messages (400 ErrorInvalidOperation). Default false. */
  refuseAttachmentSessionsOnNonDraft?: boolean;
  /** How many requests the recording keeps (ring; default 20,000). */
  maxRecordedRequests?: number;
}

export interface GraphSimulatorApi {
  addMailbox(m: AddMailboxInput): MailboxSummary;
  mailboxes(): MailboxSummary[];
  /** Messages of a mailbox (by id or UPN) with their folder paths, e.g. 'Inbox/Digital Post/Acme'. */
  messages(mailbox: string): MessageSummary[];
  setFaults(f: GraphFaults): void;
  /** Changes the given behaviours (see behaviour.ts); returns all of them. */
  setBehaviour(b: Partial<GraphBehaviour>): GraphBehaviour;
  behaviour(): GraphBehaviour;
  /** The recorded Graph requests, oldest first (not the /sim control routes). */
  requests(): RecordedRequest[];
  clearRequests(): void;
  /** Mail sent with sendMail to recipients outside the simulator, oldest first. */
  outbox(): OutboxItem[];
  reset(): void;
  stats(): GraphStats;
  /** A team with its channels (General always) and document library; returns the ids. */
  addTeam(t: AddTeamInput): TeamSummary;
  addChannel(teamId: string, c: AddChannelInput): TeamSummary;
  teams(): TeamSummary[];
  /** Files below a channel's files folder (nested folders as paths), with their bytes. */
  driveItems(teamId: string, channelId: string): DriveFileSummary[];
}

export function createGraphSimulator(opts: GraphSimulatorOptions = {}): { router: Router; api: GraphSimulatorApi } {
  const rt = new GraphRuntime({ ...DEFAULT_GRAPH_LIMITS, ...opts.limits }, opts.random ?? Math.random, opts.acceptedTokens,
    { behaviour: { refuseAttachmentSessionsOnNonDraft: opts.refuseAttachmentSessionsOnNonDraft }, maxRecordedRequests: opts.maxRecordedRequests });

  const user = Router({ mergeParams: true });
  user.use(mailboxGate(rt), latency(rt));
  userRoutes(user, rt);
  folderRoutes(user, rt);
  messageRoutes(user, rt);
  attachmentRoutes(user, rt);
  sendMailRoutes(user, rt);

  const v1 = Router();
  v1.post(/^\/\$batch\/?$/, latency(rt), batchHandler(rt));
  v1.use('/users/:u', user);
  v1.use((req, _res, next) => next(new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${req.path.split('/').filter(Boolean)[0] ?? ''}'.`)));

  const router = Router();
  router.use('/sim', controlRouter(rt));
  router.use(recordRequests(rt.recorder));
  router.use('/upload', requestContext(rt), faultGate(rt), fragmentFault(rt), uploadRouter(rt));
  // Teams and drives bring their own pipeline (PUT bodies are file bytes, not JSON); see drive-routes.ts.
  router.use(SP_PATH, spRouter(rt));
  router.use('/v1.0/teams', teamsRouter(rt));
  router.use('/v1.0/drives', driveRouter(rt));
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
    setBehaviour: (b) => ({ ...rt.setBehaviour(b) }),
    behaviour: () => ({ ...rt.behaviour }),
    requests: () => rt.recorder.all(),
    clearRequests: () => rt.recorder.clear(),
    outbox: () => rt.outbox.map((o) => ({ ...o })),
    reset: () => { rt.reset(); teamsOf(rt).clear(); },
    stats: () => rt.stats(),
    addTeam: (t) => teamsOf(rt).teamSummary(teamsOf(rt).addTeam(t)),
    addChannel: (teamId, c) => {
      const t = teamsOf(rt).findTeam(teamId);
      if (!t) throw new Error(`No team ${teamId} in the Graph simulator.`);
      teamsOf(rt).addChannel(t, c);
      return teamsOf(rt).teamSummary(t);
    },
    teams: () => teamsOf(rt).allTeams().map((t) => teamsOf(rt).teamSummary(t)),
    driveItems: (teamId, channelId) => teamsOf(rt).files(teamId, channelId),
  };
  return { router, api };
}
