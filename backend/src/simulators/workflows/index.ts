// Teams Workflows webhook simulator: the HTTP trigger of the Power Automate template "Post to a
// channel when a webhook request is received", which posts the Adaptive Cards it gets to one
// channel. Mount `router` at any prefix W (the demo uses /sim/workflows); then
//   POST W/{flowId}?api-version=…&sp=…&sv=1.0&sig=…   the webhook (what Teams hands out as the URL)
//        → 202 (no body) as Power Automate answers: accepted for a run, not yet shown in Teams
//        → 400 TriggerInputSchemaMismatch / InvalidRequestContent with a readable message, 401 for a
//          missing or wrong sig, 404 WorkflowNotFound, 413 over 28 KB (Teams' message limit)
// Control routes (not part of Power Automate):
//   GET  W/flows                  registered flows      POST W/flows {teamId, channelId} → 201 {flowId, url}
//   GET  W/{flowId}/cards         cards posted to a flow, oldest first
//   GET|POST W/faults             {rate429, retryAfterSeconds, errorRate, outage, latencyMs}
//   POST W/reset                  forget flows, cards and faults
// Flows must be registered first (api.addFlow or POST W/flows); state lives in the instance.
//
// Difference from the real thing, on purpose: a card Teams would refuse (too large, malformed) makes
// the real flow's *run* fail after the 202; the simulator refuses it at once so that tests see it.
import { randomBytes, randomUUID } from 'node:crypto';
import { Router, json, type Request, type Response } from 'express';
import { z } from 'zod';
import { faultGate, hit, type Random } from '../faults';
import { asyncHandler, readBody } from '../http';
import { TEAMS_MESSAGE_MAX_BYTES, messageProblems, type WorkflowMessage } from './card-schema';

export { ADAPTIVE_CARD_CONTENT_TYPE, TEAMS_MESSAGE_MAX_BYTES, messageProblems } from './card-schema';
export type { WorkflowMessage } from './card-schema';

export const workflowsFaultsSchema = z.object({
  /** Share of webhook posts answered 429 with Retry-After. */
  rate429: z.number().min(0).max(1).optional(),
  /** Retry-After of fault 429s, in seconds (default 1). */
  retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
  /** Share answered 500 or 503. */
  errorRate: z.number().min(0).max(1).optional(),
  outage: z.boolean().optional(),
  latencyMs: z.number().int().min(0).max(120_000).optional(),
}).strict();
export type WorkflowsFaults = z.infer<typeof workflowsFaultsSchema>;

export interface PostedCard {
  runId: string;
  at: string;
  /** The first attachment's Adaptive Card (what Teams shows). */
  card: Record<string, unknown>;
  /** The whole payload as posted. */
  message: WorkflowMessage;
  bytes: number;
}
export interface FlowSummary { flowId: string; teamId: string; channelId: string; url: string | null; cards: number }

export interface WorkflowsSimulatorOptions {
  /** Public URL of the mount point (e.g. http://127.0.0.1:3000/sim/workflows), for the URLs addFlow hands out. */
  baseUrl?: string;
  random?: Random;
}

export interface WorkflowsSimulatorApi {
  /** Registers a flow posting to the channel; its URL needs the base URL (option, setBaseUrl, or learnt from the first request). */
  addFlow(teamId: string, channelId: string, opts?: { baseUrl?: string }): { flowId: string; url: string };
  flows(): FlowSummary[];
  cards(flowId: string): PostedCard[];
  setBaseUrl(url: string): void;
  setFaults(f: WorkflowsFaults): void;
  reset(): void;
  /** Webhook requests seen (accepted or not). */
  requests(): number;
}

interface FlowRec { flowId: string; teamId: string; channelId: string; sig: string; cards: PostedCard[] }

class LogicAppsError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly headers: Record<string, string> = {}) { super(message); }
}

function sendError(res: Response, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.status(status).json({ error: { code, message } });
}

const FLOW_ID = /^[0-9a-f]{32}$/;

