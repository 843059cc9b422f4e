// Runs one delivery attempt: claim it, deliver by destination kind, record the outcome. Throttling
// is not failure (the attempt is handed back and due again when Graph allows); other failures are
// retried with backoff up to a bound (the row's due_at; delivery/delivery-scheduler.ts picks it up),
// then the delivery is dead-lettered with a readable reason and the organisation's admins are told.
import { and, asc, eq, ne, sql } from 'drizzle-orm';
import type { AppContext } from '../context';
import { cvrNumbers, deliveries, destinations, documents, messages, letterColumns, organisations } from '../store/schema';
import { addEvent } from '../store/letters';
import type { Db, Tx } from '../store/db';
import { errorMessage } from '../log';
import { safeText } from '../util/safe-text';
import type { LetterForMail } from './render';
import { displayFolderPath, findDeliveredCopy } from './mailbox';
import { deliverToMailbox, type MailDeliveryResult, type MailDoc, type MailProgress } from './mail-delivery';
import { parseDeliverySettings } from './settings';
import { targetOf } from './registry/destinations';
import { destinationRefusal, refusalWithoutAllowList, unreachableMailboxesText } from './registry/allowed';
import { deliverToTeams } from './teams/deliver-teams';
import { TeamsDeliveryError } from './teams/errors';
import { PacerBusy } from './pacing/pacer';
import { retryAfterMs } from './pacing/middleware';
import type { RoutingFacts } from '../routing/facts';
import { DELIVERY_FREE_SQL } from './delivery-due';
import { prepared, preparedSql, rowsOf } from '../store/prepared';
import { DELIVERY_LEASE_MS, LEASE_MS_SQL, LeaseLost, NEW_LEASE_SQL, heldBy, keepLease, saveProgressHeld, type DeliveryLease } from './attempt-lease';
import { letterPaneUrl } from './pane-link';
import { notDeliveredError, notDeliveredText, purgeReasonOf } from '../retention/not-delivered';
import type { PurgeReason } from '../retention/purge';

export { DELIVERY_LEASE_MS };

type Outcome =
  | { kind: 'delivered'; graphMessageId: string | null; internetMessageId?: string | null; foundExisting: boolean; text: string; data: Record<string, unknown> }
  | { kind: 'throttled'; at: Date; reason: string }
  | { kind: 'failed'; reason: string; uncertain: boolean; permanent: boolean }
  | { kind: 'overtaken'; reason: string }
  /** The letter's content was deleted: nothing sent (retention/not-delivered.ts); `copyUnknown`: an earlier attempt may have left one. */
  | { kind: 'purged'; reason: PurgeReason; copyUnknown: boolean };

/** A claimed attempt: its number and the lease it holds (attempt-lease.ts). */
export interface ClaimedDelivery { id: string; attempts: number; lease: Date }

/**
 * Claims at most `n` free deliveries (`due` ones, or the one with this id), oldest due first, for one
 * attempt each: the attempt is counted and the lease taken. A lease left from an attempt that never
 * finished means that attempt died mid-way: Graph may hold its copy, so this attempt is uncertain and
 * looks first. The scheduler's claim and runDelivery's are this one.
 */
export async function claimForAttempt(db: Db, which: 'due' | { id: string }, n: number): Promise<ClaimedDelivery[]> {
  // Two texts, so two prepared statements: the scheduler's (due ones) and runDelivery's (this one).
  const name = which === 'due' ? 'delivery_claim_due' : 'delivery_claim_one';
  const statement = preparedSql(db, name, () => sql`UPDATE deliveries SET attempts = attempts + 1,
      uncertain = uncertain OR lease_until IS NOT NULL,
      lease_until = ${sql.raw(NEW_LEASE_SQL)}
    WHERE id IN (SELECT id FROM deliveries WHERE ${sql.raw(DELIVERY_FREE_SQL)} AND ${which === 'due' ? sql.raw('due_at <= now()') : sql`id = ${sql.placeholder('id')}`}
      ORDER BY due_at LIMIT ${sql.placeholder('n')} FOR UPDATE SKIP LOCKED)
    RETURNING id, attempts, ${sql.raw(LEASE_MS_SQL)} AS lease_ms`);
  const rows = rowsOf<{ id: string; attempts: number; lease_ms: number }>(await statement.execute(which === 'due' ? { n } : { n, id: which.id }));
  return rows.map((x) => ({ id: x.id, attempts: Number(x.attempts), lease: new Date(Number(x.lease_ms)) }));
}

