// One poll of one provider mailbox: fetch each waiting letter, store it durably, and only then
// acknowledge it at the provider. A letter that fails validation is quarantined with its reason and
// acknowledged as INVALID; the poll goes on with the rest. It also goes on past a letter that cannot
// be fetched or stored (letter-failures.ts): only a failed list, refused credentials or the database
// itself fail the poll as a whole. A letter already in quarantine is not fetched again: only its
// INVALID receipt is owed, and a receipt that keeps failing is given up like any letter (the row is
// marked, the letter stays waiting at the provider, later polls pass it by). A poll takes at most `maxLetters`, so a mailbox with a large
// backlog cannot hold a worker while hundreds of others wait their turn.
import { and, eq, not, sql } from 'drizzle-orm';
import type { AppContext, MailboxRow } from '../context';
import { mailboxes, quarantine, quarantineTombstones } from '../store/schema';
import { acceptLetter, type Accepted } from './accept';
import { prepared } from '../store/prepared';
import { providerName, storeQuarantine } from '../store/letters';
import { ProviderError, type MailboxConnector } from './connector';
import { ingestErrorKind, ingestErrorText, letterRefusedByDatabase, safeText } from './error-text';
import { databaseErrorOf } from '../store/db';
import {
  FIRST_REASON_SEPARATOR, LETTER_ATTEMPTS, NOT_FETCHED_PREFIX, RECEIPT_NOT_SENT_PREFIX, countFailedAttempt, forgetFailedAttempts, inQuarantine, notFetchedRecord, tombstoneReason,
} from './letter-failures';

export interface PollResult { stored: number; duplicates: number; quarantined: number; more: boolean }

export const DEFAULT_MAX_LETTERS_PER_POLL = 200;

/** Errors pollMailbox logged and recorded on the mailbox; the scheduler logs any other. */
export const reportedPollErrors = new WeakSet<object>();

export async function pollMailbox(ctx: AppContext, mailbox: MailboxRow, maxLetters = DEFAULT_MAX_LETTERS_PER_POLL): Promise<PollResult> {
  const result: PollResult = { stored: 0, duplicates: 0, quarantined: 0, more: false };
  let seen = 0;
  // The first letter that failed this poll (its sentence goes to health, the mailbox backs off), and
  // the first given up: the others are taken meanwhile.
  let failed: ProviderError | null = null;
  let gaveUp: string | null = null;
  try {
    const connector = ctx.connectorFor(mailbox);
    outer: for await (const ids of connector.listWaiting()) {
      seen += ids.length;
      const known = await inQuarantine(ctx.db, mailbox.id, ids);
      for (const id of ids) {
        const held = known.get(id);
        if (held?.passBy) continue;
        if (result.stored + result.duplicates + result.quarantined >= maxLetters) { result.more = true; break outer; }
        try {
          if (held) await owedReceipt(connector, id, held.reason, result);
          else await ingestOne(ctx, connector, mailbox, id, result);
          forgetFailedAttempts(ctx.db, mailbox.id, id);
        } catch (e) {
          if (!(e instanceof LetterError) || failsTheMailbox(e.cause)) throw e instanceof LetterError ? e.cause : e;
          const outcome = await letterFailed(ctx, connector, mailbox, e, result);
          if (outcome.retry) failed ??= outcome.error; else gaveUp ??= outcome.sentence;
        }
      }
    }
    if (failed) throw failed;
    // Prepared (store/prepared.ts): every poll of every mailbox writes this, most of them finding nothing.
    await prepared(ctx.db, 'poll_succeeded', (db) => db.update(mailboxes)
      .set({
        lastFetchAt: sql`now()`, consecutiveFailures: 0, backoffUntil: null, waitingAtLastPoll: sql`${sql.placeholder('seen')}::int`,
        // A letter given up on this poll is named in health; the next clean poll clears it (quarantine keeps it).
        lastError: sql`${sql.placeholder('gaveUp')}::text`,
        lastErrorKind: sql`CASE WHEN ${sql.placeholder('gaveUp')}::text IS NULL THEN NULL ELSE 'letter_given_up' END`,
        lastErrorAt: sql`CASE WHEN ${sql.placeholder('gaveUp')}::text IS NULL THEN last_error_at ELSE now() END`,
      })
      .where(eq(mailboxes.id, sql.placeholder('id'))).prepare('poll_succeeded')).execute({ seen, gaveUp, id: mailbox.id });
    if (result.stored || result.duplicates || result.quarantined) {
      ctx.log.info('mailbox polled', { mailboxId: mailbox.id, cvr: mailbox.cvr, provider: mailbox.provider, ...result });
    }
  } catch (e) {
    await recordPollFailure(ctx, mailbox, e);
    throw e;
  }
  return result;
}

