// The NgDP client of a stored mailbox row (config in clear, secret decrypted here), for the calls that
// are not the poll: business receipts for pushed memos, backfill, sending replies. Clients are kept
// per mailbox and rebuilt when its configuration or secret changes, so a TLS session is reused.
import type { Sealer } from '../../crypto/envelope';
import type { MailboxRow } from '../../context';
import { ProviderError, credentialsIssueKind } from '../connector';
import { ngdpClientFor, ngdpConfigSchema, ngdpSecretSchema, type NgdpConfig, type NgdpMailboxClient } from './provider';
import { mailboxSettingsDigest } from '../provider';
import { DEFAULT_PROVIDER_URL_POLICY, assertProviderBaseUrl, type ProviderUrlPolicy } from '../provider-urls';

export interface OpenedNgdpMailbox extends NgdpMailboxClient { config: NgdpConfig }

/**
 * Builds the client of one mailbox; throws ProviderError (not retryable) for a mailbox that is not a
 * usable NgDP mailbox, ProviderUrlRefused for one whose address `urls` does not allow.
 */
export function openNgdpMailbox(mailbox: MailboxRow, sealer: Sealer, urls: ProviderUrlPolicy = DEFAULT_PROVIDER_URL_POLICY): OpenedNgdpMailbox {
  if (mailbox.provider !== 'ngdp') throw new ProviderError('settings_invalid', `Mailbox ${mailbox.id} is a ${mailbox.provider} mailbox, not Digital Post.`, false);
  const config = ngdpConfigSchema.safeParse(mailbox.config);
  if (!config.success) throw new ProviderError('settings_invalid', `The Digital Post settings of CVR ${mailbox.cvr} are invalid: ${config.error.issues[0]?.message}`, false);
  assertProviderBaseUrl(urls, 'ngdp', config.data.baseUrl, mailbox.cvr);
  if (!mailbox.secretEnc) throw new ProviderError('credentials_refused', `The Digital Post mailbox of CVR ${mailbox.cvr} has no credentials configured.`, false);
  let json: unknown;
  try { json = JSON.parse(sealer.open(mailbox.secretEnc).toString('utf8')); } catch (e) {
    throw new ProviderError('credentials_refused', `The Digital Post credentials of CVR ${mailbox.cvr} cannot be decrypted: ${(e as Error).message}`, false);
  }
  const secret = ngdpSecretSchema.safeParse(json);
  if (!secret.success) {
    throw new ProviderError(credentialsIssueKind(secret.error), `The Digital Post credentials of CVR ${mailbox.cvr} are not usable: ${secret.error.issues[0]?.message}`, false);
  }
  return { ...ngdpClientFor(mailbox, config.data, secret.data), config: config.data };
}

export interface NgdpClientCache {
  get(mailbox: MailboxRow): OpenedNgdpMailbox;
  close(): void;
}

export function createNgdpClientCache(sealer: Sealer, urls: ProviderUrlPolicy = DEFAULT_PROVIDER_URL_POLICY): NgdpClientCache {
  const cache = new Map<string, { key: string; opened: OpenedNgdpMailbox }>();
  return {
    get(mailbox) {
      const key = mailboxSettingsDigest(mailbox.config, mailbox.secretEnc);
      const hit = cache.get(mailbox.id);
      if (hit && hit.key === key) return hit.opened;
      hit?.opened.close();
      const opened = openNgdpMailbox(mailbox, sealer, urls);
      cache.set(mailbox.id, { key, opened });
      return opened;
    },
    close() {
      for (const { opened } of cache.values()) opened.close();
      cache.clear();
    },
  };
}
