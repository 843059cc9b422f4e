// The Microsoft Graph client, authenticated by client credentials (msal-node) in production or by a
// static token against the simulator. The base URL is configuration; nothing here knows simulators.
import { Client, HTTPMessageHandler, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { ConfidentialClientApplication } from '@azure/msal-node';
import type { Pacer } from './pacing/pacer';
import { pacingMiddleware } from './pacing/middleware';

export interface TokenProvider { getToken(): Promise<string> }

export function staticToken(token: string): TokenProvider {
  return { getToken: async () => token };
}

/** App-only token for Graph through msal-node; msal caches and renews it. */
export function clientCredentials(opts: {
  tenantId: string; clientId: string; clientSecret?: string;
  certificate?: { thumbprintSha256: string; privateKey: string; x5c?: string };
  authorityHost?: string;
}): TokenProvider {
  const app = new ConfidentialClientApplication({
    auth: {
      clientId: opts.clientId,
      authority: `${opts.authorityHost ?? 'https://login.microsoftonline.com'}/${opts.tenantId}`,
      clientSecret: opts.clientSecret,
      clientCertificate: opts.certificate,
    },
  });
  return {
    async getToken() {
      const r = await app.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
      if (!r?.accessToken) throw new Error('Entra ID returned no access token for Microsoft Graph; check the app registration and its credentials.');
      return r.accessToken;
    },
  };
}

/**
 * Middleware: our bearer token, then the HTTP call.
 * - Not the SDK's AuthenticationHandler: it attaches tokens only to https Graph hosts it knows, so a
 *   configured base URL (a national cloud proxy, the simulator) would get none. Ours attaches the
 *   token to requests for the configured origin and to nothing else.
 * - Pacing (pacing/middleware.ts): every request waits for its mailbox's slot and budget; 429s are
 *   sat out per Retry-After there. No SDK RetryHandler: other retries belong to the delivery job,
 *   which records every attempt and dead-letters after a bound.
 */
export function createGraphClient(opts: {
  baseUrl: string; tokens: TokenProvider; pacer?: Pacer; onThrottled?: (lane: string, status: number, waitMs: number) => void;
}): Client {
  const baseUrl = opts.baseUrl.replace(/\/?$/, '/');
  const origin = new URL(baseUrl).origin;
  let next: Middleware | undefined;
  const bearer: Middleware = {
    async execute(ctx: Context) {
      const url = typeof ctx.request === 'string' ? ctx.request : ctx.request.url;
      if (new URL(url).origin === origin) {
        const token = await opts.tokens.getToken();
        ctx.options = ctx.options ?? {};
        const h = ctx.options.headers;
        if (h instanceof Headers) h.set('Authorization', `Bearer ${token}`);
        else ctx.options.headers = { ...(h as Record<string, string> | undefined), Authorization: `Bearer ${token}` };
      }
      await next!.execute(ctx);
    },
    setNext(m: Middleware) { next = m; },
  };
  const chain: Middleware[] = [bearer, ...(opts.pacer ? [pacingMiddleware(opts.pacer, opts.onThrottled)] : []), new HTTPMessageHandler()];
  return Client.initWithMiddleware({ middleware: chain, baseUrl, defaultVersion: 'v1.0' });
}
