// /api/admin/role-grants: which Entra groups and users hold which role, and what each grant is limited
// to (CVR numbers, destinations). Admins without limits only (requireRole('admin')), every change audited
// as a role change (audit-middleware.ts). Sign-in reads the grants (auth.ts → store/role-grants.ts).
import express, { type Router } from 'express';
import { z } from 'zod';
import type { Db } from '../store/db';
import { createRoleGrant, deleteRoleGrant, listRoleGrants, updateRoleGrant } from '../store/role-grants';
import { requireRole, scope } from './roles';
import { h } from './handler';

const idParam = z.string().uuid('must be a role grant id (UUID)');

export function roleGrantsRouter(db: Db): Router {
  const r = express.Router();
  const admin = requireRole('admin');
  const actor = (req: express.Request) => req.auth!.displayName || req.auth!.userId;

  r.get('/role-grants', admin, h(async (req, res) => { res.json({ items: await listRoleGrants(db, scope(req).orgId) }); }));
  r.post('/role-grants', admin, h(async (req, res) => {
    const g = await createRoleGrant(db, scope(req).orgId, req.body, actor(req));
    res.locals.auditDetails = { targetId: g.id, role: g.role, principalType: g.principalType, principalId: g.principalId, cvrs: g.cvrs, destinationIds: g.destinationIds };
    res.status(201).json(g);
  }));
  r.patch('/role-grants/:id', admin, h(async (req, res) => {
    const g = await updateRoleGrant(db, scope(req).orgId, idParam.parse(req.params.id), req.body);
    res.locals.auditDetails = { role: g.role, principalType: g.principalType, principalId: g.principalId, cvrs: g.cvrs, destinationIds: g.destinationIds };
    res.json(g);
  }));
  r.delete('/role-grants/:id', admin, h(async (req, res) => {
    const g = await deleteRoleGrant(db, scope(req).orgId, idParam.parse(req.params.id));
    res.locals.auditDetails = { role: g.role, principalType: g.principalType, principalId: g.principalId };
    res.status(204).end();
  }));
  return r;
}
