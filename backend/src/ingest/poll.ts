// One poll of one provider mailbox: fetch each waiting letter, store it durably, and only then
// acknowledge it at the provider. A letter that fails validation is quarantined with its reason and
// acknowledged as INVALID; the poll goes on with the rest.
import { eq } from 'drizzle-orm';
import type { AppContext, MailboxRow } from '../context';
import { parseMemo } from '../memo/parse';
import { MemoError } from '../memo/types';
import { mailboxes } from '../store/schema';
import { storeLetter, storeQuarantine } from '../store/letters';
import { errorMessage } from '../log';

export interface PollResult { stored: number; duplicates: number; quarantined: number }

export async function pollMailbox(ctx: AppContext, mailbox: MailboxRow): Promise<PollResult> {
  const result: PollResult = { stored: 0, duplicates: 0, quarantined: 0 };
  const connector = ctx.connectorFor(mailbox);
  try {
    for await (const ids of connector.listWaiting()) {
      for (const id of ids) await ingestOne(ctx, mailbox, id, result);
    }
    await ctx.db.update(mailboxes).set({ lastFetchAt: new Date(), lastError: null }).where(eq(mailboxes.id, mailbox.id));
    if (result.stored || result.duplicates || result.quarantined) {
      ctx.log.info('mailbox polled', { mailboxId: mailbox.id, cvr: mailbox.cvr, provider: mailbox.provider, ...result });
    }
  } catch (e) {
    const msg = errorMessage(e);
    ctx.log.warn('mailbox poll failed', { mailboxId: mailbox.id, cvr: mailbox.cvr, provider: mailbox.provider, error: msg });
    await ctx.db.update(mailboxes).set({ lastErrorAt: new Date(), lastError: msg }).where(eq(mailboxes.id, mailbox.id));
    throw e;
  }
  return result;
}

async function ingestOne(ctx: AppContext, mailbox: MailboxRow, providerId: string, result: PollResult) {
  const connector = ctx.connectorFor(mailbox);
  const raw = await connector.fetchRaw(providerId);
  let memo;
  try {
    memo = parseMemo(raw);
  } catch (e) {
    if (!(e instanceof MemoError)) throw e;
    await storeQuarantine(ctx.db, ctx.sealer, mailbox, providerId, e.message, raw);
    await connector.acknowledge(providerId, { status: 'INVALID', errorMessage: e.message.slice(0, 500) });
    ctx.log.warn('letter quarantined', { mailboxId: mailbox.id, providerId, reason: e.message });
    result.quarantined++;
    return;
  }
  const stored = await storeLetter(ctx.db, ctx.sealer, mailbox, memo, raw);
  // Durable now: the provider may forget it.
  await connector.acknowledge(providerId, { status: 'COMPLETED', messageUUID: memo.messageUUID });
  if (stored.created) result.stored++; else result.duplicates++;
  // A crash may have come between storing and scheduling: a letter still 'received' is routed again
  // (routing is idempotent).
  if (stored.created || stored.status === 'received') await ctx.jobs.routeSoon(stored.messageId);
}
