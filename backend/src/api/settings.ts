// Organisation settings without a home of their own: retention (admins change it, operators read it).
// Mounted at /api. The daily job 'retention-purge' (retention/purge.ts) acts on retention_days and
// quarantine_keep_days (how long past retention a quarantined letter nobody acted on is kept).
import express, { type Router } from 'express';
import { eq } from 'drizzle-orm';
import { retentionSettingsSchema, type RetentionSettings } from '../../../shared/src/contracts';
import { organisations } from '../store/schema';
import type { Db } from '../store/db';
import { requireRole, scope } from './roles';
import { h } from './handler';
import { HttpError } from './errors';

export async function getRetentionSettings(db: Db, orgId: string): Promise<RetentionSettings> {
  const [row] = await db.select({ retentionDays: organisations.retentionDays, quarantineKeepDays: organisations.quarantineKeepDays })
    .from(organisations).where(eq(organisations.id, orgId));
  if (!row) throw new HttpError(404, 'not_found', 'Your organisation is not set up in Brevdue.');
  return { retentionDays: row.retentionDays, quarantineKeepDays: row.quarantineKeepDays };
}

export async function putRetentionSettings(db: Db, orgId: string, s: RetentionSettings): Promise<RetentionSettings> {
  await db.update(organisations).set({ retentionDays: s.retentionDays, ...(s.quarantineKeepDays !== undefined ? { quarantineKeepDays: s.quarantineKeepDays } : {}) })
    .where(eq(organisations.id, orgId));
  return getRetentionSettings(db, orgId);
}

export function settingsRouter(deps: { db: Db }): Router {
  const r = express.Router();
  r.get('/admin/retention-settings', requireRole('admin', 'operator'), h(async (req, res) => {
    res.json(await getRetentionSettings(deps.db, scope(req).orgId));
  }));
  r.put('/admin/retention-settings', requireRole('admin'), h(async (req, res) => {
    res.json(await putRetentionSettings(deps.db, scope(req).orgId, retentionSettingsSchema.parse(req.body)));
  }));
  return r;
}