export interface AttemptOptions {
  /** How often the running attempt renews its lease (attempt-lease.ts; tests shorten it). */
  renewEveryMs?: number;
}

/** Attempts one delivery now, if it is pending and no one holds it (tests and tools; the scheduler claims due ones). */
export async function runDelivery(ctx: AppContext, deliveryId: string, opts: AttemptOptions = {}): Promise<void> {
  const [claimed] = await claimForAttempt(ctx.db, { id: deliveryId }, 1);
  // Delivered or dead: nothing to do. Held: its holder finishes it, or its lease runs out and the scheduler takes it.
  if (!claimed) return;
  await attemptClaimed(ctx, claimed, opts);
}

/**
 * One attempt of a delivery this process has claimed (its number counted by the claim). The lease is
 * renewed while it runs, and every write it makes is fenced on that lease (attempt-lease.ts): an attempt
 * overtaken by another cannot undo the other's outcome.
 */
export async function attemptClaimed(ctx: AppContext, claimed: ClaimedDelivery, opts: AttemptOptions = {}): Promise<void> {
  const deliveryId = claimed.id;
  const attempt = claimed.attempts;
  const lease: DeliveryLease = { deliveryId, until: claimed.lease, lost: false };
  // One statement for the delivery, its destination, letter, organisation settings and CVR name.
  const [row] = await prepared(ctx.db, 'delivery_load', (db) => db.select({ d: deliveries, dest: destinations, m: letterColumns, orgSettings: organisations.deliverySettings, cvrName: cvrNumbers.name })
    .from(deliveries)
    .innerJoin(destinations, eq(destinations.id, deliveries.destinationId))
    .innerJoin(messages, eq(messages.id, deliveries.messageId))
    .innerJoin(organisations, eq(organisations.id, deliveries.orgId))
    .leftJoin(cvrNumbers, and(eq(cvrNumbers.orgId, messages.orgId), eq(cvrNumbers.cvr, messages.cvr)))
    .where(eq(deliveries.id, sql.placeholder('id'))).prepare('delivery_load')).execute({ id: deliveryId });
  if (!row) return;
  const { d, dest, m } = row;
  const settings = parseDeliverySettings(row.orgSettings);

  const heartbeat = keepLease(ctx.db, lease, ctx.log, opts.renewEveryMs);
  let outcome: Outcome;
  const loaded: Loaded = { d, dest, m, settings, cvrName: row.cvrName, lease };
  try {
    outcome = await attemptDelivery(ctx, loaded).catch(async (e): Promise<Outcome> => {
      if (!(e instanceof ContentGone)) return classify(e);
      // Purged while this attempt ran, before it had the documents: settled as if purged before it.
      return afterPurge(ctx, loaded, (await purgedReason(ctx, m.id)) ?? purgeReasonOf(null));
    });
  } finally {
    await heartbeat.stop();
  }
  await record(ctx, { d, dest, m, attempt, lease, outcome });
}

interface Loaded {
  d: typeof deliveries.$inferSelect;
  dest: typeof destinations.$inferSelect;
  m: { id: string; orgId: string; cvr: string; purgedAt: Date | null } & Omit<LetterForMail, 'cvrName' | 'actions' | 'attentionPerson' | 'caseIds'> & { routingFacts: Record<string, unknown> };
  settings: ReturnType<typeof parseDeliverySettings>;
  /** The recipient CVR number's name in the organisation (null when it has none). */
  cvrName: string | null;
  lease: DeliveryLease;
}

