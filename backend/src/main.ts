// `npm start`: runs Brevdue. Without configuration it runs the demo (embedded database, simulators).
import { readEnv } from './config';
import { startBrevdue } from './app';
import { ngdpPushSecurityFromEnv } from './ingest/ngdp/client-cert';

async function main() {
  const env = readEnv();
  const demo = env.BREVDUE_MODE === 'demo';
  if (!demo && (!env.ENTRA_TENANT_ID || !env.ENTRA_CLIENT_ID || !env.ENTRA_CLIENT_SECRET)) {
    throw new Error('Production mode needs ENTRA_TENANT_ID, ENTRA_CLIENT_ID and ENTRA_CLIENT_SECRET for Microsoft Graph (see README, Production configuration).');
  }
  const app = await startBrevdue({
    port: env.PORT, host: env.HOST, demo,
    databaseUrl: env.DATABASE_URL, dataDir: env.BREVDUE_DATA_DIR, kek: env.BREVDUE_KEK,
    pollIntervalMs: demo ? 2000 : env.POLL_INTERVAL_MS,
    ngdpPush: demo && !process.env.NGDP_PUSH_CLIENT_CERT_SOURCE ? undefined : ngdpPushSecurityFromEnv(process.env),
    log: (line) => process.stdout.write(line + '\n'),
    production: demo ? undefined : {
      graphBaseUrl: env.GRAPH_BASE_URL, tenantId: env.ENTRA_TENANT_ID!, clientId: env.ENTRA_CLIENT_ID!,
      clientSecret: env.ENTRA_CLIENT_SECRET, apiAudience: env.ENTRA_API_AUDIENCE,
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
