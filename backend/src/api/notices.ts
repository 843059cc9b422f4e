// Service notices. GET /notices for everyone signed in (the banner); /admin/notices for admins
// (operators may read). Mounted at /api.
import express, { type Router } from 'express';
import { z } from 'zod';
import { noticeCreateSchema } from '../../../shared/src/contracts';
import { activeNotices, createNotice, deleteNotice, listNotices, updateNotice } from '../notices/store';
import { requireRole, scope } from './roles';
import { h } from './handler';
import type { Db } from '../store/db';

const idParam = z.string().uuid('must be a notice id (UUID)');

export function noticesRouter(deps: { db: Db }): Router {
  const r = express.Router();
  const admin = requireRole('admin');
  const operator = requireRole('admin', 'operator');
  const org = (req: express.Request) => scope(req).orgId;
  // The schema is built per request so "endsAt in the future" uses the request's clock.
  const input = (body: unknown) => noticeCreateSchema().parse(body);

  r.get('/notices', h(async (req, res) => {
    // Every pane asks every few minutes; a short private cache spares the database a little.
    res.setHeader('Cache-Control', 'private, max-age=30');
    res.json({ items: await activeNotices(deps.db, org(req)) });
  }));

  r.get('/admin/notices', operator, h(async (req, res) => {
    res.json({ items: await listNotices(deps.db, org(req)) });
  }));
  r.post('/admin/notices', admin, h(async (req, res) => {
    res.status(201).json(await createNotice(deps.db, org(req), req.auth!.displayName, input(req.body)));
  }));
  r.put('/admin/notices/:id', admin, h(async (req, res) => {
    const id = idParam.parse(req.params.id);
    res.json(await updateNotice(deps.db, org(req), id, input(req.body)));
  }));
  r.delete('/admin/notices/:id', admin, h(async (req, res) => {
    await deleteNotice(deps.db, org(req), idParam.parse(req.params.id));
    res.status(204).end();
  }));
  return r;
}