/** A document's content was gone when the attempt read it: the letter was purged meanwhile. */
class ContentGone extends Error {}

/** The purge reason when the letter is purged now (null: it is not). */
async function purgedReason(ctx: AppContext, messageId: string): Promise<PurgeReason | null> {
  const [p] = await ctx.db.select({ purgedAt: messages.purgedAt, facts: messages.routingFacts }).from(messages).where(eq(messages.id, messageId));
  return p?.purgedAt ? purgeReasonOf(p.facts) : null;
}

/**
 * A delivery of a letter whose content was deleted sends nothing. An earlier attempt may have made a
 * copy (uncertain, or a copy's id in its progress): a mailbox is searched for it, never written to, and
 * a copy found is recorded as delivered, so the trace names every copy that exists (a data subject's
 * erasure must reach it in Microsoft 365). A lookup that keeps failing gives up at the last attempt.
 */
async function afterPurge(ctx: AppContext, { d, dest, m }: Loaded, reason: PurgeReason): Promise<Outcome> {
  const progress = d.progress as MailProgress & { cardPosted?: boolean; files?: { name: string; webUrl: string }[] };
  if (dest.kind === 'teams_channel') {
    if (progress.cardPosted) {
      return { kind: 'delivered', graphMessageId: null, foundExisting: true, text: `Delivered to Teams channel ${dest.displayName}; the letter's content was deleted in Brevdue since, this copy was not`,
        data: { files: progress.files ?? [], contentErased: true } };
    }
    // Files an earlier attempt uploaded cannot be looked up by delivery: said, not searched.
    return { kind: 'purged', reason, copyUnknown: d.attempts > 1 };
  }
  const mayHaveCopy = d.uncertain || !!progress.graphMessageId;
  if (!mayHaveCopy) return { kind: 'purged', reason, copyUnknown: false };
  if (!dest.mailbox || destinationRefusal(ctx.destinationPolicy, m.orgId, dest)) return { kind: 'purged', reason, copyUnknown: true };
  let copy: Awaited<ReturnType<typeof findDeliveredCopy>>;
  try {
    copy = await findDeliveredCopy(ctx.graph, dest.mailbox, d.id);
  } catch (e) {
    if (d.attempts < ctx.delivery.maxAttempts) throw e;
    return { kind: 'purged', reason, copyUnknown: true };
  }
  if (!copy) return { kind: 'purged', reason, copyUnknown: false };
  const where = `${dest.displayName} (${dest.mailbox}, ${displayFolderPath(d.folderPath ?? dest.folderPath)})`;
  return {
    kind: 'delivered', graphMessageId: copy.id, internetMessageId: copy.internetMessageId, foundExisting: true,
    text: `Delivered to ${where}; found from an earlier attempt; the letter's content was deleted in Brevdue since, this copy was not`,
    data: { variant: copy.variant, notes: [], contentErased: true },
  };
}

