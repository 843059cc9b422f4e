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
  /**
   * Settings that are personal data or secret (e-Boks' login CPR number): part of `secretSchema`, so
   * sealed; still accepted in a config an admin sends, and read from a config stored before they
   * moved, but never stored in nor returned with the config (`splitSecretSettings`, `publicConfig`).
   */
  secretSettings?: readonly string[];
  /**
   * Credentials kept when new credentials leave them out, at the same address (Digital Post's
   * certificate: renewing the password must not drop it); `null` removes one (`keepCredentials`).
   */
  keptCredentials?: readonly string[];
}

type Settings = Record<string, unknown>;

/**
 * Moves `p.secretSettings` out of `config` into `secret`. A value in `secret` wins over one in
 * `config`; `carried` (what was stored before) fills what neither names.
 */
export function splitSecretSettings(p: Pick<ProviderModule, 'secretSettings'>, config: Settings, secret: Settings, carried: Settings = {}):
  { config: Settings; secret: Settings } {
  const keys = p.secretSettings ?? [];
  if (keys.length === 0) return { config, secret };
  const clean = Object.fromEntries(Object.entries(config).filter(([k]) => !keys.includes(k)));
  const moved: Settings = {};
  for (const k of keys) {
    const v = secret[k] ?? config[k] ?? carried[k];
    if (v !== undefined) moved[k] = v;
  }
  return { config: clean, secret: { ...secret, ...moved } };
}

/**
 * New credentials with `p.keptCredentials` they leave out taken from `stored` (pass {} when the
 * address changes: nothing stored follows a mailbox to a new address); a kept key sent as null is removed.
 */
export function keepCredentials(p: Pick<ProviderModule, 'keptCredentials'>, given: Settings, stored: Settings): Settings {
  const out: Settings = { ...given };
  for (const k of p.keptCredentials ?? []) {
    if (out[k] === null) delete out[k];
    else if (out[k] === undefined && stored[k] !== undefined) out[k] = stored[k];
  }
  return out;
}

/** The config as the API shows it: without the settings that belong in the sealed secret. */
export function publicConfig(p: Pick<ProviderModule, 'secretSettings'>, config: Settings): Settings {
  const keys = p.secretSettings ?? [];
  return keys.length === 0 ? config : Object.fromEntries(Object.entries(config).filter(([k]) => !keys.includes(k)));
}

/**
 * Identifies a mailbox's settings and sealed credentials, so a cached connector or client is rebuilt
 * exactly when an admin (or the provider, rotating tokens) changed them.
 */
export function mailboxSettingsDigest(config: unknown, sealedSecret: Buffer | null): string {
  return createHash('sha256').update(JSON.stringify(config)).update(sealedSecret ?? Buffer.alloc(0)).digest('hex');
}
