// npm run bench:ingest — how fast letters get from provider mailboxes into Brevdue's database.
// 300 CVR numbers with a Digital Post mailbox each; 30,000 letters of 50 KB–2 MB (log-uniform).
// The backend runs bundled as production runs it (npm run build:backend; BENCH_BACKEND=tsx for the sources) as its own processes (BENCH_WORKERS, default 1; 2 measured slower here, see docs/PERFORMANCE.md) against a PostgreSQL server (BENCH_DATABASE_URL, default the
// local server), the NgDP simulator in another; memory and CPU are the backend's alone.
// Phase 1 (throughput): letters arrive faster than they can be taken, the simulator's backlog held
//   near 1,000 so the simulator's memory stays bounded; letters_per_s = stored / elapsed.
// Phase 2 (latency, pull): letters at half the measured throughput (at most 20/s); latency = stored time − time it appeared.
// Phase 3 (latency, push): letters posted to the push endpoint as NgDP does; latency = answer time.
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { openDatabase } from '../backend/src/store/db';
import { createSealer } from '../backend/src/crypto/envelope';
import { organisations } from '../backend/src/store/schema';
import { addCvr, addMailbox } from '../backend/src/store/organisation';
import { providerUrlPolicy } from '../backend/src/ingest/provider-urls';
import { DEMO_NGDP_CREDENTIAL } from '../backend/src/simulators/ngdp';
import { backendScript, cpuSeconds, memoryMb, percentile, startNode } from './lib/procs';

const CVRS = Number(process.env.BENCH_CVRS ?? 300);
const LETTERS = Number(process.env.BENCH_LETTERS ?? 30_000);
const LATENCY_LETTERS = Math.min(1500, Math.floor(LETTERS * 0.05));
const THROUGHPUT_LETTERS = LETTERS - 2 * LATENCY_LETTERS;
const POLL_INTERVAL_MS = Number(process.env.BENCH_POLL_MS ?? 1000);
/** Backend processes sharing the database, as in production scale-out (each takes jobs from agenda). */
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (s: string) => process.stderr.write(`[bench:ingest] ${s}\n`);

function cvrNumbers(n: number): string[] {
  const w = [2, 7, 6, 5, 4, 3, 2];
  const out: string[] = [];
  for (let base = 3_000_000; out.length < n; base += 7) {
    const d = String(base).padStart(7, '0').split('').map(Number);
    const r = d.reduce((s, x, i) => s + x * w[i], 0) % 11;
    const check = (11 - r) % 11;
    if (check < 10 && d[0] !== 0) out.push(d.join('') + check);
  }
  return out;
}

