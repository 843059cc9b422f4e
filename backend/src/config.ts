// Configuration from the environment, validated once at start. With nothing set, Brevdue runs in
// demo mode on embedded PGlite under ./data with in-process simulators. The Microsoft Graph
// credential (certificate or secret) is read and checked by delivery/graph-credentials.ts.
import { z } from 'zod';
import { isLoopbackHost, parseAllowedBaseUrl } from './ingest/provider-urls';
import { destinationPolicy, type DestinationsAllowed } from './delivery/registry/allowed';

const loopbackHttp = (u: string) => { try { const x = new URL(u); return x.protocol === 'http:' && isLoopbackHost(x.hostname); } catch { return false; } };

/** "true"/"false" (also 1/0, yes/no, on/off); unset or empty is false. z.coerce.boolean would read "false" as true. */
const flag = z.preprocess(
  (v) => (typeof v === 'string' ? v.trim().toLowerCase() : v),
  z.union([z.literal(''), z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])], {
    errorMap: () => ({ message: 'expected true or false' }),
  }).optional().transform((v) => v === 'true' || v === '1' || v === 'yes' || v === 'on'),
);

/**
 * A comma-separated list of provider addresses (ingest/provider-urls.ts): absolute URLs without user
 * name, password, query or fragment. https only in production (checked on the whole environment below).
 */
const baseUrlList = z.string().optional().transform((s, ctx) => (s ?? '').split(',').map((u) => u.trim()).filter(Boolean).map((u) => {
  try {
    parseAllowedBaseUrl(u, true);
    return u;
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: `${(e as Error).message} (a comma-separated list of base URLs such as https://ngdp-proxy.example.dk/apis/v1)` });
    return z.NEVER;
  }
}));

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().url().optional(),
  BREVDUE_DATA_DIR: z.string().default('./data'),
  BREVDUE_MODE: z.enum(['demo', 'production']).default('demo'),
  BREVDUE_KEK: z.string().optional(),
  /** Older key-encryption keys, comma-separated `id:base64`, during a rotation (docs/SECURITY.md). */
  BREVDUE_KEK_PREVIOUS: z.string().optional(),
  GRAPH_BASE_URL: z.string().url().default('https://graph.microsoft.com/'),
  ENTRA_TENANT_ID: z.string().optional(),
  ENTRA_CLIENT_ID: z.string().optional(),
  /** A client secret for Microsoft Graph; allowed, but a certificate is preferred (exactly one of the two). */
  ENTRA_CLIENT_SECRET: z.string().optional(),
  /** PEM file holding the private key and the certificate uploaded to the app registration. */
  ENTRA_CLIENT_CERT_PATH: z.string().optional(),
  /** Send the certificate chain (x5c) with each token request: only for subject name/issuer authentication. */
  ENTRA_CLIENT_CERT_SEND_X5C: flag,
  /** Not supported (PEM only); read so that setting it gives a sentence on how to convert instead of being ignored. */
  ENTRA_CLIENT_CERT_PFX_PATH: z.string().optional(),
  ENTRA_API_AUDIENCE: z.string().optional(),
  /** Delegated scope an API token's `scp` must contain (docs/SECURITY.md). */
  ENTRA_REQUIRED_SCOPE: z.string().trim().regex(/^[\w.-]+$/, 'expected a scope name such as access_as_user').default('access_as_user'),
  /** JSON {"<Entra group object id>": "admin" | "operator" | "reader"}: group membership grants roles. */
  ENTRA_GROUP_ROLES: z.string().optional().transform((s, ctx) => {
    if (!s?.trim()) return {};
    try { return JSON.parse(s) as unknown; } catch {
      ctx.addIssue({ code: 'custom', message: 'expected JSON such as {"<group object id>":"operator"}' });
      return z.NEVER;
    }
  }).pipe(z.record(z.string().uuid('each key must be an Entra group object id (UUID)'), z.enum(['admin', 'operator', 'reader']))),
  /** What a signed-in user of the tenant holding no role is: a reader of everything (default) or refused. */
  ENTRA_DEFAULT_ROLE: z.enum(['reader', 'none'], { errorMap: () => ({ message: 'expected reader or none' }) }).default('reader'),
  /** Comma-separated origins allowed to call /api from another origin (CORS); empty = same origin only. */
  ALLOWED_ORIGINS: z.string().optional().transform((s, ctx) => (s ?? '').split(',').map((o) => o.trim()).filter(Boolean).map((o) => {
    try {
      const u = new URL(o);
      if (u.origin !== o.replace(/\/+$/, '')) throw new Error();
      return u.origin;
    } catch {
      ctx.addIssue({ code: 'custom', message: `"${o}" is not an origin such as https://brevdue.example.dk (scheme, host, optional port; no path)` });
      return z.NEVER;
    }
  })),
  /** Requests per minute per client IP (/api, /ngdp/push) and per signed-in user (/api). */
  RATE_LIMIT_IP_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_PUSH_PER_MINUTE: z.coerce.number().int().min(1).default(6000),
  RATE_LIMIT_USER_PER_MINUTE: z.coerce.number().int().min(1).default(300),
  /** Reverse proxies in front of Brevdue (hop count) whose X-Forwarded-For is trusted; 0 = none. */
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  POLL_INTERVAL_MS: z.coerce.number().int().min(500).default(5000),
  /** Mailbox polls at once per process; each holds at most one letter in memory (docs/PERFORMANCE.md). */
  POLL_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(6),
  /** Serve HTTPS with this PEM certificate (and TLS_KEY_PATH): for sideloading into Outlook on a dev machine. */
  TLS_CERT_PATH: z.string().optional(),
  TLS_KEY_PATH: z.string().optional(),
  /**
   * Provider addresses an organisation's admin may give a mailbox besides each provider's own
   * (ingest/provider-urls.ts PROVIDER_BASE_URL_DEFAULTS): e.g. an egress proxy. docs/DEPLOYMENT.md 3.1.
   */
  NGDP_ALLOWED_BASE_URLS: baseUrlList,
  EBOKS_ALLOWED_BASE_URLS: baseUrlList,
  MITDK_ALLOWED_BASE_URLS: baseUrlList,
  /**
   * The mail domains and Teams teams each organisation may deliver to, set by the operator (never by an
   * organisation's admin): JSON {"<organisation id>" | "*": {"mailDomains": [...], "teams": [...]}}
   * (delivery/registry/allowed.ts, docs/DEPLOYMENT.md 3.1). Unset in production: no organisation may
   * deliver anywhere until it is set; in demo mode: anywhere.
   */
  DESTINATIONS_ALLOWED: z.string().optional().transform((s, ctx): DestinationsAllowed | undefined => {
    if (!s?.trim()) return undefined;
    let parsed: unknown;
    try { parsed = JSON.parse(s); } catch {
      ctx.addIssue({ code: 'custom', message: 'expected JSON such as {"<organisation id>":{"mailDomains":["firma.dk"],"teams":[]}}' });
      return z.NEVER;
    }
    try { destinationPolicy(parsed as DestinationsAllowed); } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message.replace(/^DESTINATIONS_ALLOWED: /, '') });
      return z.NEVER;
    }
    return parsed as DestinationsAllowed;
  }),
}).superRefine((env, ctx) => {
  if (env.BREVDUE_MODE !== 'production') return;
  for (const key of ['NGDP_ALLOWED_BASE_URLS', 'EBOKS_ALLOWED_BASE_URLS', 'MITDK_ALLOWED_BASE_URLS'] as const) {
    // (A list already refused above holds no strings.)
    const plain = (Array.isArray(env[key]) ? env[key] : []).find((u) => typeof u === 'string' && !u.toLowerCase().startsWith('https://') && !loopbackHttp(u));
    if (plain) ctx.addIssue({ code: 'custom', path: [key], message: `"${plain.slice(0, 120)}" must start with https:// (plain http is for demo mode, or an address on this machine such as a local TLS proxy)` });
  }
});

