// Brevdue's backend as an OS process of its own, for benchmarks that kill it (bench:crash).
// Production composition (startBrevdue, demo off: no in-process simulators, no demo seed, the
// organisation and mailboxes are the database's), with one difference: Graph tokens come from Entra,
// which cannot be reached here, so the Graph client is the same client and pacer as in production
// with the simulator's static bearer token. The job runner starts only after that swap, so no
// job ever sees the other client.
//   node --import tsx bench/lib/brevdue-process.ts
// Env: DATABASE_URL, BREVDUE_KEK, GRAPH_URL (the simulator's Graph root, …/sim/graph/), GRAPH_TOKEN,
// POLL_INTERVAL_MS (1000), PROCESS_EVERY_MS (200), DELIVERY_CONCURRENCY (32), BENCH_VERBOSE (log to stderr).
// Prints "READY <url>" once jobs run; SIGTERM stops it gracefully (app.stop()).
import { startBrevdue } from '../../backend/src/app';
import { createGraphClient, staticToken } from '../../backend/src/delivery/graph-client';

const need = (k: string) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is required`);
  return v;
};

const app = await startBrevdue({
  demo: false, port: 0, databaseUrl: need('DATABASE_URL'), kek: need('BREVDUE_KEK'), runJobs: false,
  pollIntervalMs: Number(process.env.POLL_INTERVAL_MS ?? 1000), processEveryMs: Number(process.env.PROCESS_EVERY_MS ?? 200),
  deliveryConcurrency: Number(process.env.DELIVERY_CONCURRENCY ?? 32),
  providerBaseUrls: { ngdp: [need('NGDP_URL')] }, // the simulator's address (ingest/provider-urls.ts)
  destinationsAllowed: { '*': { mailDomains: ['nordlys.example'], teams: [] } }, // the bench's mailboxes (delivery/registry/allowed.ts)
  production: { graphBaseUrl: need('GRAPH_URL'), tenantId: '00000000-0000-4000-8000-000000000000', clientId: 'bench-crash', clientSecret: 'not-used' },
  log: process.env.BENCH_VERBOSE ? (line) => process.stderr.write(`${line}\n`) : undefined,
});
app.ctx.graph = createGraphClient({ baseUrl: need('GRAPH_URL'), tokens: staticToken(need('GRAPH_TOKEN')), pacer: app.ctx.pacer });
await app.jobs.start(app.ctx);
await app.jobs.scheduleAllPolling(app.ctx);
process.stdout.write(`READY ${app.url}\n`);

process.on('SIGTERM', () => {
  const force = setTimeout(() => process.exit(1), 15_000);
  force.unref();
  void app.stop().finally(() => process.exit(0));
});
