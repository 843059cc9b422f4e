// Taking in one fetched or pushed letter, the same way for every provider and both directions:
// parse; an invalid letter is quarantined with its reason; a valid one is stored idempotently and,
// if still unrouted (new, or a crash came between storing and scheduling), queued for routing.
// Durable when this resolves: only then may the provider be told.
import type { AppContext, MailboxRow } from '../context';
import type { Tx } from '../store/db';
import type { Memo } from '../memo/types';
import { MemoError } from '../memo/types';
import { parseMemo } from '../memo/parse';
import { documentRows, storeLetter, storeQuarantine, type StoreResult } from '../store/letters';
import { documentTexts } from '../routing/document-text';
import { reasonFacts } from './quarantine-reason';

export type Accepted =
  | { kind: 'stored'; memo: Memo; stored: StoreResult }
  | { kind: 'quarantined'; reason: string };

export async function acceptLetter(
  ctx: Pick<AppContext, 'db' | 'sealer' | 'jobs' | 'log' | 'metrics'>, mailbox: MailboxRow, providerId: string, raw: Buffer, via: 'pull' | 'push' | 'retry',
  /** Runs first in the letter's transaction (storeLetter); what it throws stores nothing. */
  guard?: (tx: Tx) => Promise<void>,
): Promise<Accepted> {
  let memo: Memo;
  try {
    memo = parseMemo(raw);
  } catch (e) {
    if (!(e instanceof MemoError)) throw e;
    // A retry's letter has its row (quarantine-retry.ts keeps it): never a new one, which would bring
    // back bytes a data subject request erased after the retry read them, should retention delete that row.
    if (via !== 'retry') await storeQuarantine(ctx.db, ctx.sealer, mailbox, providerId, e.message, raw);
    // Not the reason's words: they may quote the letter (a name, an e-mail address). The pane shows them.
    ctx.log.warn('letter quarantined', { mailboxId: mailbox.id, providerId, ...reasonFacts(e.message), via });
    return { kind: 'quarantined', reason: e.message };
  }
  // The documents' text now, while their bytes are in memory: routing then reads no document back.
  const texts = await documentTexts(documentRows(memo));
  const stored = await storeLetter(ctx.db, ctx.sealer, mailbox, memo, raw, texts, guard);
  for (const [position, t] of texts) {
    if (stored.created && t.status.startsWith('failed')) ctx.log.warn('no text from a PDF document; rules on document text will not see it', { messageId: stored.messageId, position, status: t.status });
  }
  if (stored.created) ctx.metrics?.lettersFetched.inc({ provider: mailbox.provider });
  if (stored.created || stored.status === 'received') await ctx.jobs.routeSoon(stored.messageId);
  return { kind: 'stored', memo, stored };
}
