// An admin's "try again" for one quarantined letter (POST /api/admin/mailboxes/:id/quarantine/:quarantineId/retry,
// `brevdue quarantine retry`). Two kinds of row:
// - a letter never fetched (reason NOT_FETCHED_PREFIX, letter-failures.ts): the record is forgotten and
//   the mailbox polled soon, so the next poll fetches the letter again (and gives up again after
//   LETTER_ATTEMPTS if it still cannot be fetched);
// - a letter held (its raw bytes sealed in the row: an invalid MeMo, values the database refused, a
//   letter given up storing, or one whose INVALID receipt was given up): the stored bytes go through
//   acceptLetter again, the same path as a pulled letter. Stored (idempotent on the MeMo UUID, so a
//   letter already stored is not stored, routed or delivered twice) → the row is deleted in the letter's
//   own transaction.
//   Still invalid or still refused → the row stays, with the current reason, and the caller gets
//   a 422 saying why.
// A row whose content a data subject request erased (erased_at) has nothing to try: 409 — also when the
// erase commits while the retry runs, since every write to the row is conditional on it not being erased
// and the letter is stored only in the transaction that deleted its row (an erase's update waits for
// that commit, then finds the letter stored: dsr/requests.ts dsrErase).
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { AppContext } from '../context';
import type { Tx } from '../store/db';
import { mailboxes, quarantine } from '../store/schema';
import { addEvent, providerName } from '../store/letters';
import { maskCpr } from '../../../shared/src/identifiers';
import type { QuarantineRetryResult } from '../../../shared/src/contracts';
import { HttpError } from '../api/errors';
import { acceptLetter, type Accepted } from './accept';
import { ingestErrorText, letterRefusedByDatabase } from './error-text';
import { LETTER_ATTEMPTS, NOT_FETCHED_PREFIX, RECEIPT_NOT_SENT_PREFIX, forgetFailedAttempts } from './letter-failures';

export type RetryContext = Pick<AppContext, 'db' | 'sealer' | 'jobs' | 'log' | 'metrics'>;

export interface RetryOptions {
  /** Only a row of this mailbox (the API's path); another mailbox's row is "not found". */
  mailboxId?: string;
  /** Who asked, for the letter's timeline ("Name (user id)", or the command line's user). */
  actor: string;
  /** Poll the mailbox soon (the poll scheduler's pollSoon); by default its next_poll_at is set to now. */
  pollSoon?: (mailboxId: string) => Promise<void>;
}

/** Makes the mailbox due now: the poll scheduler of any process takes it at its next look (within a second). */
export async function pollDueNow(db: RetryContext['db'], mailboxId: string): Promise<void> {
  await db.update(mailboxes).set({ nextPollAt: sql`now()` }).where(eq(mailboxes.id, mailboxId));
}

/** The row of a quarantined letter, by id, within the organisation (and mailbox); 404 otherwise. */
async function quarantinedRow(ctx: RetryContext, orgId: string, id: string, mailboxId?: string) {
  const [row] = await ctx.db.select().from(quarantine)
    .where(and(eq(quarantine.id, id), eq(quarantine.orgId, orgId), ...(mailboxId ? [eq(quarantine.mailboxId, mailboxId)] : [])));
  if (!row) {
    throw new HttpError(404, 'not_found', 'No such quarantined letter in this mailbox: it may have been tried again or removed already. Reload the list.');
  }
  return row;
}

const erasedError = (letter: string, at: Date) => new HttpError(409, 'erased',
  `${letter} was erased at a data subject's request on ${at.toISOString().slice(0, 10)}: its content is gone, so there is nothing to try again. Retention deletes the record at the end of the retention period.`);

/** After a conditional write to the row matched nothing: 409 when an erase is why, 404 when the row is gone; otherwise null. */
async function lostRow(db: RetryContext['db'] | Tx, id: string, letter: string): Promise<HttpError | null> {
  const [now] = await db.select({ erasedAt: quarantine.erasedAt }).from(quarantine).where(eq(quarantine.id, id));
  if (!now) return new HttpError(404, 'not_found', `${letter} is no longer in quarantine: it may have been tried again or removed meanwhile. Reload the list.`);
  return now.erasedAt ? erasedError(letter, now.erasedAt) : null;
}

