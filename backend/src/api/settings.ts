// Organisation settings without a home of their own: retention (admins change it, operators read it).
// Mounted at /api. The daily job 'retention-purge' (retention/purge.ts) acts on retention_days and
// quarantine_keep_days (how long past retention a quarantined letter nobody acted on is kept). Its
// deletions cannot be undone, so admins see what a new setting would delete (the preview, counted as
// the purge selects: retention/due.ts) and a shortening that deletes anything must be confirmed.
import express, { type Router } from 'express';
import { eq } from 'drizzle-orm';
import {
  retentionPreviewQuerySchema, retentionSettingsUpdateSchema, type RetentionPreview, type RetentionSettings,
} from '../../../shared/src/contracts';
import { organisations } from '../store/schema';
import type { Db } from '../store/db';
import { countDue } from '../retention/due';
import { QUARANTINE_KEEP_DAYS_DEFAULT } from '../retention/purge';
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

/** What the next purge would delete with these settings (quarantineKeepDays left out: the current one), counted now. Reads only. */
export async function previewRetention(db: Db, orgId: string, s: RetentionSettings, current?: RetentionSettings): Promise<RetentionPreview> {
  const keep = s.quarantineKeepDays ?? (current ?? await getRetentionSettings(db, orgId)).quarantineKeepDays;
  const days = { retentionDays: s.retentionDays, quarantineKeepDays: keep ?? QUARANTINE_KEEP_DAYS_DEFAULT };
  const c = await countDue(db, orgId, days);
  return { ...days, letters: c.letters, quarantined: c.quarantined, keptOnLegalHold: c.keptOnLegalHold, oldestReceivedAt: c.oldest?.toISOString() ?? null };
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

export function settingsRouter(deps: { db: Db }): Router {
  const r = express.Router();
  r.get('/admin/retention-settings', requireRole('admin', 'operator'), h(async (req, res) => {
    res.json(await getRetentionSettings(deps.db, scope(req).orgId));
  }));
  r.get('/admin/retention-settings/preview', requireRole('admin'), h(async (req, res) => {
    res.json(await previewRetention(deps.db, scope(req).orgId, retentionPreviewQuerySchema.parse(req.query)));
  }));
  r.put('/admin/retention-settings', requireRole('admin'), h(async (req, res) => {
    const orgId = scope(req).orgId;
    const { confirmDeletes, ...s } = retentionSettingsUpdateSchema.parse(req.body);
    const current = await getRetentionSettings(deps.db, orgId);
    // Only a shortening asks: what the current settings delete anyway is no news to the admin.
    const shortens = s.retentionDays < current.retentionDays
      || (s.quarantineKeepDays !== undefined && current.quarantineKeepDays !== undefined && s.quarantineKeepDays < current.quarantineKeepDays);
    const p = shortens ? await previewRetention(deps.db, orgId, s, current) : null;
    const total = p ? p.letters + p.quarantined : 0;
    if (p && total > 0 && (confirmDeletes ?? -1) < total) {
      const oldest = p.oldestReceivedAt?.slice(0, 10) ?? '';
      throw new HttpError(409, 'retention_deletes_unconfirmed',
        `With these settings the next retention purge deletes the content of ${plural(p.letters, 'letter', 'letters')} and ${plural(p.quarantined, 'letter', 'letters')} in quarantine`
        + ` (the oldest received ${oldest}); this cannot be undone. Nothing was saved. To save, send confirmDeletes: ${total} (see GET /api/admin/retention-settings/preview).`,
        { params: { letters: p.letters, quarantined: p.quarantined, total, keptOnLegalHold: p.keptOnLegalHold, oldest: p.oldestReceivedAt ?? '', ...(confirmDeletes !== undefined ? { confirmed: confirmDeletes } : {}) } });
    }
    // Counts and days only: what the admin agreed the next purge deletes.
    res.locals.auditDetails = {
      previousRetentionDays: current.retentionDays, previousQuarantineKeepDays: current.quarantineKeepDays ?? null,
      ...(p && total > 0 ? { confirmedDeletes: { letters: p.letters, quarantined: p.quarantined } } : {}),
    };
    res.json(await putRetentionSettings(deps.db, orgId, s));
  }));
  return r;
}
