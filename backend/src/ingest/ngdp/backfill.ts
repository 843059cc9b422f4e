// Backfill ("system fetch"): NgDP delivers a mailbox's messages received in a date range to the
// system once more (through the pull list, or by push). Letters we already have are recognised by
// their MeMo UUID when they come back (storeLetter is idempotent) and are only receipted again.
import { z } from 'zod';
import type { Sealer } from '../../crypto/envelope';
import type { MailboxRow } from '../../context';
import { ProviderError } from '../connector';
import type { SystemFetch } from './client';
import { openNgdpMailbox, type OpenedNgdpMailbox } from './mailbox-client';
import type { ProviderUrlPolicy } from '../provider-urls';

export interface BackfillStatus {
  /** NgDP's system-fetch id. */
  id: string;
  /** NgDP's mailbox id. */
  ngdpMailboxId: string;
  status: 'RUNNING' | 'FINISHED' | 'STOPPED' | 'UNKNOWN';
  from: string;
  to: string | null;
  totalMessages: number;
  fetchedMessages: number;
  failedMessages: number;
  /** Share of the messages handled (fetched or failed), 0..1; 1 when finished; null while the total is unknown. */
  progress: number | null;
  createdAt: string | null;
  finishedAt: string | null;
}

/** Body of an admin request to start a backfill. */
export const backfillRequestSchema = z.object({
  from: z.coerce.date({ invalid_type_error: 'from must be a date, e.g. 2026-01-01' }),
  to: z.coerce.date({ invalid_type_error: 'to must be a date, e.g. 2026-01-31' }).optional(),
}).strict()
  .refine((r) => r.from.getTime() <= Date.now(), { message: 'from lies in the future', path: ['from'] })
  .refine((r) => !r.to || r.from.getTime() <= r.to.getTime(), { message: 'from must be before to', path: ['to'] });
export type BackfillRequest = z.infer<typeof backfillRequestSchema>;

/** Asks NgDP to deliver the mailbox's messages of [from, to] again; returns the running fetch. */
export async function startBackfill(mailbox: MailboxRow, sealer: Sealer, range: { from: Date; to?: Date }, urls?: ProviderUrlPolicy): Promise<BackfillStatus> {
  return withMailbox(mailbox, sealer, urls, async (m, id) => toStatus(await m.client.requestSystemFetch(id, range.from, range.to)));
}

/** Status and progress of one backfill. */
export async function backfillStatus(mailbox: MailboxRow, sealer: Sealer, fetchId: string, urls?: ProviderUrlPolicy): Promise<BackfillStatus> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(fetchId)) {
    throw new ProviderError('unknown', `"${fetchId}" is not a backfill id.`, false, 400);
  }
  return withMailbox(mailbox, sealer, urls, async (m, id) => toStatus(await m.client.getSystemFetch(id, fetchId)));
}

/** Every backfill NgDP knows for the mailbox, newest first. */
export async function listBackfills(mailbox: MailboxRow, sealer: Sealer, urls?: ProviderUrlPolicy): Promise<BackfillStatus[]> {
  return withMailbox(mailbox, sealer, urls, async (m, id) => (await m.client.listSystemFetches(id)).map(toStatus)
    .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? '')));
}

/** NgDP's id for the mailbox: configured `mailboxId`, else looked up. */
export async function resolveNgdpMailboxId(m: OpenedNgdpMailbox, cvr: string): Promise<string> {
  if (m.config.mailboxId) return m.config.mailboxId;
  const found = await m.client.findMailboxId();
  if (!found) {
    throw new ProviderError('not_set_up_at_provider', `Cannot tell which Digital Post mailbox belongs to CVR ${cvr}: set mailboxId (the NgDP mailbox UUID, `
      + 'shown in the Digital Post administration) in this mailbox\'s settings.', false);
  }
  return found;
}

/** `urls`: the installation's allowed addresses (provider-urls.ts; default: Digital Post's own). */
async function withMailbox<T>(mailbox: MailboxRow, sealer: Sealer, urls: ProviderUrlPolicy | undefined, fn: (m: OpenedNgdpMailbox, ngdpMailboxId: string) => Promise<T>): Promise<T> {
  const m = openNgdpMailbox(mailbox, sealer, urls);
  try {
    return await fn(m, await resolveNgdpMailboxId(m, mailbox.cvr));
  } finally {
    m.close();
  }
}

export function toStatus(f: SystemFetch): BackfillStatus {
  const status = f.systemFetchStatusType;
  const done = f.fetchedMessages + f.failedMessages;
  return {
    id: f.id,
    ngdpMailboxId: f.mailboxId,
    status,
    from: f.fromDateTime,
    to: f.toDateTime ?? null,
    totalMessages: f.totalMessages,
    fetchedMessages: f.fetchedMessages,
    failedMessages: f.failedMessages,
    progress: status === 'FINISHED' ? 1 : f.totalMessages > 0 ? Math.min(1, done / f.totalMessages) : null,
    createdAt: f.createdDateTime ?? null,
    finishedAt: f.finishedDateTime ?? null,
  };
}
