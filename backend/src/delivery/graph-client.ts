// The Microsoft Graph client, authenticated by client credentials (msal-node) in production or by a
// static token against the simulator. The base URL is configuration; nothing here knows simulators.
import { AuthenticationHandler, Client, HTTPMessageHandler, type AuthenticationProvider } from '@microsoft/microsoft-graph-client';
import { ConfidentialClientApplication } from '@azure/msal-node';

export interface TokenProvider { getToken(): Promise<string> }

export function staticToken(token: string): TokenProvider {
  return { getToken: async () => token };
}

/** App-only token for Graph through msal-node; msal caches and renews it. */
export function clientCredentials(opts: {
  tenantId: string; clientId: string; clientSecret?: string;
  certificate?: { thumbprintSha256: string; privateKey: string };
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
 * Middleware: authentication, then the HTTP call. Deliberately no SDK RetryHandler: retries belong
 * to the delivery job, which records every attempt, honours Retry-After across processes and
 * dead-letters after a bound, instead of sleeping inside a request.
 */
export function createGraphClient(opts: { baseUrl: string; tokens: TokenProvider }): Client {
  const auth: AuthenticationProvider = { getAccessToken: () => opts.tokens.getToken() };
  const first = new AuthenticationHandler(auth);
  first.setNext(new HTTPMessageHandler());
  return Client.initWithMiddleware({ middleware: first, baseUrl: opts.baseUrl.replace(/\/?$/, '/'), defaultVersion: 'v1.0' });
}
