// Routing routes. Admins manage rules (versioned, audited) and try draft rule sets (dry run);
// operators read them; everyone works the triage queue: sees the assistant's suggestions and
// places letters by choosing destinations from the registry.
import express, { type Router } from 'express';
import { z } from 'zod';
import { dryRunRequestSchema, placeRequestSchema, routingSettingsSchema, ruleInputSchema, ruleUpdateSchema } from '../../../shared/src/contracts';
import type { AppContext } from '../context';
import { createRule, deleteRule, getRule, listRules, ruleHistory, ruleView, updateRule } from '../routing/rules-store';
import { dryRun } from '../routing/dry-run';
import { getRoutingSettings, putRoutingSettings } from '../routing/settings';
import { listTriage } from '../triage/queue';
import { placeLetter } from '../triage/place';
import { assertDestinationsInScope, assertLetterInScope, requireRole, scope } from './roles';
import { h } from './handler';
import { PG_INTEGER_MAX, wholeNumber } from '../../../shared/src/input-edges';

const idParam = (what: string) => z.string().uuid(`must be a ${what} id (UUID)`);
// Bounded as the rest of the edges (shared/src/input-edges.ts): an offset beyond PostgreSQL's
// integer was a 500 (the queue is never that long; narrow it instead).
const triageQuery = z.object({
  limit: wholeNumber('limit', { min: 1, max: 200 }).default(50),
  offset: wholeNumber('offset', { min: 0, max: PG_INTEGER_MAX }).default(0),
});
/** The If-Match of a rule update: the rule's version (rules.version, an integer). */
const ruleVersion = wholeNumber('If-Match', { min: 0, maxMessage: 'If-Match must be the rule\'s version, as its ETag gave it' });

/** Mounted at /api. */
export function routingRouter(ctx: AppContext): Router {
  const r = express.Router();
  const admin = requireRole('admin');
  const operator = requireRole('admin', 'operator');
  const org = (req: express.Request) => scope(req).orgId;
  const actor = (req: express.Request) => req.auth!.displayName || req.auth!.userId;

  r.get('/admin/rules', operator, h(async (req, res) => {
    res.json({ items: (await listRules(ctx.db, org(req))).map(ruleView) });
  }));
  r.get('/admin/rules/:id', operator, h(async (req, res) => {
    res.json(ruleView(await getRule(ctx.db, org(req), idParam('rule').parse(req.params.id))));
  }));
  r.get('/admin/rules/:id/versions', operator, h(async (req, res) => {
    res.json({ items: await ruleHistory(ctx.db, org(req), idParam('rule').parse(req.params.id)) });
  }));
  r.post('/admin/rules', admin, h(async (req, res) => {
    res.status(201).json(ruleView(await createRule(ctx.db, org(req), ruleInputSchema.parse(req.body), actor(req))));
  }));
  r.patch('/admin/rules/:id', admin, h(async (req, res) => {
    const expected = req.get('If-Match');
    const version = expected ? ruleVersion.parse(expected.replace(/"/g, '')) : undefined;
    res.json(ruleView(await updateRule(ctx.db, org(req), idParam('rule').parse(req.params.id), ruleUpdateSchema.parse(req.body), actor(req), version)));
  }));
  r.delete('/admin/rules/:id', admin, h(async (req, res) => {
    await deleteRule(ctx.db, org(req), idParam('rule').parse(req.params.id), actor(req));
    res.status(204).end();
  }));
  r.post('/admin/rules/dry-run', admin, h(async (req, res) => {
    res.json(await dryRun(ctx, org(req), dryRunRequestSchema.parse(req.body)));
  }));

  r.get('/admin/routing-settings', operator, h(async (req, res) => { res.json(await getRoutingSettings(ctx.db, org(req))); }));
  r.put('/admin/routing-settings', admin, h(async (req, res) => {
    res.json(await putRoutingSettings(ctx.db, org(req), routingSettingsSchema.parse(req.body)));
  }));

  r.get('/triage', h(async (req, res) => {
    const q = triageQuery.parse(req.query);
    res.json(await listTriage(ctx, scope(req), q));
  }));
  r.post('/triage/:id/place', operator, h(async (req, res) => {
    const body = placeRequestSchema.parse(req.body);
    const id = idParam('letter').parse(req.params.id);
    await assertLetterInScope(ctx.db, req, id);
    assertDestinationsInScope(req, body.destinationIds);
    const ids = await placeLetter(ctx, org(req), id, body.destinationIds, { kind: 'person', name: actor(req) });
    res.status(202).json({ deliveryIds: ids });
  }));
  return r;
}