/**
 * The failure on the mailbox (a sentence, never SQL or a letter's values) and its backoff, then a
 * log line. Recording can fail too (the database is the trouble): the line is logged all the same,
 * and the scheduler then waits `backoffMs` before the next poll by itself.
 */
async function recordPollFailure(ctx: AppContext, mailbox: MailboxRow, e: unknown): Promise<void> {
  const msg = ingestErrorText(e, 'The poll failed');
  ctx.metrics?.connectorErrors.inc({ provider: mailbox.provider });
  let retryAt: string | null = null;
  let notRecorded: string | undefined;
  try {
    const [row] = await ctx.db.update(mailboxes)
      .set({ lastErrorAt: new Date(), lastError: msg, lastErrorKind: ingestErrorKind(e), consecutiveFailures: sql`${mailboxes.consecutiveFailures} + 1` })
      .where(eq(mailboxes.id, mailbox.id)).returning({ failures: mailboxes.consecutiveFailures });
    const until = new Date(Date.now() + backoffMs(row?.failures ?? 1, e));
    await ctx.db.update(mailboxes).set({ backoffUntil: until }).where(eq(mailboxes.id, mailbox.id));
    retryAt = until.toISOString();
  } catch (recordError) {
    notRecorded = ingestErrorText(recordError, 'Recording the failure failed');
  }
  ctx.log.warn('mailbox poll failed', {
    mailboxId: mailbox.id, cvr: mailbox.cvr, provider: mailbox.provider, error: msg, retryAt, ...(notRecorded ? { notRecorded } : {}),
  });
  if (e && typeof e === 'object') reportedPollErrors.add(e);
}

/**
 * Wait before the next poll after `failures` failed polls in a row: 5 s doubling up to 15 minutes,
 * ±25 % jitter so mailboxes of one outage do not return in lockstep; a permanent error (credentials)
 * waits the maximum at once.
 */
export function backoffMs(failures: number, error?: unknown, random = Math.random): number {
  const max = 15 * 60_000;
  const permanent = error instanceof ProviderError && !error.retryable;
  const base = permanent ? max : Math.min(max, 5000 * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.75 + random() * 0.5));
}

/** Which step of one letter failed, with what it had by then. */
class LetterError extends Error {
  constructor(
    readonly step: 'fetch' | 'store' | 'acknowledge', override readonly cause: unknown, readonly providerId: string, readonly raw: Buffer | null,
    /** The letter is in quarantine already: what failed is its INVALID receipt. */
    readonly quarantined = false,
  ) {
    super(`letter ${providerId}: ${step} failed`);
  }
}

/**
 * Trouble that is not the letter's: refused credentials (every letter would fail alike) and the
 * database itself (connection, shutdown, resources). These fail the whole poll, as a failed list does.
 */
function failsTheMailbox(e: unknown): boolean {
  if (e instanceof ProviderError) return e.status === 401 || e.status === 403;
  return databaseErrorOf(e) !== null && !letterRefusedByDatabase(e);
}

const STEP_TEXT = { fetch: 'fetched', store: 'stored', acknowledge: 'acknowledged' } as const;
const STEP_DOING = { fetch: 'Fetching it failed', store: 'Storing it failed', acknowledge: 'Acknowledging it failed' } as const;

type LetterOutcome = { retry: true; error: ProviderError } | { retry: false; sentence: string };

/**
 * One letter failed: log it and count the attempt. PostgreSQL refusing the letter's values will
 * refuse them every time, so that letter is quarantined at once; anything else is tried again on
 * the next polls and given up after LETTER_ATTEMPTS (letter-failures.ts).
 */
