// Taking in one fetched or pushed letter, the same way for every provider and both directions:
// parse; an invalid letter is quarantined with its reason; a valid one is stored idempotently and,
// if still unrouted (new, or a crash came between storing and scheduling), queued for routing.
// Durable when this resolves: only then may the provider be told.
import type { AppContext, MailboxRow } from '../context';
import type { Memo } from '../memo/types';
import { MemoError } from '../memo/types';
import { parseMemo } from '../memo/parse';
import { documentRows, storeLetter, storeQuarantine, type StoreResult } from '../store/letters';
import { documentTexts } from '../routing/document-text';

export type Accepted =
  | { kind: 'stored'; memo: Memo; stored: StoreResult }
  | { kind: 'quarantined'; reason: string };

export async function acceptLetter(
  ctx: Pick<AppContext, 'db' | 'sealer' | 'jobs' | 'log' | 'metrics'>, mailbox: MailboxRow, providerId: string, raw: Buffer, via: 'pull' | 'push' | 'retry',
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
  // The documents' text now, while their bytes are in memory: routing then reads no document back.
  const texts = await documentTexts(documentRows(memo));
  const stored = await storeLetter(ctx.db, ctx.sealer, mailbox, memo, raw, texts);
  for (const [position, t] of texts) {
    if (stored.created && t.status.startsWith('failed')) ctx.log.warn('no text from a PDF document; rules on document text will not see it', { messageId: stored.messageId, position, status: t.status });
  }
  if (stored.created) ctx.metrics?.lettersFetched.inc({ provider: mailbox.provider });
  if (stored.created || stored.status === 'received') await ctx.jobs.routeSoon(stored.messageId);
  return { kind: 'stored', memo, stored };
}