async function attemptDelivery(ctx: AppContext, loaded: Loaded): Promise<Outcome> {
  const { d, dest, m, settings, cvrName, lease } = loaded;
  // The letter's content was deleted after this delivery was made (retention, a data subject's erasure).
  if (m.purgedAt) return afterPurge(ctx, loaded, purgeReasonOf(m.routingFacts));
  // The operator's allow-list before anything is read or sent (registry/allowed.ts): a destination
  // saved before it existed, or one since taken off it, receives nothing. Permanent: it gives up at
  // once, the admins are told, and "send the failed deliveries again" sends it once the list allows it.
  const refusal = destinationRefusal(ctx.destinationPolicy, m.orgId, dest);
  if (refusal) {
    throw new PermanentError(`Nothing was sent to "${dest.displayName}". ${refusalWithoutAllowList(refusal).message} When it is allowed (or the destination changed), send the failed deliveries again.`);
  }
  // An attempt that may have left a copy (uncertain) reads the documents' content only when it has to:
  // if it finds its copy, it never decrypts a byte. Any other attempt needs the content, so it comes
  // with the list, in one read.
  const docColumns = { id: documents.id, filename: documents.filename, mimeType: documents.mimeType, size: documents.size };
  const ofLetter = and(eq(documents.messageId, sql.placeholder('id')), ne(documents.role, 'technical'));
  let contents: Promise<Map<string, Buffer>> | null = null;
  let docs: { id: string; filename: string; mimeType: string; size: number }[];
  if (!d.uncertain) {
    const rows = await prepared(ctx.db, 'delivery_documents_with_content', (db) => db.select({ ...docColumns, c: documents.contentEnc })
      .from(documents).where(ofLetter).orderBy(asc(documents.position)).prepare('delivery_documents_with_content')).execute({ id: m.id });
    docs = rows;
    contents = Promise.resolve(new Map(rows.map((r) => [r.id, ctx.sealer.open(r.c)])));
    // None: the letter has none, or was purged since it was read above (the documents go in the purge's
    // transaction, so a list that has them has them all).
    if (rows.length === 0) {
      const reason = await purgedReason(ctx, m.id);
      if (reason) return afterPurge(ctx, loaded, reason);
    }
  } else {
    docs = await prepared(ctx.db, 'delivery_documents', (db) => db.select(docColumns)
      .from(documents).where(ofLetter).orderBy(asc(documents.position)).prepare('delivery_documents')).execute({ id: m.id });
  }
  const loadAll = () => (contents ??= prepared(ctx.db, 'delivery_document_contents', (db) => db.select({ id: documents.id, c: documents.contentEnc })
    .from(documents).where(sql`${documents.id} = ANY(${sql.placeholder('ids')}::uuid[])`).prepare('delivery_document_contents'))
    .execute({ ids: docs.map((x) => x.id) })
    .then((rows) => new Map(rows.map((r) => [r.id, ctx.sealer.open(r.c)]))));
  const mailDocs: MailDoc[] = docs.map((x) => ({
    filename: x.filename, mimeType: x.mimeType, size: x.size,
    load: async () => {
      const c = (await loadAll()).get(x.id);
      if (!c) throw new ContentGone(`The documents of letter ${m.id} were deleted while it was being delivered.`);
      return c;
    },
  }));
  const facts = m.routingFacts as Partial<RoutingFacts>;
  const letter: LetterForMail = {
    ...m, cvrName: cvrName ?? m.cvr, actions: facts.actions ?? [], attentionPerson: facts.attentionPerson, caseIds: facts.caseIds,
  };
  const saveProgress = (p: object) => saveProgressHeld(ctx.db, lease, p as Record<string, unknown>);
  const letterUrl = letterPaneUrl(ctx.publicUrl, m.id);
  const by = d.requestedBy !== 'system' ? ` (${d.reason} requested by ${d.requestedBy})` : '';

  if (dest.kind === 'shared_mailbox' || dest.kind === 'user_mailbox') {
    if (!dest.mailbox) throw new PermanentError(`Destination "${dest.displayName}" has no mailbox address; an admin must fix it.`);
    const r = await deliverToMailbox(ctx, {
      orgId: m.orgId, deliveryId: d.id, uncertain: d.uncertain, progress: d.progress as MailProgress, saveProgress,
      mailbox: dest.mailbox, folderPath: d.folderPath ?? dest.folderPath, letter, docs: mailDocs, settings, letterUrl,
    });
    const where = `${dest.displayName} (${dest.mailbox}, ${displayFolderPath(d.folderPath ?? dest.folderPath)})`;
    // A reroute's earlier copy left where it was (the allow-list refuses its mailbox now): said here, in
    // English, and by `oldCopy` in data for the task pane (its domain, never the allowed ones).
    const kept = r.oldCopy?.action === 'kept'
      ? `the earlier copy was left in ${r.oldCopy.mailbox}, not removed: ${unreachableMailboxesText([r.oldCopy.domain])}` : '';
    const extra = [r.foundExisting ? 'found from an earlier attempt' : '', ...r.notes, kept].filter(Boolean);
    return {
      kind: 'delivered', graphMessageId: r.graphMessageId, internetMessageId: r.internetMessageId, foundExisting: r.foundExisting,
      text: `Delivered to ${where}${by}${extra.length ? `; ${extra.join('; ')}` : ''}`,
      data: { variant: r.variant, notes: r.notes, ...(r.oldCopy ? { oldCopy: r.oldCopy } : {}) },
    };
  }
  if (dest.kind === 'teams_channel') {
    const t = targetOf(dest, ctx.sealer);
    if (!t.teamId || !t.channelId || !t.webhookUrl) throw new PermanentError(`Destination "${dest.displayName}" lacks its team, channel or webhook; an admin must fix it.`);
    const progress = d.progress as { cardPosted?: boolean; files?: { name: string; webUrl: string }[] };
    if (progress.cardPosted) {
      return { kind: 'delivered', graphMessageId: null, foundExisting: true, text: `Delivered to Teams channel ${dest.displayName}${by}`, data: { files: progress.files ?? [] } };
    }
    const r = await deliverToTeams(ctx.graph, { teamId: t.teamId, channelId: t.channelId, webhookUrl: t.webhookUrl, folderPath: d.folderPath ?? (t.folderPath || undefined) },
      letter, await Promise.all(mailDocs.map(async (x) => ({ filename: x.filename, mimeType: x.mimeType, content: await x.load() }))), d.id,
      // Through the pacer: a long Retry-After on a file fragment hands the attempt back (PacerBusy) rather than sleeping through it.
      { extraAllowedOrigins: ctx.delivery.webhookOrigins, letterUrl, pacer: ctx.pacer });
    await saveProgress({ cardPosted: true, files: r.files.map((f) => ({ name: f.name, webUrl: f.webUrl })) });
    return {
      kind: 'delivered', graphMessageId: null, foundExisting: false,
      text: `Delivered to Teams channel ${dest.displayName}${by}: ${r.files.length} file(s) in the channel's files, card posted`,
      data: { files: r.files.map((f) => ({ name: f.name, webUrl: f.webUrl })) },
    };
  }
  throw new PermanentError(`Destination kind "${dest.kind}" is unknown.`);
}

