// npm run bench:pipeline — the whole path end to end: a letter appears in a Digital Post mailbox,
// Brevdue fetches, stores, routes and delivers it to a shared mailbox through Microsoft Graph.
//
// Set-up: a fresh database on the PostgreSQL server (BENCH_DATABASE_URL, default the local one;
// created and dropped here); one organisation with BENCH_CVRS (300) CVR numbers, each with a Digital
// Post mailbox polled every BENCH_POLL_MS (1,000 ms), and BENCH_MAILBOXES (50) shared mailboxes: 50
// rules, each sending the letters of 6 of the CVR numbers to one mailbox. The NgDP simulator
// (bench/lib/ngdp-sim-process.ts: letters of 50 KB–2 MB log-uniform, mean ≈ 0.5 MB of document,
// ≈ 0.7 MB of MeMo, as bench:ingest) and the Graph simulator (bench/lib/graph-sim-process.ts:
// Graph's own limits — 4 concurrent, 10,000 requests per 10 min, 150 MB of uploads per 5 min per
// mailbox — and BENCH_LATENCY_MS, 200 ms, per request) run in processes of their own. Brevdue runs
// in this process, composed as in production (startBrevdue, demo off; the engine's Graph client and
// pacer are the production ones with the simulator's static token, since Entra cannot be reached).
//
// Phase 1 (throughput): BENCH_LETTERS (2,000) letters, the provider's backlog held near 300;
//   letters_per_s = letters ÷ (last deliveredAt − first letter appeared).
// Phase 2 (latency): BENCH_LATENCY_LETTERS (300) letters at half the phase-1 rate (at most 20/s), so
//   it measures the path, not a queue; latency = deliveredAt − the time the letter appeared at the
//   provider (the simulator's clock; same machine).
// Prints, last: letters_per_s, latency_p95_ms; details on `#` lines before.
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { startBrevdue, type Brevdue } from '../backend/src/app';
import { createGraphClient, staticToken } from '../backend/src/delivery/graph-client';
import { createSealer } from '../backend/src/crypto/envelope';
import { DEMO_NGDP_CREDENTIAL } from '../backend/src/simulators/ngdp';
import { destinations, organisations, rules } from '../backend/src/store/schema';
import { addCvr, addMailbox } from '../backend/src/store/organisation';
import { providerUrlPolicy } from '../backend/src/ingest/provider-urls';
import { cpuSeconds, percentile, startNode, type Child } from './lib/procs';

const CVRS = Number(process.env.BENCH_CVRS ?? 300);
const MAILBOXES = Number(process.env.BENCH_MAILBOXES ?? 50);
const LETTERS = Number(process.env.BENCH_LETTERS ?? 2000);
const LATENCY_LETTERS = Number(process.env.BENCH_LATENCY_LETTERS ?? 300);
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 1000);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const BACKLOG = 300;
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 1800);
const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SIM_TOKEN = 'bench-graph-token';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (s: string) => process.stderr.write(`[bench:pipeline] ${s}\n`);
/** Information for the reader, on stdout before the figures (never `name: value`). */
const note = (s: string) => process.stdout.write(`# ${s}\n`);

function cvrNumbers(n: number): string[] {
  const w = [2, 7, 6, 5, 4, 3, 2];
  const out: string[] = [];
  for (let base = 3_000_000; out.length < n; base += 7) {
    const d = String(base).padStart(7, '0').split('').map(Number);
    const check = (11 - (d.reduce((s, x, i) => s + x * w[i], 0) % 11)) % 11;
    if (check < 10 && d[0] !== 0) out.push(d.join('') + check);
  }
  return out;
}

/** CPU seconds of all local PostgreSQL server processes. */
function postgresCpu(): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') total += cpuSeconds(Number(pid));
    } catch { /* gone */ }
  }
  return total;
}

