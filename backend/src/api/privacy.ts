// Privacy routes: the audit log (read, CSV export), legal hold per letter, and data subject requests.
// Admins only. Audit entries for these routes are written by audit-middleware.ts like every other;
// the handlers only add safe details (a CPR number's keyed hash, counts) in res.locals.auditDetails.
import express, { type Request, type Response, type Router } from 'express';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../store/db';
import type { Sealer } from '../crypto/envelope';
import { messages } from '../store/schema';
import { auditRowsInOrder, csvField, listAudit, type AuditRow } from '../audit/chain';
import { currentCprHash, normaliseCpr } from '../dsr/cpr-index';
import { dsrErase, dsrExport, dsrSearch, dsrSearchQuarantine } from '../dsr/requests';
import { requireRole, scope } from './roles';
import { h } from './handler';
import { HttpError } from './errors';
import { PG_INTEGER_MAX, YEAR_MAX, day, text, wholeNumber } from '../../../shared/src/input-edges';

const uuid = z.string().uuid('must be a letter id (UUID)');
// The message never repeats the input: it is a CPR number.
const cprBody = z.object({
  cpr: z.string().max(20, 'must be a CPR number: 10 digits, with or without a hyphen')
    .transform((s, c) => normaliseCpr(s) ?? (c.addIssue({ code: 'custom', message: 'must be a CPR number: 10 digits, with or without a hyphen' }), z.NEVER)),
});
const eraseBody = cprBody.extend({
  confirm: z.literal(true, { errorMap: () => ({ message: 'must be true: erasing deletes the letters\' content for good' }) }),
});
// Days in years 0001–9999, an action without control characters, `before` within audit_log.seq
// (integer): shared/src/input-edges.ts.
const auditDay = day('must be a date, YYYY-MM-DD').transform((s) => new Date(`${s}T00:00:00Z`));
const auditQuery = z.object({
  action: text().max(100, 'action is at most 100 characters').optional(),
  from: auditDay.optional(),
  /** Inclusive: entries of that whole day. */
  to: auditDay.transform((d) => {
    const end = new Date(d.getTime() + 86_400_000);
    return end.getUTCFullYear() > YEAR_MAX ? undefined : end; // to 9999-12-31: no end (year 10000 is no timestamp PostgreSQL reads)
  }).optional(),
  before: wholeNumber('before', { min: 1, max: PG_INTEGER_MAX }).optional(),
  limit: wholeNumber('limit', { min: 1, max: 500 }).default(100),
});

export function privacyRouter(deps: { db: Db; sealer: Sealer }): Router {
  const r = express.Router();
  const admin = requireRole('admin');
  const org = (req: Request) => scope(req).orgId;
  const audited = (res: Response, details: Record<string, unknown>) => { res.locals.auditDetails = details; };

  r.get('/admin/audit', admin, h(async (req, res) => {
    const q = auditQuery.parse(req.query);
    const items = await listAudit(deps.db, org(req), { action: q.action, from: q.from, to: q.to, afterSeq: q.before, limit: q.limit });
    const last = items[items.length - 1];
    res.json({ items: items.map(auditJson), nextBefore: items.length === q.limit && last ? last.seq : null });
  }));

  r.get('/admin/audit.csv', admin, h(async (req, res) => {
    const q = auditQuery.parse(req.query);
    // The first page is read before anything is written: a query PostgreSQL refuses is still an
    // ordinary error answer, not a download cut off after its headers.
    const rows = auditRowsInOrder(deps.db, org(req), { action: q.action, from: q.from, to: q.to })[Symbol.asyncIterator]();
    let next = await rows.next();
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="brevdue-audit.csv"');
    res.setHeader('Cache-Control', 'private, no-store');
    // The chain's fields, so the export can be verified outside Brevdue too.
    res.write('\ufeffseq,at,actor,actor_ip,action,target_type,target_id,details,prev_hash,hash\r\n');
    for (; !next.done; next = await rows.next()) {
      const j = auditJson(next.value);
      res.write(`${[j.seq, j.at, j.actor, j.actorIp, j.action, j.targetType, j.targetId, j.details, j.prevHash, j.hash].map(csvField).join(',')}\r\n`);
    }
    res.end();
  }));

  const setHold = (hold: boolean) => h(async (req, res) => {
    const id = uuid.parse(req.params.id);
    const [row] = await deps.db.update(messages).set({ legalHold: hold })
      .where(and(eq(messages.orgId, org(req)), eq(messages.id, id))).returning({ purgedAt: messages.purgedAt });
    if (!row) throw new HttpError(404, 'not_found', 'No letter with that id in your organisation.');
    audited(res, { legalHold: hold, alreadyPurged: !!row.purgedAt });
    res.json({ id, legalHold: hold, purgedAt: row.purgedAt?.toISOString() ?? null });
  });
  r.put('/messages/:id/legal-hold', admin, setHold(true));
  r.delete('/messages/:id/legal-hold', admin, setHold(false));

  r.post('/admin/dsr/search', admin, h(async (req, res) => {
    const { cpr } = cprBody.parse(req.body);
    const letters = await dsrSearch(deps.db, deps.sealer, org(req), cpr);
    // Quarantined letters (never taken in) are searched too: their sealed bytes, through their own index.
    const q = await dsrSearchQuarantine(deps.db, deps.sealer, org(req), cpr);
    audited(res, { targetId: currentCprHash(deps.sealer, cpr), letters: letters.length, quarantined: q.quarantined.length, quarantineUnreadable: q.quarantineUnreadable.length });
    res.json({ letters, ...q });
  }));

  r.post('/admin/dsr/export', admin, h(async (req, res) => {
    const { cpr } = cprBody.parse(req.body);
    const out = await dsrExport(deps.db, deps.sealer, org(req), cpr);
    audited(res, {
      targetId: currentCprHash(deps.sealer, cpr), letters: out.letterCount, letterIds: out.letters.map((l) => l.id),
      quarantined: out.quarantinedCount, quarantineIds: out.quarantined.map((l) => l.id),
    });
    res.setHeader('Content-Disposition', 'attachment; filename="brevdue-dsr-export.json"');
    res.setHeader('Cache-Control', 'private, no-store');
    res.json(out);
  }));

  r.post('/admin/dsr/erase', admin, h(async (req, res) => {
    const { cpr } = eraseBody.parse(req.body);
    const out = await dsrErase(deps.db, deps.sealer, org(req), cpr);
    if (!out.ok) {
      throw new HttpError(409, 'legal_hold', `${out.held.length} of the letters are on legal hold, so nothing was erased. `
        + `Lift the hold on ${out.held.join(', ')} (if the reason for it has passed) and erase again.`);
    }
    audited(res, {
      targetId: currentCprHash(deps.sealer, cpr), erased: out.erased.length, letterIds: out.erased, alreadyPurged: out.alreadyPurged,
      quarantineErased: out.quarantineErased.length, quarantineIds: out.quarantineErased,
    });
    res.json({ erased: out.erased, alreadyPurged: out.alreadyPurged, quarantineErased: out.quarantineErased, quarantineUnreadable: out.quarantineUnreadable });
  }));

  return r;
}

function auditJson(a: AuditRow) {
  return {
    seq: a.seq, at: a.at.toISOString(), actor: a.actor, actorIp: a.actorIp, action: a.action,
    targetType: a.targetType, targetId: a.targetId, details: a.details, prevHash: a.prevHash, hash: a.hash,
  };
}
