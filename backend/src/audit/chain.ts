// The append-only, tamper-evident audit log. Each organisation's entries form a hash chain: an entry's
// hash is SHA-256 over a canonical JSON of its content and the previous entry's hash, so editing or
// deleting a row breaks every hash after it (verifyAuditChain, `brevdue audit verify`). The position
// `seq` is unique per organisation: two writers racing for the same position cannot fork the chain;
// the loser reads the new head and tries again.
import { createHash } from 'node:crypto';
import { and, asc, desc, eq, gt, gte, lt, sql } from 'drizzle-orm';
import { isUniqueViolation, type Db, type Tx } from '../store/db';
import { auditLog } from '../store/schema';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  orgId: string;
  /** Who: "Display Name (user id)" for people, "system" for jobs. */
  actor: string;
  actorIp?: string | null;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  /** What, beyond the target: never letter content, tokens or a CPR number. */
  details?: Record<string, unknown>;
}

export type AuditRow = typeof auditLog.$inferSelect;

/** JSON with object keys sorted at every level: the same value always hashes the same (jsonb reorders keys). */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

export function auditHash(e: {
  orgId: string; seq: number; at: Date; actor: string; actorIp: string | null; action: string;
  targetType: string | null; targetId: string | null; details: Record<string, unknown>; prevHash: string;
}): string {
  const body = canonicalJson({
    orgId: e.orgId, seq: e.seq, at: e.at.toISOString(), actor: e.actor, actorIp: e.actorIp, action: e.action,
    targetType: e.targetType, targetId: e.targetId, details: e.details, prevHash: e.prevHash,
  });
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

const MAX_ATTEMPTS = 50;

/** Appends an entry at the end of its organisation's chain; returns the stored row. */
export async function appendAudit(db: Db | Tx, entry: AuditEntry): Promise<AuditRow> {
  // Round-tripped through JSON so what we hash is exactly what jsonb gives back (no undefined, no Dates).
  const details = JSON.parse(JSON.stringify(entry.details ?? {})) as Record<string, unknown>;
  for (let attempt = 1; ; attempt++) {
    const [head] = await db.select({ seq: auditLog.seq, hash: auditLog.hash }).from(auditLog)
      .where(eq(auditLog.orgId, entry.orgId)).orderBy(desc(auditLog.seq)).limit(1);
    // Millisecond precision: timestamptz keeps microseconds, a JS Date milliseconds; both agree on this.
    const at = new Date(Math.floor(Date.now()));
    const row = {
      orgId: entry.orgId, seq: (head?.seq ?? 0) + 1, at, actor: entry.actor, actorIp: entry.actorIp ?? null,
      action: entry.action, targetType: entry.targetType ?? null, targetId: entry.targetId ?? null, details,
      prevHash: head?.hash ?? GENESIS_HASH,
    };
    try {
      const [stored] = await db.insert(auditLog).values({ ...row, hash: auditHash(row) }).returning();
      return stored;
    } catch (e) {
      if (!isUniqueViolation(e) || attempt >= MAX_ATTEMPTS) throw e;
      // Another writer took this position: back off a little (spread the racers), then read the new head.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 * attempt)));
    }
  }
}

export type ChainVerdict =
  | { ok: true; entries: number; headHash: string }
  | { ok: false; entries: number; brokenAt: number; reason: string };

/** Walks an organisation's chain from seq 1: the first edited, deleted or out-of-place entry is reported. */
export async function verifyAuditChain(db: Db, orgId: string): Promise<ChainVerdict> {
  let expectSeq = 1;
  let prev = GENESIS_HASH;
  let entries = 0;
  for (;;) {
    const rows = await db.select().from(auditLog)
      .where(and(eq(auditLog.orgId, orgId), gte(auditLog.seq, expectSeq))).orderBy(asc(auditLog.seq)).limit(1000);
    if (rows.length === 0) return { ok: true, entries, headHash: prev };
    for (const r of rows) {
      if (r.seq !== expectSeq) return { ok: false, entries, brokenAt: expectSeq, reason: `entry ${expectSeq} is missing (deleted); the next entry is ${r.seq}` };
      if (r.prevHash !== prev) return { ok: false, entries, brokenAt: r.seq, reason: `entry ${r.seq} does not follow the entry before it (previous hash differs)` };
      const h = auditHash({ ...r, details: r.details ?? {} });
      if (h !== r.hash) return { ok: false, entries, brokenAt: r.seq, reason: `entry ${r.seq} was changed after it was written (its hash does not match its content)` };
      prev = r.hash;
      expectSeq++;
      entries++;
    }
  }
}

/** Every organisation that has audit entries. */
export async function auditedOrganisations(db: Db): Promise<string[]> {
  const rows = await db.selectDistinct({ orgId: auditLog.orgId }).from(auditLog);
  return rows.map((r) => r.orgId);
}

export interface AuditQuery { action?: string; from?: Date; to?: Date; afterSeq?: number; limit: number }

/** Newest first; `afterSeq` pages backwards (entries with a lower seq). */
/** An exact action, or every action under a prefix ending in "." (e.g. "letter."): the list and the export alike. */
function actionFilter(action: string) {
  return action.endsWith('.') ? sql`${auditLog.action} like ${`${action.replace(/[%_\\]/g, '\\$&')}%`}` : eq(auditLog.action, action);
}

export async function listAudit(db: Db, orgId: string, q: AuditQuery): Promise<AuditRow[]> {
  const conds = [eq(auditLog.orgId, orgId)];
  if (q.action) conds.push(actionFilter(q.action));
  if (q.from) conds.push(gte(auditLog.at, q.from));
  if (q.to) conds.push(lt(auditLog.at, q.to));
  if (q.afterSeq !== undefined) conds.push(lt(auditLog.seq, q.afterSeq));
  return db.select().from(auditLog).where(and(...conds)).orderBy(desc(auditLog.seq)).limit(q.limit);
}

/** All entries in chain order (for the CSV export), in pages so a long log does not sit in memory twice. */
export async function* auditRowsInOrder(db: Db, orgId: string, q: Omit<AuditQuery, 'limit' | 'afterSeq'>): AsyncGenerator<AuditRow> {
  let after = 0;
  for (;;) {
    const conds = [eq(auditLog.orgId, orgId), gt(auditLog.seq, after)];
    if (q.action) conds.push(actionFilter(q.action));
    if (q.from) conds.push(gte(auditLog.at, q.from));
    if (q.to) conds.push(lt(auditLog.at, q.to));
    const rows = await db.select().from(auditLog).where(and(...conds)).orderBy(asc(auditLog.seq)).limit(1000);
    if (rows.length === 0) return;
    for (const r of rows) yield r;
    after = rows[rows.length - 1].seq;
  }
}

/** One CSV field (RFC 4180); a leading = + - @ is neutralised so a spreadsheet never runs it as a formula. */
export function csvField(v: unknown): string {
  let s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
