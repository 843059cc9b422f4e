// One poll of one provider mailbox: fetch each waiting letter, store it durably, and only then
// acknowledge it at the provider. A letter that fails validation is quarantined with its reason and
// acknowledged as INVALID; the poll goes on with the rest. A poll takes at most `maxLetters`, so a
// mailbox with a large backlog cannot hold a worker while hundreds of others wait their turn.
import { eq, sql } from 'drizzle-orm';
import type { AppContext, MailboxRow } from '../context';
import { mailboxes } from '../store/schema';
import { acceptLetter } from './accept';
import { errorMessage } from '../log';
import { prepared } from '../store/prepared';
import { ProviderError, type MailboxConnector } from './connector';

export interface PollResult { stored: number; duplicates: number; quarantined: number; more: boolean }

export const DEFAULT_MAX_LETTERS_PER_POLL = 200;

export async function pollMailbox(ctx: AppContext, mailbox: MailboxRow, maxLetters = DEFAULT_MAX_LETTERS_PER_POLL): Promise<PollResult> {
  const result: PollResult = { stored: 0, duplicates: 0, quarantined: 0, more: false };
  let seen = 0;
  try {
    const connector = ctx.connectorFor(mailbox);
    outer: for await (const ids of connector.listWaiting()) {
      seen += ids.length;
      for (const id of ids) {
        if (result.stored + result.duplicates + result.quarantined >= maxLetters) { result.more = true; break outer; }
        await ingestOne(ctx, connector, mailbox, id, result);
      }
    }
    // Prepared (store/prepared.ts): every poll of every mailbox writes this, most of them finding nothing.
    await prepared(ctx.db, 'poll_succeeded', (db) => db.update(mailboxes)
      .set({ lastFetchAt: sql`now()`, lastError: null, consecutiveFailures: 0, backoffUntil: null, waitingAtLastPoll: sql`${sql.placeholder('seen')}::int` })
      .where(eq(mailboxes.id, sql.placeholder('id'))).prepare('poll_succeeded')).execute({ seen, id: mailbox.id });
    if (result.stored || result.duplicates || result.quarantined) {
      ctx.log.info('mailbox polled', { mailboxId: mailbox.id, cvr: mailbox.cvr, provider: mailbox.provider, ...result });
    }
  } catch (e) {
    const msg = humanPollError(e);
    ctx.metrics?.connectorErrors.inc({ provider: mailbox.provider });
    const [row] = await ctx.db.update(mailboxes)
      .set({ lastErrorAt: new Date(), lastError: msg, consecutiveFailures: sql`${mailboxes.consecutiveFailures} + 1` })
      .where(eq(mailboxes.id, mailbox.id)).returning({ failures: mailboxes.consecutiveFailures });
    const until = new Date(Date.now() + backoffMs(row?.failures ?? 1, e));
    await ctx.db.update(mailboxes).set({ backoffUntil: until }).where(eq(mailboxes.id, mailbox.id));
    ctx.log.warn('mailbox poll failed', { mailboxId: mailbox.id, cvr: mailbox.cvr, provider: mailbox.provider, error: msg, retryAt: until.toISOString() });
    throw e;
  }
  return result;
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

function humanPollError(e: unknown): string {
  if (e instanceof ProviderError) return e.message;
  return `Fetching failed: ${errorMessage(e)}`;
}

// One connector for the whole poll: it may rotate its credentials meanwhile, and `mailbox` is the
// row as it was when the poll began.
async function ingestOne(ctx: AppContext, connector: MailboxConnector, mailbox: MailboxRow, providerId: string, result: PollResult) {
  let raw: Buffer;
  try {
    raw = await connector.fetchRaw(providerId);
  } catch (e) {
    if (!(await goneMeanwhile(connector, providerId, e))) throw e;
    // Listed, then taken by an overlapping poll of this mailbox (the repeating poll and its backlog
    // follow-up, or a job a crashed process left locked), which stored it before acknowledging it.
    ctx.log.info('letter taken by an overlapping poll', { mailboxId: mailbox.id, providerId });
    return;
  }
  const r = await acceptLetter(ctx, mailbox, providerId, raw, 'pull');
  // Durable now: the provider may forget it.
  if (r.kind === 'quarantined') {
    await connector.acknowledge(providerId, { status: 'INVALID', errorMessage: r.reason.slice(0, 500) });
    result.quarantined++;
    return;
  }
  await connector.acknowledge(providerId, { status: 'COMPLETED', messageUUID: r.memo.messageUUID });
  if (r.stored.created) result.stored++; else result.duplicates++;
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
