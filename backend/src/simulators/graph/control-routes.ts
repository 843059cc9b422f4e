// Simulator control routes (not part of Graph), under <prefix>/sim:
//   GET  /sim/mailboxes                 mailboxes and their folders
//   POST /sim/mailboxes                 add one {userPrincipalName, displayName, kind?, id?}
//   GET  /sim/mailboxes/:u/messages     what arrived (folder path, subject, draft?, attachments)
//   GET|POST /sim/faults                read / replace the faults
//   GET  /sim/stats                     request and throttling counts
//   POST /sim/reset                     forget everything
import { Router, json } from 'express';
import { z } from 'zod';
import { graphFaultsSchema } from './faults';
import type { GraphRuntime } from './runtime';
import { mailboxSummary, messageSummaries } from './summaries';

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

  r.get('/stats', (_req, res) => { res.json(rt.stats()); });
  r.post('/reset', (_req, res) => { rt.reset(); res.status(204).end(); });

  r.use((req, res) => fail(res, 404, `No simulator control route ${req.method} /sim${req.path}.`));
  r.use((err: Error & { status?: number }, _req: import('express').Request, res: import('express').Response, _next: import('express').NextFunction) => {
    fail(res, err.status ?? 500, err.message);
  });
  return r;
}