class PermanentError extends Error {}

/** What an error means for the delivery: throttled (not a failure), uncertain, permanent. */
export function classify(e: unknown): Outcome {
  if (e instanceof LeaseLost) return { kind: 'overtaken', reason: e.message };
  if (e instanceof PacerBusy) return { kind: 'throttled', at: e.readyAt, reason: e.message };
  const g = e as { statusCode?: number; code?: string; body?: string; headers?: Headers; name?: string; retryable?: boolean; retryAfterMs?: number };
  if (g.code === 'PacerBusy') {
    const at = /trying again at (\S+?)\.?$/.exec(String(g.body ?? ''))?.[1];
    return { kind: 'throttled', at: at ? new Date(at) : new Date(Date.now() + 2000), reason: 'Microsoft Graph pacing' };
  }
  if (g.statusCode === 429) {
    return { kind: 'throttled', at: new Date(Date.now() + retryAfterMs(g.headers ?? null, g.retryAfterMs ?? 5000)), reason: describeGraphError(e) };
  }
  if (e instanceof PermanentError || g.retryable === false) return { kind: 'failed', reason: safeText(errorMessage(e), 1000), uncertain: false, permanent: true };
  const status = g.statusCode ?? 0;
  // 400/413/422: our request is wrong and will stay wrong. 401/403/404 may heal (credentials, RBAC propagating).
  const permanent = status === 400 || status === 413 || status === 422;
  // No answer, or a 5xx: Graph may have done it. Next attempt looks before it creates.
  const uncertain = status <= 0 || status >= 500;
  return { kind: 'failed', reason: describeGraphError(e), uncertain, permanent };
}