export type Env = z.infer<typeof envSchema>;

export function readEnv(env: NodeJS.ProcessEnv = process.env): Env {
  const r = envSchema.safeParse(env);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`Configuration error in ${i.path.join('.')}: ${i.message}`);
  }
  refuseExposedDemo(r.data, env);
  if (!!r.data.TLS_CERT_PATH !== !!r.data.TLS_KEY_PATH) {
    throw new Error('Configuration error in TLS_CERT_PATH/TLS_KEY_PATH: set both (PEM certificate and its private key) or neither');
  }
  return r.data;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Demo mode is the default (so that `npm start` needs nothing), and it has no sign-in: a demo user
 * with every role, simulators and a push endpoint without certificate checks. A production setup
 * that forgot BREVDUE_MODE would expose all of that, so demo mode listens on this machine only and
 * refuses a configuration that is plainly meant for production.
 */
function refuseExposedDemo(env: Env, raw: NodeJS.ProcessEnv): void {
  if (env.BREVDUE_MODE !== 'demo') return;
  const unset = !raw.BREVDUE_MODE?.trim();
  if (!LOOPBACK.has(env.HOST.trim().toLowerCase())) {
    throw new Error(`Configuration error in HOST: demo mode${unset ? ' (BREVDUE_MODE is not set)' : ''} has no sign-in, so it listens on this `
      + `machine only (HOST=127.0.0.1), not on "${env.HOST}". For a server others reach set BREVDUE_MODE=production (docs/DEPLOYMENT.md).`);
  }
  const meantForProduction = (['ENTRA_TENANT_ID', 'ENTRA_CLIENT_ID', 'ENTRA_CLIENT_SECRET', 'ENTRA_CLIENT_CERT_PATH'] as const).filter((k) => env[k]?.trim());
  if (unset && meantForProduction.length) {
    throw new Error(`Configuration error in BREVDUE_MODE: it is not set, so Brevdue would start in demo mode (no sign-in, simulated `
      + `mailboxes), but ${meantForProduction.join(', ')} ${meantForProduction.length > 1 ? 'are' : 'is'} set. Set BREVDUE_MODE=production, or BREVDUE_MODE=demo to run the demo anyway.`);
  }
}

/**
 * Production mode: the Entra app that calls Microsoft Graph. Throws naming every missing variable;
 * the credential (certificate or secret) is checked by loadGraphCredential.
 */
export function requireEntraApp(env: Env): { tenantId: string; clientId: string } {
  const missing = (['ENTRA_TENANT_ID', 'ENTRA_CLIENT_ID'] as const).filter((k) => !env[k]?.trim());
  if (missing.length) {
    throw new Error(`Production mode needs ${missing.join(' and ')}: the directory (tenant) id and the application (client) id `
      + 'of the app registration that calls Microsoft Graph (docs/DEPLOYMENT.md).');
  }
  return { tenantId: env.ENTRA_TENANT_ID!.trim(), clientId: env.ENTRA_CLIENT_ID!.trim() };
}
