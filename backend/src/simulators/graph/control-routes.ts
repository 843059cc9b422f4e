// Simulator control routes (not part of Graph), under <prefix>/sim:
//   GET  /sim/mailboxes                 mailboxes and their folders
//   POST /sim/mailboxes                 add one {userPrincipalName, displayName, kind?, id?}
//   GET  /sim/mailboxes/:u/messages     what arrived (folder path, subject, draft?, attachments)
//   GET|POST /sim/faults                read / replace the faults
//   GET|POST /sim/behaviour             read / change behaviours (partial), e.g. {"refuseAttachmentSessionsOnNonDraft":true}
//   GET  /sim/stats                     request and throttling counts
//   GET|DELETE /sim/requests            the recorded Graph requests {value:[…]}, oldest first / forget them
//   GET|DELETE /sim/outbox              mail sent (sendMail) to recipients outside the simulator / forget it
//   POST /sim/reset                     forget everything (behaviours back to the constructor's)
//   GET|POST /sim/teams, POST /sim/teams/:id/channels, GET …/channels/:cid/files   Teams (teams-control.ts)
import { Router, json } from 'express';
import { z } from 'zod';
import { graphBehaviourSchema } from './behaviour';
import { graphFaultsSchema } from './faults';
import type { GraphRuntime } from './runtime';
import { mailboxSummary, messageSummaries } from './summaries';
import { teamsControlRouter } from './teams-control';
import { teamsOf } from './teams-state';

const addMailboxSchema = z.object({
  id: z.string().optional(),
  userPrincipalName: z.string().optional(),
  displayName: z.string().min(1),
  kind: z.enum(['shared', 'user']).optional(),
}).strict();

export function controlRouter(rt: GraphRuntime): Router {
  const r = Router();
  r.use(json({ limit: '1mb' }));
  const fail = (res: import('express').Response, status: number, message: string) => res.status(status).json({ error: { code: 'SimulatorControl', message } });

  r.get('/mailboxes', (_req, res) => { res.json({ value: rt.state.all().map((mb) => mailboxSummary(rt.state, mb)) }); });

  r.post('/mailboxes', (req, res) => {
    const p = addMailboxSchema.safeParse(req.body);
    if (!p.success) return fail(res, 400, p.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    try { res.status(201).json(mailboxSummary(rt.state, rt.state.addMailbox(p.data))); } catch (e) { fail(res, 400, (e as Error).message); }
  });

  r.get('/mailboxes/:u/messages', (req, res) => {
    const mb = rt.state.find(req.params.u);
    if (!mb) return fail(res, 404, `No mailbox ${req.params.u}.`);
    res.json({ mailbox: mb.userPrincipalName, value: messageSummaries(rt.state, mb) });
  });

  r.get('/faults', (_req, res) => { res.json(rt.faults); });
  r.post('/faults', (req, res) => {
    const p = graphFaultsSchema.safeParse(req.body ?? {});
    if (!p.success) return fail(res, 400, p.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    rt.setFaults(p.data);
    res.json(rt.faults);
  });

  r.get('/behaviour', (_req, res) => { res.json(rt.behaviour); });
  r.post('/behaviour', (req, res) => {
    const p = graphBehaviourSchema.partial().safeParse(req.body ?? {});
    if (!p.success) return fail(res, 400, p.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    res.json(rt.setBehaviour(p.data));
  });

  r.get('/requests', (_req, res) => { res.json({ value: rt.recorder.all() }); });
  r.delete('/requests', (_req, res) => { rt.recorder.clear(); res.status(204).end(); });
  r.get('/outbox', (_req, res) => { res.json({ value: rt.outbox }); });
  r.delete('/outbox', (_req, res) => { rt.outbox = []; res.status(204).end(); });

  r.get('/stats', (_req, res) => { res.json(rt.stats()); });
  r.post('/reset', (_req, res) => { rt.reset(); teamsOf(rt).clear(); res.status(204).end(); });
  r.use('/teams', teamsControlRouter(rt));

  r.use((req, res) => fail(res, 404, `No simulator control route ${req.method} /sim${req.path}.`));
  r.use((err: Error & { status?: number }, _req: import('express').Request, res: import('express').Response, _next: import('express').NextFunction) => {
    fail(res, err.status ?? 500, err.message);
  });
  return r;
}
