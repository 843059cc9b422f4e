// A stand-in for Entra ID in tests: a local key endpoint (JWKS per tenant, as login.microsoftonline.com
// serves it) and a token signer, plus a production-mode Brevdue that trusts it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWTPayload } from 'jose';
import { startBrevdue, type Brevdue, type StartOptions } from '../../backend/src/app';

export const CLIENT_ID = 'c0ffee00-0000-4000-8000-000000000002';
export const AUDIENCE = `api://brevdue.test/${CLIENT_ID}`;

export interface TokenOptions {
  tid: string;
  claims?: JWTPayload;
  /** Signing key (default the endpoint's own). */
  key?: CryptoKey;
  kid?: string;
  iss?: string;
  aud?: string;
  exp?: string | number;
  nbf?: string | number;
  /** false: leave out the default scp claim. */
  scope?: string | false;
}

export interface TestIdp {
  /** The authority host, e.g. http://127.0.0.1:1234 ("/<tenant>/discovery/v2.0/keys" and "/common/discovery/v2.0/keys" below it, the same keys, as Entra). */
  host: string;
  token(o: TokenOptions): Promise<string>;
  /** Every request's URL the endpoint was asked, in order (how often keys were fetched, and where). */
  requests: string[];
  close(): Promise<void>;
}

export async function startIdp(): Promise<TestIdp> {
  const pair = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.method === 'GET' && /^\/([0-9a-f-]{36}|common)\/discovery\/v2\.0\/keys$/i.test(req.url ?? '')) {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    requests,
    async token(o) {
      let t = new SignJWT({
        tid: o.tid, oid: 'user-1', name: 'Karen Jensen', ...(o.scope === false ? {} : { scp: o.scope ?? 'access_as_user' }), ...o.claims,
      }).setProtectedHeader({ alg: 'RS256', kid: o.kid ?? 'k1' })
        .setIssuer(o.iss ?? `${host}/${o.tid}/v2.0`).setAudience(o.aud ?? AUDIENCE)
        .setIssuedAt().setExpirationTime(o.exp ?? '1h');
      if (o.nbf !== undefined) t = t.setNotBefore(o.nbf);
      return t.sign(o.key ?? pair.privateKey);
    },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** Brevdue in production mode (no simulators, no demo user) trusting the stand-in endpoint. */
export function startProductionBrevdue(idp: TestIdp, extra: Partial<StartOptions> & { groupRoles?: Record<string, 'admin' | 'operator' | 'reader'>; defaultRole?: 'reader' | 'none' } = {}): Promise<Brevdue> {
  const { groupRoles, defaultRole, ...rest } = extra;
  return startBrevdue({
    dataDir: null, demo: false, seed: false, runJobs: false, kek: Buffer.alloc(32, 7).toString('base64'),
    // An operator who allows every organisation any mailbox and team (DESTINATIONS_ALLOWED); without it a
    // production server delivers nowhere (tests/integration/destination-allowlist.test.ts).
    destinationsAllowed: { '*': { mailDomains: ['*'], teams: ['*'] } },
    production: {
      graphBaseUrl: 'http://127.0.0.1:9/', tenantId: '00000000-0000-4000-8000-000000000001', clientId: CLIENT_ID, clientSecret: 'x',
      apiAudience: AUDIENCE, authorityHost: idp.host, groupRoles, defaultRole,
    },
    ...rest,
  });
}
