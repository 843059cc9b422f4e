// An organisation's CVR numbers and provider mailboxes. Every function takes the organisation id
// first; credentials go in encrypted and never come out of this module except into a connector.
import { and, asc, count, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from './db';
import type { Sealer } from '../crypto/envelope';
import { cvrNumbers, mailboxes, messages } from './schema';
import { isValidCvr } from '../../../shared/src/identifiers';
import type { CvrCreate, CvrView, MailboxCreate, MailboxHealth, MailboxUpdate, MailboxView, Provider } from '../../../shared/src/contracts';
import { providerModule } from '../ingest/connectors';
import { HttpError } from '../api/errors';
import type { ZodType } from 'zod';

type MailboxRow = typeof mailboxes.$inferSelect;

export async function listCvrs(db: Db, orgId: string): Promise<CvrView[]> {
  const cvrs = await db.select().from(cvrNumbers).where(and(eq(cvrNumbers.orgId, orgId), isNull(cvrNumbers.removedAt))).orderBy(asc(cvrNumbers.name));
  const mbs = await db.select().from(mailboxes).where(and(eq(mailboxes.orgId, orgId), isNull(mailboxes.removedAt)));
  const undelivered = await undeliveredByMailbox(db, orgId, mbs.map((m) => m.id));
  return cvrs.map((c) => ({
    cvr: c.cvr, name: c.name,
    mailboxes: mbs.filter((m) => m.cvr === c.cvr).map((m) => view(m, undelivered.get(m.id) ?? 0)),
  }));
}

export async function addCvr(db: Db, orgId: string, input: CvrCreate): Promise<CvrView> {
  if (!isValidCvr(input.cvr)) throw new HttpError(400, 'invalid_cvr', `${input.cvr} is not a valid CVR number (the modulus 11 check fails). Check the digits.`);
  const [existing] = await db.select().from(cvrNumbers).where(and(eq(cvrNumbers.orgId, orgId), eq(cvrNumbers.cvr, input.cvr)));
  if (existing && !existing.removedAt) throw new HttpError(409, 'exists', `CVR ${input.cvr} is already in your organisation (as "${existing.name}").`);
  if (existing) {
    await db.update(cvrNumbers).set({ removedAt: null, name: input.name }).where(eq(cvrNumbers.id, existing.id));
  } else {
    await db.insert(cvrNumbers).values({ orgId, cvr: input.cvr, name: input.name });
  }
  return { cvr: input.cvr, name: input.name, mailboxes: [] };
}

/** Stops the CVR number's mailboxes; its letters stay until retention removes them. */
export async function removeCvr(db: Db, orgId: string, cvr: string): Promise<void> {
  const now = new Date();
  await db.transaction(async (tx) => {
    const r = await tx.update(cvrNumbers).set({ removedAt: now })
      .where(and(eq(cvrNumbers.orgId, orgId), eq(cvrNumbers.cvr, cvr), isNull(cvrNumbers.removedAt))).returning({ id: cvrNumbers.id });
    if (r.length === 0) throw new HttpError(404, 'not_found', `CVR ${cvr} is not in your organisation.`);
    await tx.update(mailboxes).set({ removedAt: now }).where(and(eq(mailboxes.orgId, orgId), eq(mailboxes.cvr, cvr), isNull(mailboxes.removedAt)));
  });
}

export async function addMailbox(db: Db, sealer: Sealer, orgId: string, cvr: string, input: MailboxCreate): Promise<MailboxView> {
  const [c] = await db.select().from(cvrNumbers).where(and(eq(cvrNumbers.orgId, orgId), eq(cvrNumbers.cvr, cvr), isNull(cvrNumbers.removedAt)));
  if (!c) throw new HttpError(404, 'not_found', `CVR ${cvr} is not in your organisation; add it first.`);
  const p = providerModule(input.provider);
  const config = validate(p.configSchema, input.config, `${p.displayName} settings`);
  const secret = validate(p.secretSchema, input.credentials, `${p.displayName} credentials`);
  const [existing] = await db.select().from(mailboxes).where(and(eq(mailboxes.orgId, orgId), eq(mailboxes.cvr, cvr), eq(mailboxes.provider, input.provider)));
  if (existing && !existing.removedAt) {
    throw new HttpError(409, 'exists', `CVR ${cvr} already has a ${p.displayName} mailbox; change it instead of adding another.`);
  }
  const values = {
    config: config as Record<string, unknown>, secretEnc: sealer.seal(JSON.stringify(secret)), paused: false, removedAt: null,
    consecutiveFailures: 0, backoffUntil: null, lastError: null, lastErrorAt: null,
  };
  const [row] = existing
    ? await db.update(mailboxes).set(values).where(eq(mailboxes.id, existing.id)).returning()
    : await db.insert(mailboxes).values({ orgId, cvr, provider: input.provider, ...values }).returning();
  return view(row, 0);
}

export async function getMailbox(db: Db, orgId: string, id: string): Promise<MailboxView> {
  const row = await mailboxRow(db, orgId, id);
  const undelivered = await undeliveredByMailbox(db, orgId, [id]);
  return view(row, undelivered.get(id) ?? 0);
}

export async function updateMailbox(db: Db, sealer: Sealer, orgId: string, id: string, input: MailboxUpdate): Promise<MailboxView> {
  const row = await mailboxRow(db, orgId, id);
  const p = providerModule(row.provider);
  const set: Partial<MailboxRow> = {};
  if (input.paused !== undefined) set.paused = input.paused;
  if (input.config !== undefined) set.config = validate(p.configSchema, input.config, `${p.displayName} settings`) as Record<string, unknown>;
  if (input.credentials !== undefined) set.secretEnc = sealer.seal(JSON.stringify(validate(p.secretSchema, input.credentials, `${p.displayName} credentials`)));
  // New settings or a resume deserve an immediate try, not the rest of a backoff.
  if (input.paused === false || input.config || input.credentials) Object.assign(set, { backoffUntil: null, consecutiveFailures: 0 });
  if (Object.keys(set).length) await db.update(mailboxes).set(set).where(eq(mailboxes.id, id));
  return getMailbox(db, orgId, id);
}

/** The stored mailbox, for the connector-level operations (backfill); 404 outside the organisation. */
export async function mailboxRow(db: Db, orgId: string, id: string): Promise<MailboxRow> {
  const [row] = await db.select().from(mailboxes).where(and(eq(mailboxes.orgId, orgId), eq(mailboxes.id, id), isNull(mailboxes.removedAt)));
  if (!row) throw new HttpError(404, 'not_found', 'No such mailbox in your organisation.');
  return row;
}

async function undeliveredByMailbox(db: Db, orgId: string, ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await db.select({ id: messages.mailboxId, n: count() }).from(messages)
    .where(and(eq(messages.orgId, orgId), inArray(messages.mailboxId, ids), inArray(messages.status, ['received', 'routed'])))
    .groupBy(messages.mailboxId);
  return new Map(rows.map((r) => [r.id, Number(r.n)]));
}

function validate<T>(schema: ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const i = r.error.issues[0];
  throw new HttpError(400, 'invalid_mailbox', `${what}: ${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`);
}

export function mailboxHealth(m: MailboxRow, undelivered: number, now = new Date()): MailboxHealth {
  const push = (() => { try { return providerModule(m.provider).receivesByPush(m.config); } catch { return false; } })();
  const state: MailboxHealth['state'] = m.paused ? 'paused'
    : push ? 'push'
      : m.backoffUntil && m.backoffUntil > now ? 'backing_off'
        : m.consecutiveFailures > 0 ? 'failing'
          : !m.lastFetchAt ? 'never_fetched' : 'ok';
  return {
    state,
    lastFetchAt: m.lastFetchAt?.toISOString() ?? null,
    lastErrorAt: m.lastErrorAt?.toISOString() ?? null,
    lastError: m.lastError,
    consecutiveFailures: m.consecutiveFailures,
    nextAttemptAfter: m.backoffUntil && m.backoffUntil > now ? m.backoffUntil.toISOString() : null,
    waitingAtProvider: m.waitingAtLastPoll,
    undelivered,
  };
}

function view(m: MailboxRow, undelivered: number): MailboxView {
  return {
    id: m.id, cvr: m.cvr, provider: m.provider as Provider, config: m.config, hasCredentials: !!m.secretEnc, paused: m.paused,
    health: mailboxHealth(m, undelivered),
  };
}
