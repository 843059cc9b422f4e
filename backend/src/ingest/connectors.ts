// The provider registry and the connector for a stored mailbox (secrets decrypted only here).
import type { Sealer } from '../crypto/envelope';
import type { MailboxRow } from '../context';
import { ConnectorSetupError, credentialsIssueKind, type MailboxConnector, type MailboxErrorKind } from './connector';
import { mailboxSettingsDigest, splitSecretSettings, type ProviderModule } from './provider';
import { ngdpProvider } from './ngdp/provider';
import { eboksProvider } from './eboks/provider';
import { mitdkProvider } from './mitdk/provider';
import { DEFAULT_PROVIDER_URL_POLICY, assertProviderBaseUrl, type ProviderUrlPolicy } from './provider-urls';

export const PROVIDERS: Record<string, ProviderModule<any, any>> = {
  ngdp: ngdpProvider,
  eboks: eboksProvider,
  mitdk: mitdkProvider,
};

/** `f`'s failure as the kind of trouble it is (mailbox health), with its message as it was. */
function setUp<T>(kind: MailboxErrorKind, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new ConnectorSetupError(kind, e instanceof Error ? e.message : String(e), { cause: e });
  }
}

export function providerModule(provider: string): ProviderModule<any, any> {
  const p = PROVIDERS[provider];
  if (!p) throw new Error(`Unknown mailbox provider "${provider}". Known: ${Object.keys(PROVIDERS).join(', ')}.`);
  return p;
}

/**
 * `persistSecret` writes a mailbox's new sealed credentials (rotated by its provider) to the database.
 * `urls`: the installation's allowed provider addresses (provider-urls.ts); a mailbox whose address is
 * not among them gets no connector (ProviderUrlRefused), so its credentials are never sent there.
 */
export function connectorFactory(sealer: Sealer, persistSecret: (mailboxId: string, sealed: Buffer) => Promise<void> = async () => undefined,
  urls: ProviderUrlPolicy = DEFAULT_PROVIDER_URL_POLICY) {
  // Keyed by the mailbox and a digest of its settings and sealed credentials, so an admin's change
  // takes effect at the next poll (connectors keep sessions, so they are worth reusing otherwise).
  const cache = new Map<string, { key: string; connector: MailboxConnector }>();
  return (mb: MailboxRow): MailboxConnector => {
    const digest = (sealed: Buffer | null) => mailboxSettingsDigest(mb.config, sealed);
    const key = digest(mb.secretEnc);
    const hit = cache.get(mb.id);
    if (hit?.key === key) return hit.connector;
    const p = setUp('settings_invalid', () => providerModule(mb.provider));
    if (!mb.secretEnc) throw new ConnectorSetupError('credentials_refused', `The ${p.displayName} mailbox of CVR ${mb.cvr} has no credentials configured.`);
    const sealed = mb.secretEnc;
    // A mailbox saved before a setting moved into the secret still has it in its config: read from there.
    const split = splitSecretSettings(p, mb.config, setUp('credentials_refused', () => JSON.parse(sealer.open(sealed).toString('utf8')) as Record<string, unknown>));
    const config = setUp('settings_invalid', () => p.configSchema.parse(split.config));
    // Before the credentials are even opened for a connector: the address must be the installation's.
    assertProviderBaseUrl(urls, mb.provider, (config as { baseUrl?: unknown }).baseUrl, mb.cvr);
    const parsed = p.secretSchema.safeParse(split.secret);
    if (!parsed.success) throw new ConnectorSetupError(credentialsIssueKind(parsed.error), parsed.error.message, { cause: parsed.error });
    const secret = parsed.data;
    const c = p.createConnector({ id: mb.id, cvr: mb.cvr }, config, secret, {
      async saveSecret(next) {
        const sealed = sealer.seal(JSON.stringify(p.secretSchema.parse(next)));
        await persistSecret(mb.id, sealed);
        // The connector already holds these credentials: the stored change must not rebuild it.
        cache.set(mb.id, { key: digest(sealed), connector: c });
      },
    });
    cache.set(mb.id, { key, connector: c });
    return c;
  };
}