/**
 * How long a delivery may only be handed back (Graph, or our pacing of it, asking us to wait) before it
 * is dead-lettered: a mailbox that takes nothing for a day needs a person, not more waiting.
 */
export const MAX_THROTTLED_MS = 24 * 60 * 60_000;

async function record(ctx: AppContext, { d, dest, m, attempt, lease, outcome: o }: { d: Loaded['d']; dest: Loaded['dest']; m: Loaded['m']; attempt: number; lease: DeliveryLease; outcome: Outcome }) {
  let outcome = o;
  const throttledSince = (d.progress as { throttledSince?: string }).throttledSince;
  if (outcome.kind === 'throttled' && throttledSince && Date.now() - Date.parse(throttledSince) > MAX_THROTTLED_MS) {
    outcome = {
      kind: 'failed', uncertain: false, permanent: true,
      reason: `Microsoft Graph has kept this delivery waiting since ${throttledSince} (last: ${outcome.reason}). Nothing is lost: `
        + 'send the letter again from Brevdue when the mailbox is less busy; if it keeps happening, have a Microsoft 365 admin check what loads the mailbox.',
    };
  }
  // Every write below is fenced on this attempt's lease: when another attempt has taken the delivery
  // over meanwhile, its outcome stands and this one's is only logged.
  const overtaken = (what: string) => ctx.log.warn('delivery attempt overtaken; its outcome is not recorded', { deliveryId: d.id, attempt, outcome: what });
  if (outcome.kind === 'overtaken') { overtaken(outcome.reason); return; }
  if (outcome.kind === 'purged') {
    // Ended, not failed: nothing to retry, and no dead-letter notice (its notice is marked done).
    const { reason, copyUnknown } = outcome;
    const ended = await ctx.db.transaction(async (tx) => {
      const rows = await tx.update(deliveries).set({
        status: 'dead', lastError: notDeliveredError(reason, copyUnknown), lastFailedAt: new Date(), leaseUntil: null, deadNotifiedAt: new Date(),
      }).where(heldBy(lease)).returning({ id: deliveries.id });
      if (!rows.length) return false;
      await tx.update(messages).set({ status: 'failed' }).where(and(eq(messages.id, m.id), ne(messages.status, 'delivered')));
      await addEvent(tx, m.orgId, m.id, 'delivery_failed', 'system', notDeliveredText(reason, dest.displayName, copyUnknown),
        { purged: reason, deliveryId: d.id, destination: dest.displayName, attempt, ...(copyUnknown ? { copyUnknown: true } : {}) });
      return true;
    });
    if (!ended) { overtaken('purged'); return; }
    ctx.log.info('delivery of a purged letter ended; nothing sent', { deliveryId: d.id, messageId: m.id, copyUnknown });
    return;
  }
  if (outcome.kind === 'delivered') {
    const done = { deliveryId: d.id, orgId: m.orgId, messageId: m.id, graphMessageId: outcome.graphMessageId, internetMessageId: outcome.internetMessageId ?? null };
    const eventData = {
      destinationId: dest.id, attempt, foundExisting: outcome.foundExisting, reason: d.reason, requestedBy: d.requestedBy,
      // Where, by name (the timeline says it in the reader's language): mailbox and folder, or the Teams channel.
      destination: dest.displayName, destinationKind: dest.kind, ...(dest.kind === 'teams_channel' ? {} : { mailbox: dest.mailbox, folder: displayFolderPath(d.folderPath ?? dest.folderPath) }),
      ...outcome.data,
    };
    const old = outcome.data.oldCopy as MailDeliveryResult['oldCopy'];
    // Usually one statement; a reroute that moved or removed the earlier copy records that too, together.
    const marked = !old ? await markDelivered(ctx.db, done, outcome.text, eventData, lease.until)
      : await ctx.db.transaction(async (tx) => {
        if (!await markDelivered(tx, done, outcome.text, eventData, lease.until)) return false;
        if (old.action === 'kept') {
          // Left where it was (the `delivered` event says why): not replaced after all, so a later
          // reroute with "move" may take it once the allow-list admits its mailbox again.
          await tx.update(deliveries).set({ replacesDeliveryId: null }).where(eq(deliveries.id, d.id));
          return true;
        }
        await addEvent(tx, m.orgId, m.id, old.action === 'moved' ? 'old_copy_moved' : 'old_copy_removed', d.requestedBy,
          old.action === 'moved' ? `The earlier copy was moved to ${dest.displayName}`
            : `The earlier copy was removed from ${old.mailbox} (it is in Deleted Items there)`,
          { deliveryId: d.id, earlierDeliveryId: old.deliveryId, mailbox: old.mailbox, destination: dest.displayName });
        return true;
      });
    if (!marked) { overtaken('delivered'); return; }
    ctx.metrics?.deliveries.inc({ status: 'delivered' });
    ctx.log.info('letter delivered', { deliveryId: d.id, messageId: m.id, destination: dest.displayName, attempt, foundExisting: outcome.foundExisting });
    return;
  }
  if (outcome.kind === 'throttled') {
    // Give the attempt back: being told to wait is not a failed delivery. Due again when Graph allows.
    const at = new Date(outcome.at.getTime() + Math.floor(Math.random() * 250));
    // The first hand-back in a row is remembered (progress.throttledSince): waiting has a limit too.
    const given = await ctx.db.update(deliveries).set({
      attempts: sql`greatest(${deliveries.attempts} - 1, 0)`, leaseUntil: null, dueAt: at,
      progress: sql`${deliveries.progress} || jsonb_build_object('throttledSince', coalesce(${deliveries.progress}->'throttledSince', to_jsonb(now())))`,
    })
      .where(heldBy(lease)).returning({ id: deliveries.id });
    if (!given.length) { overtaken('throttled'); return; }
    ctx.log.info('delivery paced', { deliveryId: d.id, until: at.toISOString() });
    return;
  }
  const dead = outcome.permanent || attempt >= ctx.delivery.maxAttempts;
  const recorded = await ctx.db.transaction(async (tx) => {
    const failed = await tx.update(deliveries).set({
      status: dead ? 'dead' : 'pending', lastError: outcome.reason, lastFailedAt: new Date(), leaseUntil: null,
      uncertain: sql`${deliveries.uncertain} or ${outcome.uncertain}`,
      // A real attempt ends a run of hand-backs: the day's limit on waiting counts from the next one.
      ...(dead ? {} : { dueAt: new Date(Date.now() + ctx.delivery.backoffMs(attempt)), progress: sql`${deliveries.progress} - 'throttledSince'` }),
    }).where(heldBy(lease)).returning({ id: deliveries.id });
    if (!failed.length) return false;
    if (dead) await tx.update(messages).set({ status: 'failed' }).where(and(eq(messages.id, m.id), ne(messages.status, 'delivered')));
    await addEvent(tx, m.orgId, m.id, dead ? 'delivery_failed' : 'delivery_attempt', 'system',
      dead ? `Delivery to ${dest.displayName} gave up after ${attempt} attempt(s): ${outcome.reason}`
        : `Delivery attempt ${attempt} to ${dest.displayName} failed, will retry: ${outcome.reason}`,
      { deliveryId: d.id, attempt, reason: outcome.reason, uncertain: outcome.uncertain, destination: dest.displayName });
    return true;
  });
  if (!recorded) { overtaken(dead ? 'dead' : 'failed'); return; }
  ctx.log.warn('delivery attempt failed', { deliveryId: d.id, attempt, dead, reason: outcome.reason });
  if (dead) ctx.metrics?.deliveries.inc({ status: 'dead' });
  if (dead) await ctx.jobs.notifyDeadSoon(d.id);
}