async function main() {
  const dbName = `brevdue_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const u = new URL(serverUrl); u.pathname = `/${dbName}`;
  const databaseUrl = u.toString();
  const kek = randomBytes(32).toString('base64');
  const cleanup: (() => Promise<void>)[] = [async () => { await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`); await admin.end(); }];
  try {
    const sim = await startNode('bench/lib/ngdp-sim-process.ts', {});
    cleanup.unshift(sim.stop);
    const database = await openDatabase({ databaseUrl });
    const sealer = createSealer(Buffer.from(kek, 'base64'));
    const [org] = await database.db.insert(organisations).values({ name: 'Bench A/S' }).returning();
    const cvrs = cvrNumbers(CVRS);
    for (const cvr of cvrs) {
      await addCvr(database.db, org.id, { cvr, name: `Selskab ${cvr} ApS` });
      await addMailbox(database.db, sealer, org.id, cvr, {
        provider: 'ngdp',
        config: { baseUrl: `${sim.url}/sim/ngdp/apis/v1`, systemUsername: DEMO_NGDP_CREDENTIAL.username },
        credentials: { systemPassword: DEMO_NGDP_CREDENTIAL.password },
      }, providerUrlPolicy({ ngdp: [`${sim.url}/sim/ngdp/apis/v1`] })); // the simulator's address is allowed here
    }
    say(`${CVRS} CVR numbers with a Digital Post mailbox each`);

    const thumbprint = ((await (await fetch(`${sim.url}/bench/cert`)).json()) as { thumbprint: string }).thumbprint;
    const backends = [];
    const script = backendScript();
    say(`backend: ${script}`);
    for (let w = 0; w < WORKERS; w++) {
      const b = await startNode(script, {
        NGDP_PUSH_CLIENT_CERT_SOURCE: 'header', NGDP_PUSH_CLIENT_CERT_HEADER: 'azure-app-service', NGDP_PUSH_ALLOWED_THUMBPRINTS: thumbprint,
        BREVDUE_MODE: 'production', DATABASE_URL: databaseUrl, BREVDUE_KEK: kek, PORT: '0', NGDP_ALLOWED_BASE_URLS: `${sim.url}/sim/ngdp/apis/v1`,
        ENTRA_TENANT_ID: '00000000-0000-4000-8000-000000000000', ENTRA_CLIENT_ID: 'bench', ENTRA_CLIENT_SECRET: 'bench-not-used', POLL_INTERVAL_MS: String(POLL_INTERVAL_MS),
      }, /"url":"(http[^"]+)"/, process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []);
      cleanup.unshift(b.stop);
      backends.push(b);
    }
    say(`${WORKERS} backend process(es)`);
    const backend = backends[0];
    const pids = backends.map((b) => b.proc.pid!);
    const cpuAll = () => pids.reduce((t, p) => t + cpuSeconds(p), 0);
    const rssAll = () => pids.reduce((t, p) => t + memoryMb(p).rss, 0);
    const cpu0 = cpuAll();
    let rssPeak = rssAll();
    // Peak per phase too (stderr), to tell a burst's memory from the steady state's.
    let phase = 'start';
    const phasePeak: Record<string, number> = {};
    const sampler = setInterval(() => {
      try {
        const now = rssAll();
        rssPeak = Math.max(rssPeak, now);
        phasePeak[phase] = Math.max(phasePeak[phase] ?? 0, now);
      } catch { /* exited */ }
    }, 250);

    const count = async () => Number((await database.pool.query('SELECT count(*)::int AS n FROM messages')).rows[0].n);
    const post = (path: string, body: unknown) => fetch(sim.url + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const waitingAtSim = async () => ((await (await fetch(`${sim.url}/bench/waiting?cvrs=${cvrs.join(',')}`)).json()) as { waiting: number }).waiting;

    // Phase 1: throughput
    phase = 'throughput';
    say(`phase 1: ${THROUGHPUT_LETTERS} letters, backlog held near 1,000`);
    let injected = 0;
    const t0 = Date.now();
    let lastReport = t0;
    while (true) {
      const stored = await count();
      if (stored >= THROUGHPUT_LETTERS) break;
      if (injected < THROUGHPUT_LETTERS && (await waitingAtSim()) < 800) {
        const n = Math.min(200, THROUGHPUT_LETTERS - injected);
        await post('/bench/fill', { cvrs, count: n });
        injected += n;
      } else {
        await sleep(200);
      }
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        say(`${stored} stored, ${((stored / (Date.now() - t0)) * 1000).toFixed(0)} letters/s, backend RSS ${rssAll().toFixed(0)} MB`);
      }
    }
    const lettersPerS = (THROUGHPUT_LETTERS / (Date.now() - t0)) * 1000;

    // Phase 2: pull latency at a steady rate below capacity (half the measured throughput, at most
    // 20/s), so it measures the path, not a queue.
    const rate = Math.max(1, Math.min(20, lettersPerS / 2));
    phase = 'pull';
    say(`phase 2: ${LATENCY_LETTERS} letters at ${rate.toFixed(1)}/s, pull`);
    const before = await count();
    for (let i = 0; i < LATENCY_LETTERS; i++) {
      await post('/bench/fill', { cvrs, count: 1 });
      await sleep(1000 / rate);
    }
    while ((await count()) < before + LATENCY_LETTERS) await sleep(200);
    const injectedAt = (await (await fetch(`${sim.url}/bench/injected`)).json()) as Record<string, number>;
    const rows = (await database.pool.query('SELECT memo_uuid, extract(epoch from received_at) * 1000 AS at FROM messages ORDER BY received_at DESC LIMIT $1', [LATENCY_LETTERS])).rows;
    const pull = rows.map((r) => Number(r.at) - injectedAt[r.memo_uuid]).filter((x) => Number.isFinite(x));

    // Phase 3: push latency (the answer NgDP waits for comes after the durable store)
    phase = 'push';
    const push = await pushLatencies(backend.url, sim.url, cvrs, LATENCY_LETTERS, rate);

    clearInterval(sampler);
    say(`peak RSS by phase (MB): ${Object.entries(phasePeak).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
    const cpu = cpuAll() - cpu0;
    await database.close();
    const figures: [string, number | string][] = [
      ['letters_per_s', lettersPerS.toFixed(1)],
      ['latency_p50_ms_push', push.length ? percentile(push, 50).toFixed(0) : 'n/a'],
      ['latency_p95_ms_push', push.length ? percentile(push, 95).toFixed(0) : 'n/a'],
      ['latency_p95_ms_pull', percentile(pull, 95).toFixed(0)],
      ['peak_rss_mb', rssPeak.toFixed(0)], // all backend processes together, sampled every 250 ms
      ['cpu_s', cpu.toFixed(1)],
    ];
    for (const [k, v] of figures) process.stdout.write(`${k}: ${v}\n`);
  } finally {
    for (const c of cleanup) await c().catch(() => undefined);
  }
}

/** `n` letters pushed at `rate` per second; each latency is until our 200, i.e. stored. */
async function pushLatencies(backendUrl: string, simUrl: string, cvrs: string[], n: number, rate: number): Promise<number[]> {
  say(`phase 3: ${n} letters at ${rate.toFixed(1)}/s, push`);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const batch = await Promise.all(Array.from({ length: 1 }, async () => {
      const r = await fetch(`${simUrl}/bench/push`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ url: `${backendUrl}/ngdp/push`, cvr: cvrs[Math.floor(Math.random() * cvrs.length)] }),
      });
      return (await r.json()) as { status: number; ms: number; error?: string };
    }));
    for (const b of batch) {
      if (b.status !== 200) throw new Error(`push answered ${b.status}: ${b.error}`);
      out.push(b.ms);
    }
    await sleep(1000 / rate);
  }
  return out;
}

main().then(() => process.exit(0), (e) => { process.stderr.write(`bench:ingest failed: ${(e as Error).stack}\n`); process.exit(1); });
