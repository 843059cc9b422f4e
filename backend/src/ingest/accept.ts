// Taking in one fetched or pushed letter, the same way for every provider and both directions:
// parse; an invalid letter is quarantined with its reason; a valid one is stored idempotently and,
// if still unrouted (new, or a crash came between storing and scheduling), queued for routing.
// Durable when this resolves: only then may the provider be told.
import type { AppContext, MailboxRow } from '../context';
import type { Memo } from '../memo/types';
import { MemoError } from '../memo/types';
import { parseMemo } from '../memo/parse';
import { storeLetter, storeQuarantine, type StoreResult } from '../store/letters';

export type Accepted =
  | { kind: 'stored'; memo: Memo; stored: StoreResult }
  | { kind: 'quarantined'; reason: string };

export async function acceptLetter(
  ctx: Pick<AppContext, 'db' | 'sealer' | 'jobs' | 'log' | 'metrics'>, mailbox: MailboxRow, providerId: string, raw: Buffer, via: 'pull' | 'push',
): Promise<Accepted> {
  let memo: Memo;
  try {
    memo = parseMemo(raw);
  } catch (e) {
    if (!(e instanceof MemoError)) throw e;
    await storeQuarantine(ctx.db, ctx.sealer, mailbox, providerId, e.message, raw);
    ctx.log.warn('letter quarantined', { mailboxId: mailbox.id, providerId, reason: e.message, via });
    return { kind: 'quarantined', reason: e.message };
  }
  const stored = await storeLetter(ctx.db, ctx.sealer, mailbox, memo, raw);
  if (stored.created) ctx.metrics?.lettersFetched.inc({ provider: mailbox.provider });
  if (stored.created || stored.status === 'received') await ctx.jobs.routeSoon(stored.messageId);
  return { kind: 'stored', memo, stored };
}