async function letterFailed(ctx: AppContext, connector: MailboxConnector, mailbox: MailboxRow, e: LetterError, result: PollResult): Promise<LetterOutcome> {
  const { providerId, raw, step } = e;
  if (e.quarantined) return receiptFailed(ctx, mailbox, providerId, e.cause);
  const text = ingestErrorText(e.cause, STEP_DOING[step]);
  const where = whereOf(mailbox, providerId);
  if (raw && step === 'store' && letterRefusedByDatabase(e.cause)) {
    forgetFailedAttempts(ctx.db, mailbox.id, providerId);
    return quarantineHeld(ctx, connector, mailbox, providerId, raw, `Brevdue's database cannot hold this letter: ${text}`, result);
  }
  const n = countFailedAttempt(ctx.db, mailbox.id, providerId);
  ctx.log.warn('letter failed; the poll goes on with the others', {
    mailboxId: mailbox.id, provider: mailbox.provider, providerId, step, attempt: n, of: LETTER_ATTEMPTS, error: text,
  });
  if (n < LETTER_ATTEMPTS) {
    // Retryable whatever the cause said: the letter gets its next attempts at the usual backoff.
    const status = e.cause instanceof ProviderError ? e.cause.status : undefined;
    return {
      retry: true,
      error: new ProviderError('letter_failed', `The ${where} could not be ${STEP_TEXT[step]} (attempt ${n} of ${LETTER_ATTEMPTS}; the mailbox's other letters were taken): ${text}`, true, status),
    };
  }
  forgetFailedAttempts(ctx.db, mailbox.id, providerId);
  if (raw && step !== 'acknowledge') {
    // We hold the letter: kept in quarantine, the provider may forget it, as for an invalid MeMo.
    const outcome = await quarantineHeld(ctx, connector, mailbox, providerId, raw, `Given up after ${LETTER_ATTEMPTS} attempts to store it: ${text}`, result);
    if (!outcome.retry) ctx.log.error('letter given up', { mailboxId: mailbox.id, provider: mailbox.provider, providerId, reason: outcome.sentence });
    return outcome;
  }
  // Never fetched (or stored but never acknowledged): it stays waiting at the provider, passed by from now on.
  const reason = step === 'acknowledge'
    ? `${NOT_FETCHED_PREFIX} ${LETTER_ATTEMPTS} attempts to acknowledge it (it is stored in Brevdue; it stays waiting at ${providerName(mailbox.provider)}): ${text}`
    : `${NOT_FETCHED_PREFIX} ${LETTER_ATTEMPTS} attempts (it stays waiting at ${providerName(mailbox.provider)}): ${text}`;
  await storeQuarantine(ctx.db, ctx.sealer, mailbox, providerId, reason, notFetchedRecord(mailbox.provider, providerId, reason));
  const sentence = `The ${where} is passed by: ${reason}`;
  ctx.log.error('letter given up', { mailboxId: mailbox.id, provider: mailbox.provider, providerId, reason: sentence });
  return { retry: false, sentence: safeText(sentence) };
}

const whereOf = (mailbox: MailboxRow, providerId: string) => `${providerName(mailbox.provider)} letter ${safeText(providerId, 120)}`;

/** Keeps the letter in quarantine, then tells the provider INVALID; a failed receipt is counted like any failure of the letter. */
async function quarantineHeld(ctx: AppContext, connector: MailboxConnector, mailbox: MailboxRow, providerId: string, raw: Buffer, reason: string, result: PollResult): Promise<LetterOutcome> {
  await storeQuarantine(ctx.db, ctx.sealer, mailbox, providerId, reason, raw);
  result.quarantined++;
  ctx.log.warn('letter quarantined', { mailboxId: mailbox.id, providerId, reason, via: 'pull' });
  try {
    await connector.acknowledge(providerId, { status: 'INVALID', errorMessage: reason.slice(0, 500) });
  } catch (e) {
    if (failsTheMailbox(e)) throw e; // refused credentials: the receipt is owed, and sent by a later poll
    return receiptFailed(ctx, mailbox, providerId, e);
  }
  return { retry: false, sentence: safeText(`The ${whereOf(mailbox, providerId)} was quarantined: ${reason}`) };
}

/** A quarantined letter still listed by the provider: only its INVALID receipt is owed; it is not fetched again. */
async function owedReceipt(connector: MailboxConnector, providerId: string, reason: string, result: PollResult): Promise<void> {
  try {
    await connector.acknowledge(providerId, { status: 'INVALID', errorMessage: reason.slice(0, 500) });
  } catch (e) {
    throw new LetterError('acknowledge', e, providerId, null, true);
  }
  result.quarantined++;
}

/**
 * The INVALID receipt of a quarantined letter failed: counted like any failure of the letter, and
 * given up after LETTER_ATTEMPTS: its quarantine row (the only one: the letter is kept) is marked
 * so later polls pass it by, and the letter stays waiting at the provider.
 */
