// GET /api/admin/jobs: the operator's view of the job runner (agenda's table), for admins and
// operators. Counts per job name are installation-wide (no content, only numbers: they show whether
// the runner keeps up). Failed jobs are listed only when they belong to the caller's organisation
// (their mailbox, letter or delivery) or to no organisation (recovery, retention), with the reason
// CPR-masked and shortened.
import express, { type Router } from 'express';
import { sql } from 'drizzle-orm';
import type { Db } from '../store/db';
import type { JobsOverview } from '../../../shared/src/contracts';
import { maskCpr } from '../../../shared/src/identifiers';
import { requireRole, scope } from './roles';
import { h } from './handler';

export const RECENT_FAILURE_HOURS = 24;
const FAILED_LIST = 20;

const rowsOf = <T>(r: unknown) => (r as { rows: T[] }).rows;
const iso = (v: unknown) => (v == null ? null : new Date(v as string | Date).toISOString());

export async function jobsOverview(db: Db, orgId: string): Promise<JobsOverview> {
  const summary = rowsOf<{ name: string; queued: number; due: number; running: number; failed: number; oldest: number | null }>(await db.execute(sql`
    SELECT name,
      count(*) FILTER (WHERE locked_at IS NULL AND next_run_at IS NOT NULL)::int AS queued,
      count(*) FILTER (WHERE locked_at IS NULL AND next_run_at <= now())::int AS due,
      count(*) FILTER (WHERE locked_at IS NOT NULL)::int AS running,
      count(*) FILTER (WHERE failed_at > now() - make_interval(hours => ${RECENT_FAILURE_HOURS}))::int AS failed,
      EXTRACT(EPOCH FROM now() - min(next_run_at) FILTER (WHERE locked_at IS NULL AND next_run_at <= now()))::float8 AS oldest
    FROM agenda_jobs WHERE disabled = false GROUP BY name ORDER BY name`));
  const failed = rowsOf<{ name: string; failed_at: unknown; fail_count: number | null; fail_reason: string | null }>(await db.execute(sql`
    SELECT j.name, j.failed_at, j.fail_count, j.fail_reason FROM agenda_jobs j
    WHERE j.failed_at IS NOT NULL AND (
      (j.data->>'mailboxId' IS NULL AND j.data->>'messageId' IS NULL AND j.data->>'deliveryId' IS NULL)
      OR j.data->>'mailboxId' IN (SELECT id::text FROM mailboxes WHERE org_id = ${orgId})
      OR j.data->>'messageId' IN (SELECT id::text FROM messages WHERE org_id = ${orgId})
      OR j.data->>'deliveryId' IN (SELECT id::text FROM deliveries WHERE org_id = ${orgId}))
    ORDER BY j.failed_at DESC LIMIT ${FAILED_LIST}`));
  return {
    jobs: summary.map((s) => ({
      name: s.name, queued: Number(s.queued), dueNow: Number(s.due), running: Number(s.running), failedRecently: Number(s.failed),
      oldestDueSeconds: s.oldest == null ? null : Math.max(0, Math.round(Number(s.oldest))),
    })),
    recentFailures: failed.map((f) => ({
      name: f.name, failedAt: iso(f.failed_at)!, failCount: f.fail_count ?? 1,
      failReason: f.fail_reason ? maskCpr(f.fail_reason).slice(0, 500) : null,
    })),
    recentHours: RECENT_FAILURE_HOURS,
  };
}

export function jobsRouter(db: Db): Router {
  const r = express.Router();
  r.get('/jobs', requireRole('admin', 'operator'), h(async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(await jobsOverview(db, scope(req).orgId));
  }));
  return r;
}
