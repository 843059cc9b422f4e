// Delivery routes. For everyone signed in: the registry to choose from. For admins and operators:
// resend and reroute a letter, and send again what failed in an outage. For admins: manage the
// registry and the delivery settings.
import express, { type Router } from 'express';
import { z } from 'zod';
import {
  deliverySettingsSchema, destinationCreateSchema, destinationUpdateSchema, rerouteRequestSchema, resendRequestSchema, retryFailedRequestSchema,
} from '../../../shared/src/contracts';
import type { AppContext } from '../context';
import {
  archiveDestination, createDestination, destinationChoice, destinationView, destinationViewFor, getDestination, listDestinations, recheckDestination, updateDestination,
  type DestinationChecker,
} from '../delivery/registry/destinations';
import { mailboxRefusal } from '../delivery/registry/allowed';
import { getDeliverySettings, putDeliverySettings } from '../delivery/settings';
import { failedDeliveries, reroute, resend, retryFailed } from '../delivery/operations';
import { assertDestinationsInScope, assertLetterInScope, requireRole, scope, scopeOf } from './roles';
import { mayUseDestination } from '../store/scope';
import { HttpError } from './errors';
import { h } from './handler';

const idParam = (what: string) => z.string().uuid(`must be a ${what} id (UUID)`);

export interface DeliveryDeps { ctx: AppContext; check: DestinationChecker }

/** Mounted at /api. */
export function deliveryRouter(deps: DeliveryDeps): Router {
  const r = express.Router();
  const { ctx } = deps;
  const admin = requireRole('admin');
  const operator = requireRole('admin', 'operator');
  const org = (req: express.Request) => scope(req).orgId;
  const allowed = (req: express.Request) => (d: { id: string }) => mayUseDestination(scope(req), d.id);
  const actor = (req: express.Request) => ({ id: req.auth!.userId, name: req.auth!.displayName });

  // The registry as people choose from it (no webhook secrets, no check details); one the operator's
  // allow-list refuses the organisation now is marked `unusable` with the reason, not offered. The
  // reason names the organisation's allowed domains only to those who manage the registry (admins
  // and operators, who read it in /admin/destinations too); a reader gets the code and the refused domain.
  r.get('/destinations', h(async (req, res) => {
    const rows = (await listDestinations(ctx.db, org(req))).filter(allowed(req));
    const allowList = scopeOf(req.auth!.orgId, req.auth!.grants, ['admin', 'operator']) !== null;
    res.json({ items: rows.map((d) => destinationChoice(d, ctx.destinationPolicy, allowList)) });
  }));

  // A destination outside the caller's limits answers as one of another organisation would.
  const destinationInScope = (req: express.Request, raw: unknown = req.params.id): string => {
    const id = idParam('destination').parse(raw);
    if (!mayUseDestination(scope(req), id)) throw new HttpError(404, 'not_found', 'No such destination in your organisation.');
    return id;
  };

  r.post('/messages/:id/resend', operator, h(async (req, res) => {
    const body = resendRequestSchema.parse(req.body ?? {});
    const id = idParam('letter').parse(req.params.id);
    await assertLetterInScope(ctx.db, req, id);
    const ids = await resend(ctx, org(req), id, actor(req), { ...body, scope: scope(req) });
    res.status(202).json({ deliveryIds: ids });
  }));

  r.post('/messages/:id/reroute', operator, h(async (req, res) => {
    const body = rerouteRequestSchema.parse(req.body ?? {});
    const id = idParam('letter').parse(req.params.id);
    await assertLetterInScope(ctx.db, req, id);
    assertDestinationsInScope(req, body.destinationIds); // at a glance; reroute holds each against the letter's CVR number too
    const ids = await reroute(ctx, org(req), id, actor(req), { ...body, scope: scope(req) });
    res.status(202).json({ deliveryIds: ids });
  }));

  // Failed deliveries per destination, and sending them again (after an outage is fixed).
  r.get('/admin/deliveries/failed', operator, h(async (req, res) => {
    res.json(await failedDeliveries(ctx, scope(req)));
  }));
  r.post('/admin/deliveries/retry', operator, h(async (req, res) => {
    const body = retryFailedRequestSchema.parse(req.body ?? {});
    if (body.destinationId) await getDestination(ctx.db, org(req), destinationInScope(req, body.destinationId));
    const retried = await retryFailed(ctx, scope(req), actor(req), body);
    res.locals.auditDetails = { destinationId: body.destinationId ?? null, retried };
    res.json({ retried });
  }));

  // The operator's allow-list (delivery/registry/allowed.ts) is held against every save and check,
  // before Graph is asked anything; a saved destination it no longer allows shows that as its first problem.
  const policy = () => ctx.destinationPolicy;
  const view = (d: Parameters<typeof destinationView>[0]) => destinationViewFor(d, policy());
  r.get('/admin/destinations', operator, h(async (req, res) => {
    res.json({ items: (await listDestinations(ctx.db, org(req))).filter(allowed(req)).map(view) });
  }));
  r.get('/admin/destinations/:id', operator, h(async (req, res) => {
    res.json(view(await getDestination(ctx.db, org(req), destinationInScope(req))));
  }));
  r.post('/admin/destinations', admin, h(async (req, res) => {
    const input = destinationCreateSchema.parse(req.body);
    res.status(201).json(view(await createDestination(ctx.db, ctx.sealer, deps.check, org(req), input, policy())));
  }));
  r.patch('/admin/destinations/:id', admin, h(async (req, res) => {
    const input = destinationUpdateSchema.parse(req.body);
    res.json(view(await updateDestination(ctx.db, ctx.sealer, deps.check, org(req), idParam('destination').parse(req.params.id), input, policy())));
  }));
  r.post('/admin/destinations/:id/check', operator, h(async (req, res) => {
    res.json(view(await recheckDestination(ctx.db, ctx.sealer, deps.check, org(req), destinationInScope(req), policy())));
  }));
  r.delete('/admin/destinations/:id', admin, h(async (req, res) => {
    await archiveDestination(ctx.db, org(req), idParam('destination').parse(req.params.id));
    res.status(204).end();
  }));

  r.get('/admin/delivery-settings', operator, h(async (req, res) => { res.json(await getDeliverySettings(ctx.db, org(req))); }));
  r.put('/admin/delivery-settings', admin, h(async (req, res) => {
    const input = deliverySettingsSchema.parse(req.body);
    // Notices are sent as this mailbox (Graph sendMail): one of the organisation's own, as destinations are.
    const p = policy();
    const refusal = input.notifySender && p ? mailboxRefusal(p, org(req), input.notifySender) : null;
    if (refusal) throw new HttpError(400, refusal.code, `The notification sender was not saved. ${refusal.message}`, { params: refusal.params });
    res.json(await putDeliverySettings(ctx.db, org(req), input));
  }));
  return r;
}