async function receiptFailed(ctx: AppContext, mailbox: MailboxRow, providerId: string, cause: unknown): Promise<LetterOutcome> {
  const text = ingestErrorText(cause, 'Sending its INVALID receipt failed');
  const where = whereOf(mailbox, providerId);
  const n = countFailedAttempt(ctx.db, mailbox.id, providerId);
  ctx.log.warn('INVALID receipt of a quarantined letter failed; the poll goes on with the others', {
    mailboxId: mailbox.id, provider: mailbox.provider, providerId, step: 'acknowledge', attempt: n, of: LETTER_ATTEMPTS, error: text,
  });
  if (n < LETTER_ATTEMPTS) {
    const status = cause instanceof ProviderError ? cause.status : undefined;
    return {
      retry: true,
      error: new ProviderError('letter_failed', `The ${where} is quarantined, but its INVALID receipt could not be sent (attempt ${n} of ${LETTER_ATTEMPTS}; the mailbox's other letters were taken): ${text}`, true, status),
    };
  }
  forgetFailedAttempts(ctx.db, mailbox.id, providerId);
  const head = `${RECEIPT_NOT_SENT_PREFIX} ${LETTER_ATTEMPTS} attempts (the letter is kept in quarantine; it stays waiting at ${providerName(mailbox.provider)}): ${text.replace(/\.$/, '')}.`;
  await ctx.db.update(quarantine).set({ reason: sql`${head + FIRST_REASON_SEPARATOR} || ${quarantine.reason}` })
    .where(and(eq(quarantine.mailboxId, mailbox.id), eq(quarantine.providerMessageId, providerId), not(sql`starts_with(${quarantine.reason}, ${RECEIPT_NOT_SENT_PREFIX})`)));
  // A letter known only by its tombstone (its row deleted by retention): marked the same way, content-free.
  await ctx.db.update(quarantineTombstones).set({ reason: tombstoneReason(RECEIPT_NOT_SENT_PREFIX) })
    .where(and(eq(quarantineTombstones.mailboxId, mailbox.id), eq(quarantineTombstones.providerMessageId, providerId)));
  const sentence = safeText(`The ${where} is passed by: ${head}`);
  ctx.log.error('letter given up', { mailboxId: mailbox.id, provider: mailbox.provider, providerId, reason: sentence });
  return { retry: false, sentence };
}

// One connector for the whole poll: it may rotate its credentials meanwhile, and `mailbox` is the
// row as it was when the poll began.
async function ingestOne(ctx: AppContext, connector: MailboxConnector, mailbox: MailboxRow, providerId: string, result: PollResult) {
  let raw: Buffer;
  try {
    raw = await connector.fetchRaw(providerId);
  } catch (e) {
    if (!(await goneMeanwhile(connector, providerId, e))) throw new LetterError('fetch', e, providerId, null);
    // Listed, then taken by an overlapping poll of this mailbox (the repeating poll and its backlog
    // follow-up, or a job a crashed process left locked), which stored it before acknowledging it.
    ctx.log.info('letter taken by an overlapping poll', { mailboxId: mailbox.id, providerId });
    return;
  }
  let r: Accepted;
  try {
    r = await acceptLetter(ctx, mailbox, providerId, raw, 'pull');
  } catch (e) {
    throw new LetterError('store', e, providerId, raw);
  }
  // Durable now: the provider may forget it.
  try {
    if (r.kind === 'quarantined') {
      await connector.acknowledge(providerId, { status: 'INVALID', errorMessage: r.reason.slice(0, 500) });
    } else {
      await connector.acknowledge(providerId, { status: 'COMPLETED', messageUUID: r.memo.messageUUID });
    }
  } catch (e) {
    throw new LetterError('acknowledge', e, providerId, raw, r.kind === 'quarantined');
  }
  if (r.kind === 'quarantined') result.quarantined++;
  else if (r.stored.created) result.stored++; else result.duplicates++;
}

/**
 * A 404 for a letter the list named: gone since (another poll acknowledged it) unless the provider
 * still lists it, which is a real fault and fails the poll as before.
 */
async function goneMeanwhile(connector: MailboxConnector, providerId: string, e: unknown): Promise<boolean> {
  if (!(e instanceof ProviderError && e.status === 404)) return false;
  for await (const ids of connector.listWaiting()) return !ids.includes(providerId); // the first page: the oldest waiting
  return true;
}
