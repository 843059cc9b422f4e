import { z } from 'zod';
import type { ProviderModule } from '../provider';
import { MITDK_DATA_SOURCES, MITDK_DEFAULT_BASE_URL, MITDK_DEFAULT_CLIENT_ID, createMitdkClient } from './client';

export const mitdkConfigSchema = z.object({
  baseUrl: z.string().url('baseUrl must be the mit.dk viewer API URL, e.g. https://gateway.mit.dk/view/client').default(MITDK_DEFAULT_BASE_URL),
  clientId: z.string().min(1).default(MITDK_DEFAULT_CLIENT_ID),
  /** DP_PRIVATE: letters from private senders; DP_PUBLIC: from authorities (already fetched through NgDP when that is connected). */
  dataSources: z.array(z.enum(MITDK_DATA_SOURCES)).min(1, 'choose at least one of DP_PRIVATE and DP_PUBLIC').default([...MITDK_DATA_SOURCES]),
  acknowledge: z.enum(['archive', 'markRead']).default('archive'),
  archiveFolder: z.string().min(1).default('ARCHIVE'),
  pageSize: z.number().int().min(1).max(500).default(50),
}).strict();

export const mitdkSecretSchema = z.object({
  dppRefreshToken: z.string().min(1, 'dppRefreshToken (from a MitID sign-in to mit.dk) is required'),
  ngdpRefreshToken: z.string().min(1, 'ngdpRefreshToken (from a MitID sign-in to mit.dk) is required'),
}).strict();

export type MitdkConfig = z.infer<typeof mitdkConfigSchema>;
export type MitdkSecret = z.infer<typeof mitdkSecretSchema>;

export const mitdkProvider: ProviderModule<MitdkConfig, MitdkSecret> = {
  provider: 'mitdk',
  displayName: 'mit.dk',
  configSchema: mitdkConfigSchema as unknown as z.ZodType<MitdkConfig>,
  secretSchema: mitdkSecretSchema,
  receivesByPush: () => false,
  // Every refresh hands out new refresh tokens: they are stored (encrypted) at once, so a restart
  // continues with tokens mit.dk still accepts.
  createConnector: (mb, c, s, hooks) => createMitdkClient({
    baseUrl: c.baseUrl, clientId: c.clientId, cvr: mb.cvr, refreshTokens: s, onTokens: hooks ? (t) => hooks.saveSecret(t) : undefined,
    dataSources: c.dataSources, acknowledge: c.acknowledge, archiveFolder: c.archiveFolder, pageSize: c.pageSize,
  }).connector,
  requirements: 'mit.dk offers no documented business API: the organisation needs an agreement with Digitaliseringsstyrelsen '
    + '(which runs mit.dk) allowing automated access through the mit.dk viewer API, and a person with access to the company\'s '
    + 'Digital Post who signs in to mit.dk with MitID (Erhverv) once and gives Brevdue the two refresh tokens of that sign-in; '
    + 'the sign-in must be renewed when mit.dk stops accepting them.',
};
