// `npm start`: runs Brevdue. Without configuration it runs the demo (embedded database, simulators).
import { readEnv, requireEntraApp } from './config';
import { startBrevdue } from './app';
import { ngdpPushSecurityFromEnv } from './ingest/ngdp/client-cert';
import { createLogger } from './log';
import { readFileSync } from 'node:fs';
import { loadGraphCredential, type GraphCertificate } from './delivery/graph-credentials';
import { keyVaultFromEnv, unwrapKekSettings } from './crypto/key-vault';

async function main() {
  const env = readEnv();
  const demo = env.BREVDUE_MODE === 'demo';
  const startLog = createLogger((line) => process.stdout.write(line + '\n'));

  // Production: the Entra app and exactly one credential (certificate preferred), checked before
  // anything starts. Warnings (a secret in use, a certificate close to expiry) go to the start log.
  let production: {
    graphBaseUrl: string; tenantId: string; clientId: string; apiAudience?: string;
    clientSecret?: string; certificate?: GraphCertificate;
    groupRoles?: Record<string, 'admin' | 'operator' | 'reader'>; requiredScope?: string; defaultRole?: 'reader' | 'none';
  } | undefined;
  if (!demo) {
    const entra = requireEntraApp(env);
    const loaded = loadGraphCredential(env);
    startLog.info(loaded.description);
    for (const w of loaded.warnings) startLog.warn(w);
    production = {
      graphBaseUrl: env.GRAPH_BASE_URL, ...entra, apiAudience: env.ENTRA_API_AUDIENCE,
      groupRoles: env.ENTRA_GROUP_ROLES, requiredScope: env.ENTRA_REQUIRED_SCOPE, defaultRole: env.ENTRA_DEFAULT_ROLE,
      ...(loaded.credential.kind === 'secret'
        ? { clientSecret: loaded.credential.clientSecret }
        : { certificate: loaded.credential.certificate }),
    };
  }

  const tls = env.TLS_CERT_PATH && env.TLS_KEY_PATH ? readTls(env.TLS_CERT_PATH, env.TLS_KEY_PATH) : undefined;
  // With AZURE_KEY_VAULT_KEY_ID the KEKs in the environment are wrapped: Key Vault unwraps them once, here.
  const keyVault = keyVaultFromEnv(process.env);
  const keks = await unwrapKekSettings({ kek: env.BREVDUE_KEK, previous: env.BREVDUE_KEK_PREVIOUS }, keyVault);
  if (keyVault.keyId) startLog.info('key-encryption keys unwrapped by Azure Key Vault', { keyId: keyVault.keyId });
  const app = await startBrevdue({
    port: env.PORT, host: env.HOST, demo, tls,
    databaseUrl: env.DATABASE_URL, dataDir: env.BREVDUE_DATA_DIR, kek: keks.kek, kekPrevious: keks.previous,
    pollIntervalMs: demo ? 2000 : env.POLL_INTERVAL_MS, pollConcurrency: env.POLL_CONCURRENCY,
    ngdpPush: demo && !process.env.NGDP_PUSH_CLIENT_CERT_SOURCE ? undefined : ngdpPushSecurityFromEnv(process.env),
    log: (line) => process.stdout.write(line + '\n'),
    production, metricsToken: process.env.METRICS_TOKEN || undefined,
    providerBaseUrls: { ngdp: env.NGDP_ALLOWED_BASE_URLS, eboks: env.EBOKS_ALLOWED_BASE_URLS, mitdk: env.MITDK_ALLOWED_BASE_URLS },
    destinationsAllowed: env.DESTINATIONS_ALLOWED,
    security: {
      allowedOrigins: env.ALLOWED_ORIGINS, ipLimit: env.RATE_LIMIT_IP_PER_MINUTE, pushLimit: env.RATE_LIMIT_PUSH_PER_MINUTE, userLimit: env.RATE_LIMIT_USER_PER_MINUTE,
      trustProxy: env.TRUST_PROXY,
    },
  });
  app.ctx.log.info('Brevdue listening', { url: app.url, mode: env.BREVDUE_MODE, database: app.database.kind });
  if (demo) {
    process.stdout.write([
      '',
      '  Brevdue is running in DEMO MODE: simulated Digital Post and Microsoft Graph, a demo user without sign-in.',
      `  Database: ${env.DATABASE_URL ? 'PostgreSQL server' : `embedded PGlite in ${env.BREVDUE_DATA_DIR}`}. Do not put real letters in it.`,
      '',
      `  Task pane:        ${app.url}/taskpane.html`,
      `  API health:       ${app.url}/api/health`,
      `  Simulated Exchange mailbox: ${app.url}/sim/graph/sim/mailboxes`,
      `  NgDP push:        ${app.url}/ngdp/push (multipart, part "file"; demo: no certificate check)`,
      `  Add a letter:     curl -X POST -H 'Content-Type: application/xml' --data-binary @letter.xml ${app.url}/sim/ngdp/<CVR>/memos`,
      '',
    ].join('\n') + '\n');
  }
  const shutdown = async (signal: string) => {
    process.stdout.write(`Received ${signal}, stopping…\n`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await app.stop().catch(() => undefined);
    process.exit(0); // agenda may keep timers alive; we have drained what matters
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((e: Error) => {
  process.stderr.write(`brevdue: ${e.message}\n`);
  process.exit(1);
});

function readTls(certPath: string, keyPath: string): { cert: Buffer; key: Buffer } {
  const read = (p: string, what: string) => {
    try { return readFileSync(p); } catch (e) { throw new Error(`Cannot read the TLS ${what} at ${p}: ${(e as Error).message}`); }
  };
  return { cert: read(certPath, 'certificate (TLS_CERT_PATH)'), key: read(keyPath, 'private key (TLS_KEY_PATH)') };
}