/** Tries one quarantined letter again; throws an HttpError with a sentence a person can act on when it cannot be taken in. */
export async function retryQuarantined(ctx: RetryContext, orgId: string, quarantineId: string, opts: RetryOptions): Promise<QuarantineRetryResult> {
  const row = await quarantinedRow(ctx, orgId, quarantineId, opts.mailboxId);
  const [mb] = await ctx.db.select().from(mailboxes).where(eq(mailboxes.id, row.mailboxId));
  const provider = providerName(mb.provider);
  const pollSoon = opts.pollSoon ?? ((id: string) => pollDueNow(ctx.db, id));
  const letter = `The ${provider} letter ${row.providerMessageId}`;

  if (row.erasedAt) throw erasedError(letter, row.erasedAt);
  if (row.reason.startsWith(NOT_FETCHED_PREFIX)) {
    if (mb.removedAt) {
      throw new HttpError(409, 'mailbox_removed', `${letter} was never fetched, and its mailbox has been removed, so nothing fetches it. Add the ${provider} mailbox of CVR ${mb.cvr} again, then try again.`);
    }
    // Only the record as it was read: the poll may have changed it meanwhile, an erase emptied it.
    const gone = await ctx.db.delete(quarantine).where(and(eq(quarantine.id, row.id), eq(quarantine.reason, row.reason), isNull(quarantine.erasedAt)))
      .returning({ id: quarantine.id });
    if (gone.length === 0) {
      const lost = await lostRow(ctx.db, row.id, letter);
      if (lost?.code === 'erased') throw lost;
    }
    forgetFailedAttempts(ctx.db, mb.id, row.providerMessageId);
    await pollSoon(mb.id);
    ctx.log.info('quarantined letter to be fetched again', { mailboxId: mb.id, providerId: row.providerMessageId, by: opts.actor });
    const paused = mb.paused ? ` The mailbox is paused: resume it, or nothing is fetched.` : '';
    return {
      outcome: 'fetch_again', messageId: null,
      message: `${letter} is fetched again from ${provider} at the mailbox's next poll.${paused} If it still cannot be fetched, it is given up after ${LETTER_ATTEMPTS} more attempts and shows here again.`,
    };
  }

  let raw: Buffer;
  try {
    raw = ctx.sealer.open(row.rawEnc);
  } catch (e) {
    throw new HttpError(409, 'cannot_open', `${letter} cannot be opened: ${ingestErrorText(e, 'Opening it failed')}. If the key-encryption key was rotated, keep the old key in BREVDUE_KEK_PREVIOUS and try again.`);
  }
  const receiptGivenUp = row.reason.startsWith(RECEIPT_NOT_SENT_PREFIX);
  // First in the letter's transaction, one statement: the row deleted unless erased since it was read
  // above (then nothing is stored); its lock makes an erase's update wait for this commit.
  const takeRow = async (tx: Tx) => {
    const took = await tx.delete(quarantine).where(and(eq(quarantine.id, row.id), isNull(quarantine.erasedAt))).returning({ id: quarantine.id });
    if (took.length === 0) throw (await lostRow(tx, row.id, letter)) ?? new Error('the quarantine row could not be taken');
  };
  let r: Accepted;
  try {
    r = await acceptLetter(ctx, mb, row.providerMessageId, raw, 'retry', takeRow);
  } catch (e) {
    if (e instanceof HttpError) throw e;
    const text = ingestErrorText(e, 'Storing it failed');
    if (letterRefusedByDatabase(e)) {
      const reason = `Brevdue's database cannot hold this letter: ${text}`;
      await keepWithReason(ctx, row.id, letter, reason, receiptGivenUp, mb.id, pollSoon);
      throw new HttpError(422, 'still_refused', `${letter} still cannot be stored: ${reason}. It stays in quarantine.${receiptAgain(receiptGivenUp, provider)} Give this reason to your Brevdue supplier.`);
    }
    throw new HttpError(503, 'store_failed', `${letter} could not be stored this time: ${text}. It stays in quarantine; try again in a few minutes.`);
  }
  if (r.kind === 'quarantined') {
    // acceptLetter leaves a retry's row as it is: only its reason may need to be today's.
    await keepWithReason(ctx, row.id, letter, r.reason, receiptGivenUp, mb.id, pollSoon);
    // The params let the pane say it in the reader's language: the provider (by its id, the pane names it) and the
    // letter's reason (the validator's own words), never the letter's id.
    throw new HttpError(422, 'still_invalid', `${letter} is still not a valid letter: ${maskCpr(r.reason)}. It stays in quarantine.${receiptAgain(receiptGivenUp, provider)} If the sender sent it like this, ask them to send it again.`,
      { params: { provider: mb.provider, reason: maskCpr(r.reason), receiptAgain: receiptGivenUp ? 1 : 0 } });
  }
  // Durable now, and the row went in the same transaction (takeRow).
  forgetFailedAttempts(ctx.db, mb.id, row.providerMessageId);
  const { messageId, created } = r.stored;
  if (created) {
    await addEvent(ctx.db, orgId, messageId, 'quarantine_released', opts.actor, `Taken out of quarantine by ${opts.actor}: stored on trying again`,
      { quarantineId: row.id, reason: row.reason.slice(0, 500) });
  }
  // Still waiting at the provider (its receipt was given up): the next poll finds it stored and receipts COMPLETED.
  if (receiptGivenUp && !mb.removedAt) await pollSoon(mb.id);
  ctx.log.info('quarantined letter tried again', { mailboxId: mb.id, providerId: row.providerMessageId, messageId, created, by: opts.actor });
  return created
    ? { outcome: 'stored', messageId, message: `${letter} is stored and goes on to routing and delivery like any new letter.` }
    : { outcome: 'already_stored', messageId, message: `${letter} was already stored in Brevdue (the same letter arrived another way), so it is not stored or delivered again; it is removed from quarantine.` };
}

const receiptAgain = (again: boolean, provider: string) => (again ? ` Its INVALID receipt is sent to ${provider} again at the mailbox's next poll.` : '');

/**
 * The letter stays: its reason becomes today's. A row whose INVALID receipt was given up loses that
 * mark, so the next poll (soon) tries the receipt again. Not over an erase since the row was read: the
 * reason may quote the letter (409 then).
 */
async function keepWithReason(ctx: RetryContext, id: string, letter: string, reason: string, receiptGivenUp: boolean, mailboxId: string, pollSoon: (id: string) => Promise<void>) {
  const kept = await ctx.db.update(quarantine).set({ reason: maskCpr(reason) }).where(and(eq(quarantine.id, id), isNull(quarantine.erasedAt)))
    .returning({ id: quarantine.id });
  if (kept.length === 0) throw (await lostRow(ctx.db, id, letter)) ?? new Error('the quarantine row could not be updated');
  if (receiptGivenUp) await pollSoon(mailboxId);
}
