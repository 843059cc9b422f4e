// An organisation's CVR numbers and provider mailboxes. Every function takes the organisation id
// first, or the caller's scope where limited callers read (a mailbox's health shows its last error and
// quarantine only to those who see that quarantine: store/scope.ts seesQuarantineOf); credentials go in
// encrypted and never come out of this module except into a connector.
import { and, asc, count, desc, eq, inArray, isNull, ne } from 'drizzle-orm';
import { isUniqueViolation, type Db } from './db';
import type { Sealer } from '../crypto/envelope';
import { cvrNumbers, mailboxes, messages, quarantine } from './schema';
import { isValidCvr } from '../../../shared/src/identifiers';
import type { CvrCreate, CvrView, MailboxCreate, MailboxHealth, MailboxUpdate, MailboxView, Provider, QuarantineItem } from '../../../shared/src/contracts';
import { mailboxErrorKindSchema } from '../../../shared/src/contracts';
import { providerModule } from '../ingest/connectors';
import { keepCredentials, publicConfig, splitSecretSettings } from '../ingest/provider';
import { DEFAULT_PROVIDER_URL_POLICY, providerBaseUrlRefusal, sameBaseUrl, type ProviderUrlPolicy } from '../ingest/provider-urls';
import { HttpError } from '../api/errors';
import { mayUseCvr, orgScope, seesQuarantineOf, type Scope } from './scope';
import type { ZodType } from 'zod';

type MailboxRow = typeof mailboxes.$inferSelect;

/** The CVR numbers the scope may use (mayUseCvr), with their mailboxes. */
export async function listCvrs(db: Db, scope: Scope): Promise<CvrView[]> {
  const orgId = scope.orgId;
  const cvrs = (await db.select().from(cvrNumbers).where(and(eq(cvrNumbers.orgId, orgId), isNull(cvrNumbers.removedAt))).orderBy(asc(cvrNumbers.name)))
    .filter((c) => mayUseCvr(scope, c.cvr));
  const mbs = (await db.select().from(mailboxes).where(and(eq(mailboxes.orgId, orgId), isNull(mailboxes.removedAt))))
    .filter((m) => mayUseCvr(scope, m.cvr));
  const counts = await countsByMailbox(db, orgId, mbs.map((m) => m.id));
  return cvrs.map((c) => ({
    cvr: c.cvr, name: c.name,
    mailboxes: mbs.filter((m) => m.cvr === c.cvr).map((m) => view(m, counts(m.id), scope)),
  }));
}

/**
 * A CVR number belongs to at most one organisation of the installation (the unique index
 * cvr_numbers_cvr_active_uq on the rows not removed, migration 0020): its letters, its Digital Post
 * pushes and its mailboxes are that organisation's. The refusal does not say which organisation holds it.
 */
const cvrTaken = (cvr: string) => new HttpError(409, 'cvr_taken', `CVR ${cvr} is already connected to another organisation in this Brevdue `
  + 'installation, and a CVR number can belong to one organisation only. If it is yours, ask the operator of this Brevdue installation '
  + 'to look into it; it is not shown here which organisation holds it.', { params: { cvr } });

/** The CVR number is this organisation's already: its number and name as params, so the pane says it in the reader's language. */
const cvrExists = (cvr: string, name: string) => new HttpError(409, 'cvr_exists', `CVR ${cvr} is already in your organisation (as "${name}").`, { params: { cvr, name } });