/**
 * Records a delivery as done: the delivery row, the letter's status (delivered unless it already was)
 * and the `delivered` event on its timeline, in one statement (atomic without a transaction; the
 * caller's transaction when it has more to write). Only while the caller holds the delivery under the
 * lease `leaseUntil` (attempt-lease.ts); false, and nothing written, when it no longer does.
 */
export async function markDelivered(db: Db | Tx,
  d: { deliveryId: string; orgId: string; messageId: string; graphMessageId: string | null; internetMessageId: string | null },
  text: string, data: Record<string, unknown>, leaseUntil: Date): Promise<boolean> {
  const statement = preparedSql(db, 'delivery_mark_delivered', () => sql`WITH done AS (
      UPDATE deliveries SET status = 'delivered', graph_message_id = ${sql.placeholder('graphId')}, internet_message_id = ${sql.placeholder('internetId')},
        delivered_at = now(), last_error = NULL, lease_until = NULL, uncertain = false
      WHERE id = ${sql.placeholder('deliveryId')} AND status = 'pending' AND lease_until = ${sql.placeholder('lease')}::timestamptz
      RETURNING id),
    letter AS (
      UPDATE messages SET status = 'delivered' WHERE id = ${sql.placeholder('messageId')} AND status IN ('routed', 'failed', 'triage') AND EXISTS (SELECT 1 FROM done))
    INSERT INTO events (org_id, message_id, type, actor, text, data)
    SELECT ${sql.placeholder('orgId')}::uuid, ${sql.placeholder('messageId')}::uuid, 'delivered', 'system', ${sql.placeholder('text')}::text, ${sql.placeholder('data')}::jsonb
    WHERE EXISTS (SELECT 1 FROM done)
    RETURNING id`);
  const rows = rowsOf<{ id: string }>(await statement.execute({
    graphId: d.graphMessageId, internetId: d.internetMessageId, deliveryId: d.deliveryId, messageId: d.messageId, orgId: d.orgId, text,
    lease: leaseUntil.toISOString(), data: JSON.stringify({ deliveryId: d.deliveryId, graphMessageId: d.graphMessageId, ...data }),
  }));
  return rows.length > 0;
}

