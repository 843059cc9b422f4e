// The push receiver's dependencies built from the application context: the same storing rules as a
// poll (ingest/accept.ts) — parse, store idempotently or quarantine with the reason, schedule
// routing — and business receipts through the mailbox's own NgDP client and certificate.
import { and, eq, isNull } from 'drizzle-orm';
import type { AppContext, MailboxRow } from '../../context';
import type { Db } from '../../store/db';
import { cvrNumbers, mailboxes } from '../../store/schema';
import { acceptLetter, type Accepted } from '../accept';
import { ingestErrorText, letterRefusedByDatabase } from '../error-text';
import { storeQuarantine } from '../../store/letters';
import { memoMessageUUID } from './client';
import { clientCertVerifier, type NgdpPushSecurityInput } from './client-cert';
import { createNgdpClientCache, type NgdpClientCache } from './mailbox-client';
import type { NgdpPushDeps, PushStoreResult } from './push';

type StoreContext = Pick<AppContext, 'db' | 'sealer' | 'jobs' | 'log' | 'metrics'>;

/** `store` for the push router: durable before it resolves; a MemoError is quarantined, anything else throws. */
export function createNgdpPushStore(ctx: StoreContext): NgdpPushDeps['store'] {
  return async (mailbox, raw, providerId): Promise<PushStoreResult> => {
    let r: Accepted;
    try {
      r = await acceptLetter(ctx, mailbox, providerId, raw, 'push');
    } catch (e) {
      // PostgreSQL refusing this letter's values refuses them on every push: quarantine it, as a poll does.
      if (!letterRefusedByDatabase(e)) throw e;
      const reason = `Brevdue's database cannot hold this letter: ${ingestErrorText(e, 'Storing it failed')}`;
      await storeQuarantine(ctx.db, ctx.sealer, mailbox, providerId, reason, raw);
      r = { kind: 'quarantined', reason };
    }
    if (r.kind === 'quarantined') {
      const fromId = /^[0-9a-f-]{36}$/i.test(providerId) ? providerId.toLowerCase() : null;
      return { ok: false, reason: r.reason.slice(0, 500), messageUUID: fromId ?? memoMessageUUID(raw) };
    }
    return { ok: true, messageUUID: r.memo.messageUUID, messageId: r.stored.messageId, created: r.stored.created };
  };
}

/**
 * `resolveMailbox` for the push router: the active Digital Post mailbox of the organisation that holds
 * the CVR number (a CVR number belongs to one organisation: cvr_numbers_cvr_active_uq). It never
 * chooses: a mailbox is one whose organisation holds the CVR number now, and anything but exactly one
 * such mailbox is none (the push is refused and logged), so no letter goes to an organisation that
 * merely claimed the number.
 */
export function resolveNgdpPushMailbox(db: Db, log?: AppContext['log']): NgdpPushDeps['resolveMailbox'] {
  return async (cvr) => {
    const rows = await db.select({
      id: mailboxes.id, orgId: mailboxes.orgId, cvr: mailboxes.cvr, provider: mailboxes.provider, config: mailboxes.config, secretEnc: mailboxes.secretEnc,
    }).from(mailboxes)
      .innerJoin(cvrNumbers, and(eq(cvrNumbers.orgId, mailboxes.orgId), eq(cvrNumbers.cvr, mailboxes.cvr), isNull(cvrNumbers.removedAt)))
      .where(and(eq(mailboxes.provider, 'ngdp'), eq(mailboxes.cvr, cvr), isNull(mailboxes.removedAt)))
      .limit(2);
    if (rows.length === 1) return rows[0];
    if (rows.length > 1) log?.error('ngdp push: refused, the CVR number has Digital Post mailboxes in several organisations', { cvr, mailboxIds: rows.map((r) => r.id) });
    return null;
  };
}

/** `sendReceipt` for the push router: `POST /memos/{messageUUID}/receipt` with the mailbox's credentials and certificate. */
export function createNgdpReceiptSender(clients: NgdpClientCache): NgdpPushDeps['sendReceipt'] {
  return (mailbox: MailboxRow, receipt) => clients.get(mailbox).client.postReceipt(receipt.messageUUID, receipt);
}

/**
 * Every dependency of ngdpPushRouter from the application context; `close()` on shutdown. Without
 * `sendReceipt` (the app passes its durable agenda job) receipts are posted before the 200.
 */
export function ngdpPushDepsFromContext(
  ctx: AppContext, security: NgdpPushSecurityInput,
  opts: { maxBytes?: number; sendReceipt?: NgdpPushDeps['sendReceipt'] } = {},
): NgdpPushDeps & { close(): void } {
  const clients = createNgdpClientCache(ctx.sealer, ctx.providerUrls);
  return {
    resolveMailbox: resolveNgdpPushMailbox(ctx.db, ctx.log),
    store: createNgdpPushStore(ctx),
    sendReceipt: createNgdpReceiptSender(clients),
    verifyClientCert: clientCertVerifier(security),
    log: ctx.log,
    ...opts,
    close: () => clients.close(),
  };
}