export function createWorkflowsSimulator(opts: WorkflowsSimulatorOptions = {}): { router: Router; api: WorkflowsSimulatorApi } {
  const random = opts.random ?? Math.random;
  const flows = new Map<string, FlowRec>();
  let faults: WorkflowsFaults = {};
  let baseUrl = opts.baseUrl?.replace(/\/+$/, '');
  let learnt: string | undefined;
  let requests = 0;

  const urlOf = (f: FlowRec, base: string | undefined) => (base
    ? `${base}/${f.flowId}?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${f.sig}` : null);
  const register = (teamId: string, channelId: string): FlowRec => {
    if (!teamId || !channelId) throw new Error('A flow posts to one channel: give teamId and channelId.');
    const f: FlowRec = { flowId: randomBytes(16).toString('hex'), teamId, channelId, sig: randomBytes(32).toString('base64url'), cards: [] };
    flows.set(f.flowId, f);
    return f;
  };
  const summary = (f: FlowRec): FlowSummary => ({ flowId: f.flowId, teamId: f.teamId, channelId: f.channelId, url: urlOf(f, baseUrl ?? learnt), cards: f.cards.length });
  const mountOf = (req: Request) => `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}`;

  const router = Router();
  router.use((req, _res, next) => { learnt ??= mountOf(req); next(); });

  // Control routes first; flow ids are 32 hex digits, so they cannot clash.
  const control = Router();
  const body = json({ limit: '64kb' }); // only on control routes: the webhook reads its own body
  control.get('/flows', (_req, res) => { res.json({ value: [...flows.values()].map(summary) }); });
  control.post('/flows', body, (req, res) => {
    const p = z.object({ teamId: z.string().min(1), channelId: z.string().min(1) }).strict().safeParse(req.body);
    if (!p.success) return sendError(res, 400, 'SimulatorControl', p.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const f = register(p.data.teamId, p.data.channelId);
    res.status(201).json({ flowId: f.flowId, url: urlOf(f, baseUrl ?? mountOf(req)) });
  });
  control.get('/:flowId/cards', (req, res) => {
    const f = flows.get(req.params.flowId);
    if (!f) return sendError(res, 404, 'SimulatorControl', `No flow ${req.params.flowId}.`);
    res.json({ flowId: f.flowId, teamId: f.teamId, channelId: f.channelId, value: f.cards });
  });
  control.get('/faults', (_req, res) => { res.json(faults); });
  control.post('/faults', body, (req, res) => {
    const p = workflowsFaultsSchema.safeParse(req.body ?? {});
    if (!p.success) return sendError(res, 400, 'SimulatorControl', p.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    faults = p.data;
    res.json(faults);
  });
  control.post('/reset', (_req, res) => { api.reset(); res.status(204).end(); });
  router.use(control);

  // The webhook.
  const gate = faultGate(() => faults, random, (res, f) => (f === 'outage'
    ? sendError(res, 503, 'ServiceUnavailable', 'The workflow service is unavailable (simulated outage).', { 'Retry-After': '30' })
    : f === 'error500' ? sendError(res, 500, 'InternalServerError', 'An internal server error occurred (simulated).')
      : sendError(res, 503, 'ServiceUnavailable', 'The workflow service is temporarily unavailable (simulated).', { 'Retry-After': '5' })));
  router.post('/:flowId', (req, res, next) => {
    requests++;
    if (hit(faults.rate429, random)) {
      return sendError(res, 429, 'WorkflowRequestsThrottled', 'Rate limit is exceeded for this workflow\'s trigger (simulated). Try again later.',
        { 'Retry-After': String(faults.retryAfterSeconds ?? 1) });
    }
    gate(req, res, next);
  }, asyncHandler(async (req, res) => {
    const f = flows.get(req.params.flowId);
    if (!FLOW_ID.test(req.params.flowId) || !f) throw new LogicAppsError(404, 'WorkflowNotFound', `The workflow '${req.params.flowId}' could not be found.`);
    const sig = new URL(req.originalUrl, 'http://x').searchParams.get('sig');
    if (!sig) throw new LogicAppsError(401, 'DirectApiAuthorizationRequired', 'The request must be authenticated by the sig parameter of the workflow URL.');
    if (sig !== f.sig) throw new LogicAppsError(401, 'DirectApiInvalidAuthorizationSignature', 'The provided sig does not match this workflow\'s trigger.');
    const { body, size } = await readBody(req, 1024 * 1024);
    if (size > TEAMS_MESSAGE_MAX_BYTES) {
      throw new LogicAppsError(413, 'RequestEntityTooLarge', `The message is ${size} bytes; Teams posts messages (card included) up to 28 KB (${TEAMS_MESSAGE_MAX_BYTES} bytes).`);
    }
    if (!req.is('application/json')) throw new LogicAppsError(400, 'InvalidRequestContent', 'The request content must be JSON (Content-Type: application/json).');
    let payload: unknown;
    try { payload = JSON.parse(body.toString('utf8')); } catch {
      throw new LogicAppsError(400, 'InvalidRequestContent', 'The request content is not valid JSON.');
    }
    const problems = messageProblems(payload);
    if (problems.length) {
      throw new LogicAppsError(400, 'TriggerInputSchemaMismatch',
        `The input body for trigger 'manual' of type 'Request' did not match what the Teams workflow posts: ${problems.slice(0, 10).join('; ')}. `
        + 'Expected {"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","contentUrl":null,"content":{"type":"AdaptiveCard","version":"1.4","body":[…]}}]}.');
    }
    const message = payload as WorkflowMessage;
    const runId = `08584${randomBytes(10).toString('hex').toUpperCase()}CU00`;
    f.cards.push({ runId, at: new Date().toISOString(), card: message.attachments[0].content, message, bytes: size });
    res.setHeader('x-ms-workflow-run-id', runId);
    res.setHeader('x-ms-correlation-id', randomUUID());
    res.setHeader('x-ms-workflow-version', '08584800000000000000');
    res.status(202).setHeader('Content-Length', '0');
    res.end();
  }));
  router.use((req, res) => sendError(res, 404, 'WorkflowNotFound', `Nothing at ${req.method} ${req.path}.`));
  router.use((err: unknown, _req: Request, res: Response, _next: (e?: unknown) => void) => {
    if (err instanceof LogicAppsError) return sendError(res, err.status, err.code, err.message, err.headers);
    sendError(res, 500, 'InternalServerError', `Simulator error: ${(err as Error).message}`);
  });

  const api: WorkflowsSimulatorApi = {
    addFlow: (teamId, channelId, o) => {
      const base = o?.baseUrl?.replace(/\/+$/, '') ?? baseUrl ?? learnt;
      if (!base) throw new Error('The Workflows simulator does not know its public URL yet: pass createWorkflowsSimulator({ baseUrl }), call api.setBaseUrl(…) or addFlow(…, { baseUrl }).');
      const f = register(teamId, channelId);
      return { flowId: f.flowId, url: urlOf(f, base)! };
    },
    flows: () => [...flows.values()].map(summary),
    cards: (flowId) => {
      const f = flows.get(flowId);
      if (!f) throw new Error(`No flow ${flowId} in the Workflows simulator.`);
      return f.cards.map((c) => ({ ...c }));
    },
    setBaseUrl: (u) => { baseUrl = u.replace(/\/+$/, ''); },
    setFaults: (f) => { faults = workflowsFaultsSchema.parse(f); },
    reset: () => { flows.clear(); faults = {}; requests = 0; },
    requests: () => requests,
  };
  return { router, api };
}
