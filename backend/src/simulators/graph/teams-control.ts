// Simulator control routes for Teams (not part of Graph), under <prefix>/sim/teams:
//   GET  /sim/teams                                      teams with channels and their files folders
//   POST /sim/teams   {displayName, description?, id?, channels?: [{displayName, id?}]}
//                     → 201 {id, driveId, channels:[{id, displayName, filesFolder}]} (General is always there)
//   POST /sim/teams/:teamId/channels   {displayName, id?}  → 201 the team
//   GET  /sim/teams/:teamId/channels/:channelId/files      files below the channel folder (path, size, sha256)
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { GraphRuntime } from './runtime';
import { teamsOf } from './teams-state';

const channelSchema = z.object({ id: z.string().optional(), displayName: z.string().min(1).max(50), description: z.string().optional() }).strict();
export const addTeamSchema = z.object({
  id: z.string().optional(),
  displayName: z.string().min(1).max(256),
  description: z.string().optional(),
  channels: z.array(channelSchema).max(200).optional(),
}).strict();

export function teamsControlRouter(rt: GraphRuntime): Router {
  const state = teamsOf(rt);
  const r = Router();
  const fail = (res: Response, status: number, message: string) => res.status(status).json({ error: { code: 'SimulatorControl', message } });
  const issues = (e: z.ZodError) => e.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');

  r.get('/', (_req, res) => { res.json({ value: state.allTeams().map((t) => state.teamSummary(t)) }); });

  r.post('/', (req, res) => {
    const p = addTeamSchema.safeParse(req.body);
    if (!p.success) return fail(res, 400, issues(p.error));
    try { res.status(201).json(state.teamSummary(state.addTeam(p.data))); } catch (e) { fail(res, 400, (e as Error).message); }
  });

  r.post('/:teamId/channels', (req, res) => {
    const t = state.findTeam(req.params.teamId);
    if (!t) return fail(res, 404, `No team ${req.params.teamId}.`);
    const p = channelSchema.safeParse(req.body);
    if (!p.success) return fail(res, 400, issues(p.error));
    try { state.addChannel(t, p.data); res.status(201).json(state.teamSummary(t)); } catch (e) { fail(res, 400, (e as Error).message); }
  });

  r.get('/:teamId/channels/:channelId/files', (req, res) => {
    try {
      const files = state.files(req.params.teamId, req.params.channelId).map(({ content: _content, ...f }) => f);
      res.json({ teamId: req.params.teamId, channelId: req.params.channelId, value: files });
    } catch (e) { fail(res, 404, (e as Error).message); }
  });
  return r;
}
