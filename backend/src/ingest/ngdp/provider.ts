import { z } from 'zod';
import type { ProviderModule } from '../provider';
import { createNgdpClient, type NgdpClient } from './client';
import { createNgdpTransport, ngdpCertificateSchema, type NgdpTransport } from './tls';

export const ngdpConfigSchema = z.object({
  baseUrl: z.string().url('baseUrl must be the NgDP API URL, e.g. https://api.digitalpost.dk/apis/v1'),
  systemUsername: z.string().min(1, 'systemUsername (the calling system\'s UUID) is required'),
  mode: z.enum(['pull', 'push']).default('pull'),
  /** NgDP's id of this CVR number's mailbox (needed for backfill); looked up through GET /mailboxes/ when absent. */
  mailboxId: z.string().uuid('mailboxId must be the NgDP mailbox UUID').optional(),
}).strict();

export const ngdpSecretSchema = z.object({
  systemPassword: z.string().min(1, 'systemPassword is required'),
  /**
   * The OCES system certificate for mutual TLS (PEM or PKCS#12, see tls.ts). Optional so the demo
   * against the local simulator runs without one; Digital Post itself refuses connections without it.
   */
  certificate: ngdpCertificateSchema.optional(),
}).strict();

export type NgdpConfig = z.infer<typeof ngdpConfigSchema>;
export type NgdpSecret = z.infer<typeof ngdpSecretSchema>;

export interface NgdpMailboxClient { client: NgdpClient; transport: NgdpTransport | null; close(): void }

/** The NgDP client of one CVR number's mailbox, with the certificate's transport when one is configured. */
export function ngdpClientFor(mailbox: { cvr: string }, config: NgdpConfig, secret: NgdpSecret): NgdpMailboxClient {
  const transport = secret.certificate ? createNgdpTransport(secret.certificate) : null;
  const client = createNgdpClient({
    baseUrl: config.baseUrl,
    system: { username: config.systemUsername, password: secret.systemPassword },
    delegatedCVR: mailbox.cvr,
    ...(transport ? { fetch: transport.fetch } : {}),
  });
  return { client, transport, close: () => transport?.close() };
}

export const ngdpProvider: ProviderModule<NgdpConfig, NgdpSecret> = {
  provider: 'ngdp',
  displayName: 'Digital Post',
  configSchema: ngdpConfigSchema as z.ZodType<NgdpConfig>,
  secretSchema: ngdpSecretSchema as z.ZodType<NgdpSecret>,
  keptCredentials: ['certificate'],
  receivesByPush: (c) => c.mode === 'push',
  createConnector: (mb, c, s) => ngdpClientFor(mb, c, s).client.connector,
  requirements: 'A system registered with Digitaliseringsstyrelsen for Digital Post (NgDP) with an OCES system certificate; '
    + 'the organisation (or the vendor, with delegatedCVR) connects its CVR number to that system in the NgDP administration. '
    + 'For push, the system\'s endpoint is Brevdue\'s /ngdp/push/<CVR> URL behind a proxy that verifies Digital Post\'s client certificate (see docs/NGDP.md).',
};
