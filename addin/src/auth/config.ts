// How this Brevdue installation signs people in, asked once from the backend (GET /api/auth-config,
// no token needed): the demo (no sign-in, a role switcher) or Entra ID with the task pane's client id,
// authority and the API scope to ask for.
import { z } from 'zod';

export const authConfigSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('demo') }),
  z.object({
    mode: z.literal('entra'),
    clientId: z.string().min(1),
    authority: z.string().url(),
    scopes: z.array(z.string().min(1)).min(1),
  }),
]);
export type AuthConfig = z.infer<typeof authConfigSchema>;

let cached: Promise<AuthConfig> | null = null;

/** The configuration, fetched once per page; a failed fetch is retried on the next call. */
export function authConfig(fetchImpl: typeof fetch = fetch): Promise<AuthConfig> {
  if (!cached) {
    cached = fetchImpl('api/auth-config', { headers: { Accept: 'application/json' } })
      .then(async (r) => {
        if (!r.ok) throw new Error(`The server did not say how to sign in (HTTP ${r.status}).`);
        return authConfigSchema.parse(await r.json());
      })
      .catch((e) => { cached = null; throw e; });
  }
  return cached;
}

/** For tests: forget the cached configuration. */
export function resetAuthConfig(): void {
  cached = null;
}
