// /api/admin: CVR numbers and their provider mailboxes (admins), pause/resume and health (operators too).
import express, { type Router } from 'express';
import { z } from 'zod';
import { cvrCreateSchema, mailboxCreateSchema, mailboxUpdateSchema } from '../../../shared/src/contracts';
import { addCvr, addMailbox, getMailbox, listCvrs, removeCvr, updateMailbox } from '../store/organisation';
import { requireRole } from './roles';
import { h } from './handler';
import type { ApiDeps } from './router';

const cvrParam = z.string().regex(/^\d{8}$/, 'the CVR number in the address must be 8 digits');
const idParam = z.string().uuid('must be a mailbox id (UUID)');

export function adminRouter(deps: ApiDeps): Router {
  const r = express.Router();
  const admin = requireRole('admin');
  const operator = requireRole('admin', 'operator');
  const org = (req: express.Request) => req.auth!.orgId;

  r.get('/cvrs', operator, h(async (req, res) => { res.json({ items: await listCvrs(deps.db, org(req)) }); }));

  r.post('/cvrs', admin, h(async (req, res) => {
    res.status(201).json(await addCvr(deps.db, org(req), cvrCreateSchema.parse(req.body)));
  }));

  r.delete('/cvrs/:cvr', admin, h(async (req, res) => {
    await removeCvr(deps.db, org(req), cvrParam.parse(req.params.cvr));
    res.status(204).end();
  }));

  r.post('/cvrs/:cvr/mailboxes', admin, h(async (req, res) => {
    const mb = await addMailbox(deps.db, deps.sealer, org(req), cvrParam.parse(req.params.cvr), mailboxCreateSchema.parse(req.body));
    await deps.mailboxChanged(mb.id);
    res.status(201).json(mb);
  }));

  r.get('/mailboxes/:id', operator, h(async (req, res) => {
    res.json(await getMailbox(deps.db, org(req), idParam.parse(req.params.id)));
  }));

  r.patch('/mailboxes/:id', operator, h(async (req, res, next) => {
    const update = mailboxUpdateSchema.parse(req.body);
    // Operators may pause and resume; changing settings or credentials is for admins.
    if ((update.config || update.credentials) && !req.auth!.roles.includes('admin')) return admin(req, res, next);
    const mb = await updateMailbox(deps.db, deps.sealer, org(req), idParam.parse(req.params.id), update);
    await deps.mailboxChanged(mb.id);
    res.json(mb);
  }));

  return r;
}
