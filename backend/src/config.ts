// Configuration from the environment, validated once at start. With nothing set, Brevdue runs in
// demo mode on embedded PGlite under ./data with in-process simulators.
import { z } from 'zod';

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().url().optional(),
  BREVDUE_DATA_DIR: z.string().default('./data'),
  BREVDUE_MODE: z.enum(['demo', 'production']).default('demo'),
  BREVDUE_KEK: z.string().optional(),
  GRAPH_BASE_URL: z.string().url().default('https://graph.microsoft.com/'),
  ENTRA_TENANT_ID: z.string().optional(),
  ENTRA_CLIENT_ID: z.string().optional(),
  ENTRA_CLIENT_SECRET: z.string().optional(),
  ENTRA_API_AUDIENCE: z.string().optional(),
  POLL_INTERVAL_MS: z.coerce.number().int().min(500).default(5000),
});

export type Env = z.infer<typeof envSchema>;

export function readEnv(env: NodeJS.ProcessEnv = process.env): Env {
  const r = envSchema.safeParse(env);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`Configuration error in ${i.path.join('.')}: ${i.message}`);
  }
  return r.data;
}
