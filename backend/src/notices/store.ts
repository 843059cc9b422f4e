// Service notices: a maintenance window or an announcement, shown as a banner in every task pane of
// the organisation from `showFrom` until `endsAt`. Rows with org_id null are for every organisation
// (the installation's operator writes those); an organisation's admins see them but cannot change them.
import { and, desc, eq, gt, isNull, lte, or } from 'drizzle-orm';
import type { Db } from '../store/db';
import { serviceNotices } from '../store/schema';
import { HttpError } from '../api/errors';
import {
  NOTICE_DEFAULT_LEAD_DAYS, type ActiveNotice, type NoticePhase, type ServiceNotice,
} from '../../../shared/src/contracts';

type NoticeRow = typeof serviceNotices.$inferSelect;

/** A validated notice (noticeCreateSchema's output). */
export interface NoticeInput {
  severity: 'info' | 'warning';
  textDa: string;
  textEn: string;
  showFrom?: string;
  startsAt: string;
  endsAt: string;
}

export function noticePhase(n: Pick<NoticeRow, 'showFrom' | 'startsAt' | 'endsAt'>, now: Date): NoticePhase {
  if (n.endsAt <= now) return 'ended';
  if (n.startsAt <= now) return 'active';
  return n.showFrom <= now ? 'upcoming' : 'scheduled';
}

function view(n: NoticeRow, now: Date): ServiceNotice {
  return {
    id: n.id, global: n.orgId === null, severity: n.severity === 'warning' ? 'warning' : 'info', textDa: n.textDa, textEn: n.textEn,
    showFrom: n.showFrom.toISOString(), startsAt: n.startsAt.toISOString(), endsAt: n.endsAt.toISOString(),
    createdBy: n.createdBy, createdAt: n.createdAt.toISOString(), phase: noticePhase(n, now),
  };
}

const mineOrGlobal = (orgId: string) => or(eq(serviceNotices.orgId, orgId), isNull(serviceNotices.orgId));

/** The banner's notices: shown now (showFrom ≤ now < endsAt), the organisation's and everyone's, soonest first. */
export async function activeNotices(db: Db, orgId: string, now = new Date()): Promise<ActiveNotice[]> {
  const rows = await db.select().from(serviceNotices)
    .where(and(mineOrGlobal(orgId), isNull(serviceNotices.deletedAt), lte(serviceNotices.showFrom, now), gt(serviceNotices.endsAt, now)))
    .orderBy(serviceNotices.startsAt);
  return rows.map((n) => ({
    id: n.id, severity: n.severity === 'warning' ? 'warning' : 'info', textDa: n.textDa, textEn: n.textEn,
    startsAt: n.startsAt.toISOString(), endsAt: n.endsAt.toISOString(), phase: n.startsAt <= now ? 'active' : 'upcoming',
  }));
}

/** For the admin page: every notice not deleted that has not ended more than 30 days ago, newest window first. */
export async function listNotices(db: Db, orgId: string, now = new Date()): Promise<ServiceNotice[]> {
  const recent = new Date(now.getTime() - 30 * 86_400_000);
  const rows = await db.select().from(serviceNotices)
    .where(and(mineOrGlobal(orgId), isNull(serviceNotices.deletedAt), gt(serviceNotices.endsAt, recent)))
    .orderBy(desc(serviceNotices.startsAt)).limit(200);
  return rows.map((n) => view(n, now));
}

function times(input: NoticeInput) {
  const startsAt = new Date(input.startsAt);
  const showFrom = input.showFrom ? new Date(input.showFrom) : new Date(startsAt.getTime() - NOTICE_DEFAULT_LEAD_DAYS * 86_400_000);
  return { showFrom, startsAt, endsAt: new Date(input.endsAt) };
}

export async function createNotice(db: Db, orgId: string, createdBy: string, input: NoticeInput, now = new Date()): Promise<ServiceNotice> {
  const [row] = await db.insert(serviceNotices)
    .values({ orgId, severity: input.severity, textDa: input.textDa, textEn: input.textEn, ...times(input), createdBy }).returning();
  return view(row, now);
}

/** Replaces a notice of the organisation (global ones are not the organisation's to change). */
export async function updateNotice(db: Db, orgId: string, id: string, input: NoticeInput, now = new Date()): Promise<ServiceNotice> {
  await ownNotice(db, orgId, id);
  const [row] = await db.update(serviceNotices)
    .set({ severity: input.severity, textDa: input.textDa, textEn: input.textEn, ...times(input) })
    .where(eq(serviceNotices.id, id)).returning();
  return view(row, now);
}

/** Soft delete: the row stays as a record of what was announced. */
export async function deleteNotice(db: Db, orgId: string, id: string): Promise<void> {
  await ownNotice(db, orgId, id);
  await db.update(serviceNotices).set({ deletedAt: new Date() }).where(eq(serviceNotices.id, id));
}

async function ownNotice(db: Db, orgId: string, id: string): Promise<NoticeRow> {
  const [row] = await db.select().from(serviceNotices).where(and(eq(serviceNotices.id, id), isNull(serviceNotices.deletedAt), mineOrGlobal(orgId)));
  if (!row) throw new HttpError(404, 'not_found', 'No such service notice in your organisation (it may have been deleted).');
  if (row.orgId === null) throw new HttpError(403, 'global_notice', 'This notice is for every organisation and is managed by the operator of the Brevdue installation, not by your organisation.');
  return row;
}