export async function addCvr(db: Db, orgId: string, input: CvrCreate): Promise<CvrView> {
  if (!isValidCvr(input.cvr)) throw new HttpError(400, 'invalid_cvr', `${input.cvr} is not a valid CVR number (the modulus 11 check fails). Check the digits.`);
  const [existing] = await db.select().from(cvrNumbers).where(and(eq(cvrNumbers.orgId, orgId), eq(cvrNumbers.cvr, input.cvr)));
  if (existing && !existing.removedAt) throw cvrExists(input.cvr, existing.name);
  const [taken] = await db.select({ id: cvrNumbers.id }).from(cvrNumbers)
    .where(and(eq(cvrNumbers.cvr, input.cvr), isNull(cvrNumbers.removedAt), ne(cvrNumbers.orgId, orgId))).limit(1);
  if (taken) throw cvrTaken(input.cvr);
  try {
    if (existing) {
      await db.update(cvrNumbers).set({ removedAt: null, name: input.name }).where(eq(cvrNumbers.id, existing.id));
    } else {
      await db.insert(cvrNumbers).values({ orgId, cvr: input.cvr, name: input.name });
    }
  } catch (e) {
    // Another organisation (or another request of this one) added it since the look above.
    if (!isUniqueViolation(e)) throw e;
    const [mine] = await db.select({ id: cvrNumbers.id, name: cvrNumbers.name }).from(cvrNumbers)
      .where(and(eq(cvrNumbers.orgId, orgId), eq(cvrNumbers.cvr, input.cvr), isNull(cvrNumbers.removedAt)));
    if (mine) throw cvrExists(input.cvr, mine.name);
    throw cvrTaken(input.cvr);
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

/** `urls`: the installation's allowed provider addresses (ingest/provider-urls.ts); default: the providers' own. */
export async function addMailbox(db: Db, sealer: Sealer, orgId: string, cvr: string, input: MailboxCreate,
  urls: ProviderUrlPolicy = DEFAULT_PROVIDER_URL_POLICY): Promise<MailboxView> {
  const [c] = await db.select().from(cvrNumbers).where(and(eq(cvrNumbers.orgId, orgId), eq(cvrNumbers.cvr, cvr), isNull(cvrNumbers.removedAt)));
  if (!c) throw new HttpError(404, 'not_found', `CVR ${cvr} is not in your organisation; add it first.`);
  const p = providerModule(input.provider);
  // Personal settings (e-Boks' login CPR number) sent with the config are sealed with the credentials.
  const split = splitSecretSettings(p, input.config, input.credentials);
  const config = validate(p.configSchema, split.config, `${p.displayName} settings`);
  refuseBaseUrl(urls, input.provider, (config as { baseUrl?: unknown }).baseUrl);
  const secret = validate(p.secretSchema, split.secret, `${p.displayName} credentials`);
  const [existing] = await db.select().from(mailboxes).where(and(eq(mailboxes.orgId, orgId), eq(mailboxes.cvr, cvr), eq(mailboxes.provider, input.provider)));
  if (existing && !existing.removedAt) {
    throw new HttpError(409, 'exists', `CVR ${cvr} already has a ${p.displayName} mailbox; change it instead of adding another.`,
      { params: { what: 'mailbox', cvr, provider: input.provider } });
  }
  const values = {
    config: config as Record<string, unknown>, secretEnc: sealer.seal(JSON.stringify(secret)), paused: false, removedAt: null,
    consecutiveFailures: 0, backoffUntil: null, lastError: null, lastErrorKind: null, lastErrorAt: null,
  };
  const [row] = existing
    ? await db.update(mailboxes).set(values).where(eq(mailboxes.id, existing.id)).returning()
    : await db.insert(mailboxes).values({ orgId, cvr, provider: input.provider, ...values }).returning();
  // Attaching is for administrators without limits (api/admin.ts): the whole view.
  return view(row, (await countsByMailbox(db, orgId, [row.id]))(row.id), orgScope(orgId));
}

/** The mailbox as `scope` sees it; whether the scope may use its CVR number is the caller's check (api/admin.ts). */
export async function getMailbox(db: Db, scope: Scope, id: string): Promise<MailboxView> {
  const row = await mailboxRow(db, scope.orgId, id);
  return view(row, (await countsByMailbox(db, scope.orgId, [id]))(id), scope);
}

/**
 * A mailbox's quarantined letters, newest first (at most `limit`): what and why, never the content;
 * `erased` when a data subject request erased it (nothing left to try again: the retry answers 409).
 */
export async function listQuarantine(db: Db, orgId: string, mailboxId: string, limit = 500): Promise<QuarantineItem[]> {
  await mailboxRow(db, orgId, mailboxId);
  const rows = await db.select({ id: quarantine.id, mailboxId: quarantine.mailboxId, providerMessageId: quarantine.providerMessageId,
    receivedAt: quarantine.receivedAt, reason: quarantine.reason, erasedAt: quarantine.erasedAt })
    .from(quarantine).where(and(eq(quarantine.orgId, orgId), eq(quarantine.mailboxId, mailboxId)))
    .orderBy(desc(quarantine.receivedAt)).limit(limit);
  return rows.map((r) => ({ ...r, receivedAt: r.receivedAt.toISOString(), erased: r.erasedAt !== null, erasedAt: r.erasedAt?.toISOString() ?? null }));
}

/** Answers the mailbox as `scope` (whose caller changes it) sees it. */
export async function updateMailbox(db: Db, sealer: Sealer, scope: Scope, id: string, input: MailboxUpdate,
  urls: ProviderUrlPolicy = DEFAULT_PROVIDER_URL_POLICY): Promise<MailboxView> {
  const row = await mailboxRow(db, scope.orgId, id);
  const p = providerModule(row.provider);
  const set: Partial<MailboxRow> = {};
  if (input.paused !== undefined) set.paused = input.paused;
  if (input.config !== undefined || input.credentials !== undefined) {
    // The credentials are sent to the mailbox's address: a new address gets new credentials, never
    // the stored ones (nor personal settings carried from them), and only an allowed address at all.
    const before = baseUrlOf(p, row.config);
    const moved = input.config !== undefined && !sameBaseUrl(before, baseUrlOf(p, validate(p.configSchema,
      splitSecretSettings(p, input.config, {}).config, `${p.displayName} settings`)));
    if (moved) refuseBaseUrl(urls, row.provider, baseUrlOf(p, splitSecretSettings(p, input.config!, {}).config));
    if (moved && input.credentials === undefined) {
      throw new HttpError(400, 'credentials_required', `A new ${p.displayName} address (baseUrl) needs the credentials again: Brevdue never sends `
        + 'the stored credentials to another address. Send "credentials" (all of them) together with the new "config".');
    }
    // Personal settings move into the sealed secret, also those a mailbox saved earlier kept in its
    // config; new credentials without them keep the ones stored (at the same address only).
    const stored = !moved && row.secretEnc ? JSON.parse(sealer.open(row.secretEnc).toString('utf8')) as Record<string, unknown> : {};
    const carried = moved ? {} : splitSecretSettings(p, row.config, stored).secret;
    const given = input.credentials === undefined ? stored : keepCredentials(p, input.credentials, stored);
    const split = splitSecretSettings(p, input.config ?? row.config, given, carried);
    if (input.config !== undefined || split.config !== row.config) {
      set.config = validate(p.configSchema, split.config, `${p.displayName} settings`) as Record<string, unknown>;
    }
    refuseBaseUrl(urls, row.provider, baseUrlOf(p, set.config ?? row.config));
    set.secretEnc = sealer.seal(JSON.stringify(validate(p.secretSchema, split.secret, `${p.displayName} credentials`)));
  }
  // New settings or a resume deserve an immediate try, not the rest of a backoff.
  if (input.paused === false || input.config || input.credentials) Object.assign(set, { backoffUntil: null, consecutiveFailures: 0 });
  if (Object.keys(set).length) await db.update(mailboxes).set(set).where(eq(mailboxes.id, id));
  return getMailbox(db, scope, id);
}

/** The stored mailbox, for the connector-level operations (backfill); 404 outside the organisation. */
export async function mailboxRow(db: Db, orgId: string, id: string): Promise<MailboxRow> {
  const [row] = await db.select().from(mailboxes).where(and(eq(mailboxes.orgId, orgId), eq(mailboxes.id, id), isNull(mailboxes.removedAt)));
  if (!row) throw new HttpError(404, 'not_found', 'No such mailbox in your organisation.');
  return row;
}

interface MailboxCounts { undelivered: number; quarantined: number }

async function countsByMailbox(db: Db, orgId: string, ids: string[]): Promise<(id: string) => MailboxCounts> {
  if (ids.length === 0) return () => ({ undelivered: 0, quarantined: 0 });
  const [undelivered, quarantined] = await Promise.all([
    db.select({ id: messages.mailboxId, n: count() }).from(messages)
      .where(and(eq(messages.orgId, orgId), inArray(messages.mailboxId, ids), inArray(messages.status, ['received', 'routed'])))
      .groupBy(messages.mailboxId),
    db.select({ id: quarantine.mailboxId, n: count() }).from(quarantine)
      .where(and(eq(quarantine.orgId, orgId), inArray(quarantine.mailboxId, ids)))
      .groupBy(quarantine.mailboxId),
  ]);
  const u = new Map(undelivered.map((r) => [r.id, Number(r.n)]));
  const q = new Map(quarantined.map((r) => [r.id, Number(r.n)]));
  return (id) => ({ undelivered: u.get(id) ?? 0, quarantined: q.get(id) ?? 0 });
}

/** The base URL a connector would call: the config's, or the provider's default when it has one. */
function baseUrlOf(p: { configSchema: ZodType<unknown> }, config: unknown): unknown {
  const parsed = p.configSchema.safeParse(config);
  return parsed.success ? (parsed.data as { baseUrl?: unknown }).baseUrl : (config as { baseUrl?: unknown } | null)?.baseUrl;
}

/** 400 with the reason (and who can allow more addresses) when a mailbox's address is not the installation's. */
function refuseBaseUrl(urls: ProviderUrlPolicy, provider: string, baseUrl: unknown): void {
  const refusal = providerBaseUrlRefusal(urls, provider, baseUrl);
  if (refusal) throw new HttpError(400, 'base_url_not_allowed', refusal);
}

function validate<T>(schema: ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const i = r.error.issues[0];
  throw new HttpError(400, 'invalid_mailbox', `${what}: ${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`);
}

/**
 * `detail`: whether the caller sees the mailbox's quarantine (seesQuarantineOf). Without it, no last
 * error's sentence (a letter given up is named in it: provider id, the reason quoting the letter) and
 * no quarantine count; the kind, times and counts of failures and the backlog stay.
 */
export function mailboxHealth(m: MailboxRow, counts: MailboxCounts, detail: boolean, now = new Date()): MailboxHealth {
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
    lastError: detail ? m.lastError : null,
    lastErrorKind: mailboxErrorKind(m.lastError, m.lastErrorKind, detail),
    consecutiveFailures: m.consecutiveFailures,
    nextAttemptAfter: m.backoffUntil && m.backoffUntil > now ? m.backoffUntil.toISOString() : null,
    waitingAtProvider: m.waitingAtLastPoll,
    undelivered: counts.undelivered,
    quarantined: detail ? counts.quarantined : null,
    detailHidden: !detail,
  };
}

/**
 * A mailbox's last error's kind as the API answers it (health, the jobs view's failures): null without an
 * error; a kind this version does not know (written by a newer one) is still an error: 'unknown'. An error
 * recorded before kinds has none (its sentence says it), unless the sentence is not shown: 'unknown' then.
 */
export function mailboxErrorKind(lastError: string | null, kind: string | null, sentenceShown = true): MailboxHealth['lastErrorKind'] {
  if (lastError === null) return null;
  if (kind === null) return sentenceShown ? null : 'unknown';
  return mailboxErrorKindSchema.safeParse(kind).data ?? 'unknown';
}

/** Never a sealed setting, even from a mailbox saved before it moved out of the config. */
function configShown(m: MailboxRow): Record<string, unknown> {
  try { return publicConfig(providerModule(m.provider), m.config); } catch { return {}; }
}

function view(m: MailboxRow, counts: MailboxCounts, scope: Scope): MailboxView {
  return {
    id: m.id, cvr: m.cvr, provider: m.provider as Provider, config: configShown(m), hasCredentials: !!m.secretEnc, paused: m.paused,
    health: mailboxHealth(m, counts, seesQuarantineOf(scope, m.cvr)),
  };
}