async function main() {
  const cleanup: (() => Promise<void>)[] = [];
  const dbName = `brevdue_bench_pipeline_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  cleanup.push(async () => { await sleep(200); await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`); await admin.end(); });
  const u = new URL(SERVER); u.pathname = `/${dbName}`;
  const kek = randomBytes(32).toString('base64');
  // DROP … WITH (FORCE) ends connections the stopped engine may have left; their 57P01 is ours.
  process.on('uncaughtException', (e) => {
    if ((e as { code?: string }).code === '57P01') return;
    process.stderr.write(`bench:pipeline failed: ${e.stack}\n`);
    process.exit(1);
  });
  try {
    const sims: Child[] = [];
    const ngdp = await startNode('bench/lib/ngdp-sim-process.ts', {});
    sims.push(ngdp);
    cleanup.unshift(ngdp.stop);
    const graph = await startNode('bench/lib/graph-sim-process.ts', { GRAPH_SIM_LATENCY_MS: String(LATENCY_MS), GRAPH_SIM_TOKEN: SIM_TOKEN });
    sims.push(graph);
    cleanup.unshift(graph.stop);
    process.once('exit', () => { for (const s of sims) s.proc.kill('SIGKILL'); });

    const app: Brevdue = await startBrevdue({
      demo: false, port: 0, databaseUrl: u.toString(), kek, runJobs: false, pollIntervalMs: POLL_MS, processEveryMs: 50,
      deliveryConcurrency: CONCURRENCY, providerBaseUrls: { ngdp: [`${ngdp.url}/sim/ngdp/apis/v1`] },
      destinationsAllowed: { '*': { mailDomains: ['pipeline.example'], teams: [] } }, // the bench's mailboxes (DESTINATIONS_ALLOWED)
      production: { graphBaseUrl: `${graph.url}/sim/graph/`, tenantId: '00000000-0000-4000-8000-000000000000', clientId: 'bench-pipeline', clientSecret: 'not-used' },
    });
    cleanup.unshift(() => app.stop());
    app.ctx.graph = createGraphClient({ baseUrl: `${graph.url}/sim/graph/`, tokens: staticToken(SIM_TOKEN), pacer: app.ctx.pacer });

    // The organisation: CVR numbers with a Digital Post mailbox each, shared mailboxes, rules.
    const { db } = app.database;
    const sealer = createSealer(Buffer.from(kek, 'base64'));
    const [org] = await db.insert(organisations).values({ name: 'Pipeline A/S' }).returning();
    const cvrs = cvrNumbers(CVRS);
    for (const cvr of cvrs) {
      await addCvr(db, org.id, { cvr, name: `Selskab ${cvr} ApS` });
      await addMailbox(db, sealer, org.id, cvr, {
        provider: 'ngdp',
        config: { baseUrl: `${ngdp.url}/sim/ngdp/apis/v1`, systemUsername: DEMO_NGDP_CREDENTIAL.username },
        credentials: { systemPassword: DEMO_NGDP_CREDENTIAL.password },
      }, providerUrlPolicy({ ngdp: [`${ngdp.url}/sim/ngdp/apis/v1`] })); // the simulator's address is allowed here
    }
    const shared = Array.from({ length: MAILBOXES }, (_, i) => `postkasse-${String(i + 1).padStart(2, '0')}@pipeline.example`);
    const r = await fetch(`${graph.url}/bench/mailboxes`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ mailboxes: shared.map((m) => ({ id: m, displayName: m.split('@')[0] })) }),
    });
    if (!r.ok) throw new Error(`adding mailboxes to the Graph simulator: ${r.status}`);
    for (const [i, mailbox] of shared.entries()) {
      const [dest] = await db.insert(destinations).values({ orgId: org.id, kind: 'shared_mailbox', displayName: `Afdeling ${i + 1}`, mailbox, folderPath: 'Digital Post' }).returning();
      const mine = cvrs.filter((_, j) => j % MAILBOXES === i);
      await db.insert(rules).values({ orgId: org.id, name: `Selskaber til afdeling ${i + 1}`, priority: 100 + i, conditions: { any: mine.map((cvr) => ({ recipientCvr: cvr })) }, destinationIds: [dest.id] });
    }
    await app.jobs.start(app.ctx);
    const polled = await app.jobs.scheduleAllPolling(app.ctx);
    say(`${CVRS} CVR numbers (${polled} mailboxes polled every ${POLL_MS} ms) → ${MAILBOXES} shared mailboxes`);

    const q = async (text: string, params?: unknown[]) => (await app.database.pool.query(text, params)).rows;
    const post = (path: string, body: unknown) => fetch(ngdp.url + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const waiting = async () => ((await (await fetch(`${ngdp.url}/bench/waiting?cvrs=${cvrs.join(',')}`)).json()) as { waiting: number }).waiting;
    const delivered = async () => Number((await q(`SELECT count(*)::int AS n FROM deliveries WHERE status = 'delivered'`))[0].n);
    const injectedAt = async () => (await (await fetch(`${ngdp.url}/bench/injected`)).json()) as Record<string, number>;
    /** Waits until `n` deliveries are delivered in all (every letter has one), saying how it goes. */
    const until = async (n: number, label: string) => {
      const t0 = Date.now();
      let lastSay = 0;
      for (;;) {
        const d = await delivered();
        if (d >= n) return;
        const [s] = await q(`SELECT count(*)::int AS letters, count(*) FILTER (WHERE status = 'triage')::int AS triage,
          (SELECT count(*)::int FROM deliveries WHERE status = 'dead') AS dead FROM messages`);
        if (Number(s.triage) + Number(s.dead) > 0) throw new Error(`${label}: ${s.triage} letters in triage, ${s.dead} dead deliveries — every letter should be delivered`);
        if (Date.now() - lastSay > 10_000) { lastSay = Date.now(); say(`${label}: ${s.letters} stored, ${d} delivered`); }
        if (Date.now() - t0 > TIMEOUT_S * 1000) throw new Error(`${label}: ${d}/${n} delivered after ${TIMEOUT_S} s`);
        await sleep(250);
      }
    };

    const cpu0 = process.cpuUsage();
    const pg0 = postgresCpu();
    const sim0 = sims.reduce((t, s) => t + cpuSeconds(s.proc.pid!), 0);
    const wall0 = Date.now();

    // Phase 1: throughput, with the provider's backlog held near BACKLOG.
    say(`phase 1: ${LETTERS} letters, backlog at the provider held near ${BACKLOG}`);
    let injected = 0;
    let lastSay = Date.now();
    while (injected < LETTERS) {
      if ((await waiting()) < BACKLOG) {
        const n = Math.min(50, LETTERS - injected);
        await post('/bench/fill', { cvrs, count: n });
        injected += n;
      } else {
        await sleep(100);
      }
      if (Date.now() - lastSay > 10_000) { lastSay = Date.now(); say(`phase 1: ${injected} injected, ${await delivered()} delivered`); }
    }
    await until(LETTERS, 'phase 1');
    const at1 = await injectedAt();
    const first = Math.min(...Object.values(at1));
    const [{ last }] = await q(`SELECT extract(epoch FROM max(delivered_at)) * 1000 AS last FROM deliveries WHERE status = 'delivered'`);
    const phase1S = (Number(last) - first) / 1000;
    const lettersPerS = LETTERS / phase1S;
    const phase1 = await latencies(q, at1, new Set(Object.keys(at1)));

    // Phase 2: latency below capacity.
    const rate = Math.max(1, Math.min(20, lettersPerS / 2));
    say(`phase 2: ${LATENCY_LETTERS} letters at ${rate.toFixed(1)}/s`);
    const before = new Set(Object.keys(at1));
    const t2 = Date.now();
    for (let i = 0; i < LATENCY_LETTERS; i++) {
      await post('/bench/fill', { cvrs, count: 1 });
      const next = t2 + ((i + 1) * 1000) / rate;
      await sleep(Math.max(0, next - Date.now()));
    }
    await until(LETTERS + LATENCY_LETTERS, 'phase 2');
    const at2 = await injectedAt();
    const phase2 = new Set(Object.keys(at2).filter((k) => !before.has(k)));
    const phase2Stages = await latencies(q, at2, phase2);
    const lat = phase2Stages.total;

    const wallS = (Date.now() - wall0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const engineCpu = (cpu.user + cpu.system) / 1e6;
    const pgCpu = postgresCpu() - pg0;
    const simCpu = sims.reduce((t, s) => t + cpuSeconds(s.proc.pid!), 0) - sim0;

    // Exactly once, and nothing left behind.
    const copies = (await (await fetch(`${graph.url}/bench/copies`)).json()) as Record<string, string[]>;
    const perId = new Map<string, number>();
    for (const ids of Object.values(copies)) for (const id of ids) perId.set(id, (perId.get(id) ?? 0) + 1);
    const ids = (await q(`SELECT id FROM deliveries WHERE status = 'delivered'`)).map((x) => String(x.id));
    const duplicates = [...perId.values()].reduce((n, c) => n + Math.max(0, c - 1), 0) + ids.filter((id) => !perId.has(id)).length;
    const stats = (await (await fetch(`${graph.url}/bench/stats`)).json()) as { requests: number; throttled429: number; faulted429: number };
    const [sizes] = await q(`SELECT avg(s)::float8 AS avg, max(s)::float8 AS max FROM (SELECT sum(size) AS s FROM documents GROUP BY message_id) x`);
    const leftAtProvider = await waiting();

    note(`bench:pipeline ${new Date().toISOString()}, node ${process.version}; PostgreSQL server, a fresh database`);
    note(`${CVRS} CVR numbers with a Digital Post mailbox each (poll every ${POLL_MS} ms) → ${MAILBOXES} rules → ${MAILBOXES} shared mailboxes; deliveryConcurrency ${CONCURRENCY}`);
    note(`letters: 50 KB–2 MB of document, log-uniform (measured: mean ${(Number(sizes.avg) / 1024).toFixed(0)} KB, max ${(Number(sizes.max) / 1024).toFixed(0)} KB per letter)`);
    note(`Graph simulator: Graph's limits (4 concurrent, 10,000 requests / 10 min, 150 MB / 5 min per mailbox), ${LATENCY_MS} ms per request; ${stats.requests} requests, ${stats.throttled429 + stats.faulted429} answered 429`);
    note(`phase 1: ${LETTERS} letters in ${phase1S.toFixed(1)} s from the first appearing to the last delivered; provider to delivered p50 ${percentile(phase1.total, 50).toFixed(0)} ms, p95 ${percentile(phase1.total, 95).toFixed(0)} ms (a backlog: queueing included)`);
    note(`  stages: ${stages(phase1)}`);
    note(`phase 2: ${LATENCY_LETTERS} letters at ${rate.toFixed(1)}/s: latency p50 ${percentile(lat, 50).toFixed(0)} ms, p95 ${percentile(lat, 95).toFixed(0)} ms, max ${Math.max(...lat).toFixed(0)} ms`);
    note(`  stages: ${stages(phase2Stages)}`);
    note(`CPU over both phases (${wallS.toFixed(0)} s): engine ${engineCpu.toFixed(0)} s (${((engineCpu / wallS) * 100).toFixed(0)} % of a core), PostgreSQL ${pgCpu.toFixed(0)} s (${((pgCpu / wallS) * 100).toFixed(0)} %), simulators ${simCpu.toFixed(0)} s (${((simCpu / wallS) * 100).toFixed(0)} %)`);
    note(`duplicates ${duplicates}, dead 0, triage 0, left at the provider ${leftAtProvider}`);
    const figures: [string, string][] = [
      ['letters', String(LETTERS + LATENCY_LETTERS)],
      ['duplicates', String(duplicates)],
      ['latency_p50_ms', percentile(lat, 50).toFixed(0)],
      ['letters_per_s', lettersPerS.toFixed(1)],
      ['latency_p95_ms', percentile(lat, 95).toFixed(0)],
    ];
    for (const [k, v] of figures) process.stdout.write(`${k}: ${v}\n`);
  } finally {
    for (const c of cleanup) await c().catch((e) => say(`cleanup: ${(e as Error).message}`));
  }
}

