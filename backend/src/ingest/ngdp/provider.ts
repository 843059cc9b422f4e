import { z } from 'zod';
import type { ProviderModule } from '../provider';
import { createNgdpClient } from './client';

export const ngdpConfigSchema = z.object({
  baseUrl: z.string().url('baseUrl must be the NgDP API URL, e.g. https://api.digitalpost.dk/apis/v1'),
  systemUsername: z.string().min(1, 'systemUsername (the calling system\'s UUID) is required'),
  mode: z.enum(['pull', 'push']).default('pull'),
}).strict();

export const ngdpSecretSchema = z.object({
  systemPassword: z.string().min(1, 'systemPassword is required'),
}).strict();

export type NgdpConfig = z.infer<typeof ngdpConfigSchema>;
export type NgdpSecret = z.infer<typeof ngdpSecretSchema>;

export const ngdpProvider: ProviderModule<NgdpConfig, NgdpSecret> = {
  provider: 'ngdp',
  displayName: 'Digital Post',
  configSchema: ngdpConfigSchema as z.ZodType<NgdpConfig>,
  secretSchema: ngdpSecretSchema,
  receivesByPush: (c) => c.mode === 'push',
  createConnector: (mb, c, s) =>
    createNgdpClient({ baseUrl: c.baseUrl, system: { username: c.systemUsername, password: s.systemPassword }, delegatedCVR: mb.cvr }).connector,
  requirements: 'A system registered with Digitaliseringsstyrelsen for Digital Post (NgDP) with an OCES system certificate; '
    + 'the organisation (or the vendor, with delegatedCVR) connects its CVR number to that system in the NgDP administration.',
};
