// What each mailbox provider (Digital Post/NgDP, e-Boks, mit.dk) contributes: how its mailbox
// configuration and secret look (validated with zod when an admin saves them), how to build its
// connector, and a sentence on what an organisation must arrange before switching it on.
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { Provider } from '../../../shared/src/contracts';
import type { MailboxConnector } from './connector';

export interface MailboxIdentity { id: string; cvr: string }

export interface ConnectorHooks<S> {
  /** Store credentials the provider rotated (e.g. mit.dk's refresh tokens), encrypted, for the next start. */
  saveSecret(secret: S): Promise<void>;
}

export interface ProviderModule<C = unknown, S = unknown> {
  provider: Provider;
  displayName: string;
  /** Non-secret settings, stored in clear (base URL, system id, ...). */
  configSchema: z.ZodType<C>;
  /** Credentials, stored encrypted and never returned by the API. */
  secretSchema: z.ZodType<S>;
  /** Mailboxes that receive by push are not polled. */
  receivesByPush(config: C): boolean;
  createConnector(mailbox: MailboxIdentity, config: C, secret: S, hooks?: ConnectorHooks<S>): MailboxConnector;
  requirements: string;
}

/**
 * Identifies a mailbox's settings and sealed credentials, so a cached connector or client is rebuilt
 * exactly when an admin (or the provider, rotating tokens) changed them.
 */
export function mailboxSettingsDigest(config: unknown, sealedSecret: Buffer | null): string {
  return createHash('sha256').update(JSON.stringify(config)).update(sealedSecret ?? Buffer.alloc(0)).digest('hex');
}