interface Stages { total: number[]; stored: number[]; routed: number[]; delivered: number[] }

/** Provider → delivered, ms, for the letters whose MeMo UUIDs are in `uuids`, and its stages:
 * appeared → stored (received_at), stored → routed (the delivery row's creation), routed → delivered. */
async function latencies(q: (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>, at: Record<string, number>, uuids: Set<string>): Promise<Stages> {
  const rows = await q(`SELECT m.memo_uuid::text AS uuid, extract(epoch FROM m.received_at) * 1000 AS stored,
      extract(epoch FROM min(d.created_at)) * 1000 AS routed, extract(epoch FROM min(d.delivered_at)) * 1000 AS delivered
    FROM messages m JOIN deliveries d ON d.message_id = m.id AND d.status = 'delivered' WHERE m.memo_uuid = ANY($1::uuid[])
    GROUP BY m.memo_uuid, m.received_at`, [[...uuids]]);
  const s: Stages = { total: [], stored: [], routed: [], delivered: [] };
  for (const r of rows) {
    const t0 = at[String(r.uuid)];
    s.total.push(Number(r.delivered) - t0);
    s.stored.push(Number(r.stored) - t0);
    s.routed.push(Number(r.routed) - Number(r.stored));
    s.delivered.push(Number(r.delivered) - Number(r.routed));
  }
  return s;
}

const stages = (s: Stages) => (['stored', 'routed', 'delivered'] as const)
  .map((k) => `${k === 'stored' ? 'appeared → stored' : k === 'routed' ? 'stored → routed' : 'routed → delivered'} p50 ${percentile(s[k], 50).toFixed(0)} / p95 ${percentile(s[k], 95).toFixed(0)} ms`).join('; ');

main().then(() => process.exit(0), (e) => { process.stderr.write(`bench:pipeline failed: ${(e as Error).stack}\n`); process.exit(1); });