/**
 * A sentence for people from a Graph SDK error (status, Graph code and message), or any error. It is
 * stored (deliveries.last_error), put on the timeline and mailed to admins: so it is made safe here.
 */
export function describeGraphError(e: unknown): string {
  return safeText(graphErrorSentence(e), 1000);
}

function graphErrorSentence(e: unknown): string {
  if (e instanceof TeamsDeliveryError) return e.message; // already a sentence, and not always Graph's
  const g = e as { statusCode?: number; code?: string | null; message?: string; name?: string };
  if (typeof g.statusCode === 'number' && g.statusCode > 0) {
    return `Microsoft Graph answered ${g.statusCode}${g.code ? ` ${g.code}` : ''}: ${g.message || 'no message'}`;
  }
  // The SDK wraps a failed request in a GraphError with status -1; what failed is the error itself, or
  // (when it is not an Error of this realm, as our timeout's DOMException under a test VM) its `body`.
  const inner = (e as { body?: unknown }).body;
  const cause = inner && typeof inner === 'object' ? inner as { name?: string; message?: string } : undefined;
  if ([g.name, g.code, cause?.name].includes('TimeoutError') || /timed out|aborted/i.test(`${g.message ?? ''} ${cause?.message ?? ''}`)) {
    return `Microsoft Graph did not answer in time (${errorMessage(e) || cause?.message || 'timeout'}); the next attempt checks whether the mail arrived anyway.`;
  }
  return errorMessage(e) || cause?.message || (g.code ? String(g.code)
    : 'No answer from Microsoft Graph (the connection failed or was cut); the next attempt checks whether the mail arrived anyway.');
}
