// npm run bench:deliver — how close the delivery engine comes to Microsoft Graph's per-mailbox
// ceiling, and whether it stays exactly-once on the way.
//
// Two runs, each on a fresh database and a fresh Graph simulator, Brevdue started in this process
// (startBrevdue: demo mode, no seed letters, job runner started only once the letters are stored):
//   "1 mailbox":   BENCH_LETTERS (5,000) letters to the demo organisation's 4 CVR numbers, whose
//                  catch-all rules all lead to folders of ONE shared mailbox (digitalpost@nordlys.example);
//   "N mailboxes": BENCH_LETTERS letters to BENCH_MAILBOXES (50) further CVR numbers, each with a
//                  catch-all rule to its own shared mailbox (100 letters per mailbox).
// Letters are the realistic demo letters (generateDemoLetters: pdf-lib PDFs, some with attachments),
// stored as ingest stores them (documentTexts + storeLetter: with their documents' text) while the job
// runner is stopped, so storing (and ingest's text extraction) cannot be what limits the measurement. Then the runner starts; its route scheduler finds every stored letter
// in the route queue, and routing and delivery run at full speed. The mailbox folders are made
// before the clock starts (steady state: they exist after a mailbox's first letter).
//
// The ceiling, in deliveries per second per mailbox, is the simulator's:
//   min( requestsPerWindow / windowSeconds                      Graph: 10,000 / 600 s = 16.7/s
//        maxConcurrent / latency                                4 / 0.2 s (BENCH_LATENCY_MS) = 20/s
//        uploadBytesPerWindow / uploadWindowSeconds / bytes     150 MB / 300 s / ≈ 3 KB of attachments ≈ 170/s )
//   / Graph requests per delivery                               1: one create with the attachments inline
// (the engine looks its copy up only after an uncertain outcome; folder ids are cached). The latency
// is simulated per request and holds one of the mailbox's 4 slots, so 4/latency is the most 4 slots
// can carry; at 200 ms (a realistic create-with-attachments time) it is 20/s, above the request window's
// 16.7/s, so the window is the binding limit wherever it can bind. A window term counts only when the
// run can fill the window: a mailbox that gets fewer requests (bytes) than one window admits is never
// held back by it. So the 1-mailbox run (5,000 requests) is bound by the request window (16.7/s); the
// 50-mailbox run (100 requests per mailbox, under the 500 a 30 s window admits) by concurrency/latency
// only: 20/s per mailbox, 1,000/s in all.
//
// Windows are scaled (BENCH_WINDOW_S, default 30 s): Graph's rates are kept and its windows shortened,
// in the simulator (500 requests and 15 MB per 30 s) and in the engine's pacing alike (495 requests and
// 14.8 MB per 30 s: Brevdue keeps a 1 % margin under Graph's limits). With Graph's real 10-minute window
// 5,000 requests fit under 10,000 and the window would never bind in a 5-minute run; a 30 s window binds
// after the first 30 s, so the run measures the sustained rate. BENCH_WINDOW_S=600 uses the real windows.
//
// Figures (the last lines, `name: value`):
//   ceiling_fraction_1_mailbox     delivered / (last deliveredAt − first 'routed' event) / ceiling
//   ceiling_fraction_50_mailboxes  delivered / (last deliveredAt − first 'routed' event) / mailboxes / ceiling
//   throttled_429                  429s the simulator answered (its limits + injected faults; none injected), both runs
//   duplicates                     mailbox messages beyond the first per delivery id + deliveries 'delivered' with no copy
//   dead_letters                   deliveries with status 'dead', both runs
//   routed_to_delivered_p95_ms     a letter's 'routed' event to its delivery's deliveredAt, p95 over all letters
//                                  (with the whole backlog routed at once this includes the wait in the queue)
//
// Knobs: BENCH_LETTERS (5000 per run), BENCH_MAILBOXES (50), BENCH_LATENCY_MS (200), BENCH_WINDOW_S (30),
// BENCH_PROCESS_EVERY_MS (agenda's polling, 1000 as in production),
// BENCH_CONCURRENCY (delivery jobs at once; default 32 for the 1-mailbox run, since one mailbox takes
// 4 in flight + 32 waiting in the pacer, and 128 for the spread run), BENCH_DATABASE_URL (a PostgreSQL
// server: a temporary database per run; otherwise PGlite in memory), BENCH_GRAPH_SIM (process: the
// simulator in its own process, bench/lib/graph-sim-process.ts, the default; inproc: startBrevdue's
// own), BENCH_CASES (1,N: which runs), BENCH_TIMEOUT_S (per run, 1200), BENCH_VERBOSE (engine log to
// stderr), BENCH_CPU_PROF=dir (a CPU profile of each measured phase), BENCH_COUNT_STATEMENTS=1 (diagnosis: statements per letter
// by kind), BENCH_PREROUTE=1 (diagnosis:
// route all letters before the runner starts, so the measured phase is delivery alone; the rate is
// then taken from the runner's start and routed→delivered includes the wait).
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { and, eq } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../backend/src/app';
import { generateDemoLetters, DEMO_ORGANISATION } from '../backend/src/demo/letters';
import { DEMO_SHARED_MAILBOX, DEMO_SYSTEM } from '../backend/src/demo/seed';
import { documentRows, storeLetter, type MailboxRef } from '../backend/src/store/letters';
import { documentTexts } from '../backend/src/routing/document-text';
import { routeStoredLetter } from '../backend/src/routing/apply';
import { buildMemoXml } from '../backend/src/memo/build';
import { cvrNumbers, destinations, mailboxes, rules } from '../backend/src/store/schema';
import { redactUrl } from '../backend/src/store/db';
import { ensureFolder, joinFolderPath } from '../backend/src/delivery/mailbox';
import { createGraphClient, staticToken } from '../backend/src/delivery/graph-client';
import { DELIVERY_ID_PROPERTY } from '../backend/src/delivery/render';
import { GRAPH_MAILBOX_LIMITS, type PacerLimits } from '../backend/src/delivery/pacing/pacer';
import { DEFAULT_GRAPH_LIMITS, type GraphLimits, type GraphStats } from '../backend/src/simulators/graph';
import { cpuSeconds, percentile, startNode } from './lib/procs';

const LETTERS = Number(process.env.BENCH_LETTERS ?? 5000);
const MAILBOXES = Number(process.env.BENCH_MAILBOXES ?? 50);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 200);
const WINDOW_S = Number(process.env.BENCH_WINDOW_S ?? 30);
// Production's (app.ts): agenda now runs only housekeeping (receipts, notices, retention, statistics);
// polling, routing and delivery are woken by their own claim loops, so a faster agenda only adds queries.
const PROCESS_EVERY_MS = Number(process.env.BENCH_PROCESS_EVERY_MS ?? 1000);
// Delivery jobs at once, per run: one hot mailbox takes at most 4 in flight + 32 queued in the pacer
// (more are bounced with "come back in 1 s", which costs a whole job each); 50 mailboxes want more.
const CONCURRENCY_1 = Number(process.env.BENCH_CONCURRENCY ?? 32);
const CONCURRENCY_N = Number(process.env.BENCH_CONCURRENCY ?? 128);
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF || undefined;
/** Diagnosis: route every letter before the runner starts, so the measured phase is delivery alone. */
const PREROUTE = !!process.env.BENCH_PREROUTE;
/** Diagnosis: count the statements sent to the database during each measured phase, by kind. */
const COUNT_STATEMENTS = !!process.env.BENCH_COUNT_STATEMENTS;
const statementCounts = new Map<string, number>();
if (COUNT_STATEMENTS) {
  // Every pooled connection is a pg.Client: drizzle, agenda and transactions all send through this.
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const q = args[0] as string | { text?: string };
    const text = (typeof q === 'string' ? q : q?.text ?? '').replace(/\s+/g, ' ').trim();
    const key = text.slice(0, 70);
    statementCounts.set(key, (statementCounts.get(key) ?? 0) + 1);
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
}
const DATABASE_URL = process.env.BENCH_DATABASE_URL || undefined;
const SIM_MODE = (process.env.BENCH_GRAPH_SIM ?? 'process') as 'process' | 'inproc';
const CASES = (process.env.BENCH_CASES ?? '1,N').split(',').map((s) => s.trim().toUpperCase());
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 1200);
const VERBOSE = !!process.env.BENCH_VERBOSE;
const SIM_TOKEN = 'bench-graph-token';

// Graph's ratios, shorter windows (see the top). Request and upload windows are scaled alike.
const REAL_REQUEST_WINDOW_S = DEFAULT_GRAPH_LIMITS.windowMs / 1000; // 600
const REAL_UPLOAD_WINDOW_S = DEFAULT_GRAPH_LIMITS.uploadWindowMs / 1000; // 300
const scaled = WINDOW_S !== REAL_REQUEST_WINDOW_S;
const SIM_LIMITS: GraphLimits = {
  ...DEFAULT_GRAPH_LIMITS,
  ...(scaled ? {
    requestsPerWindow: Math.round(DEFAULT_GRAPH_LIMITS.requestsPerWindow * WINDOW_S / REAL_REQUEST_WINDOW_S),
    windowMs: WINDOW_S * 1000,
    uploadBytesPerWindow: Math.round(DEFAULT_GRAPH_LIMITS.uploadBytesPerWindow * WINDOW_S / REAL_UPLOAD_WINDOW_S),
    uploadWindowMs: WINDOW_S * 1000,
  } : {}),
};
const PACING: PacerLimits = {
  ...GRAPH_MAILBOX_LIMITS,
  ...(scaled ? {
    requestsPerWindow: Math.round(GRAPH_MAILBOX_LIMITS.requestsPerWindow * WINDOW_S / (GRAPH_MAILBOX_LIMITS.windowMs / 1000)),
    windowMs: WINDOW_S * 1000,
    uploadBytesPerWindow: Math.round(GRAPH_MAILBOX_LIMITS.uploadBytesPerWindow * WINDOW_S / (GRAPH_MAILBOX_LIMITS.uploadWindowMs / 1000)),
    uploadWindowMs: WINDOW_S * 1000,
  } : {}),
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (s: string) => process.stderr.write(`[bench:deliver] ${s}\n`);
/** Information for the reader, on stdout before the figures (lines start with '#', never `name: value`). */
const note = (s: string) => process.stdout.write(`# ${s}\n`);
const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

// ---------------------------------------------------------------------------------------------
// The Graph simulator: in its own process (default) or the one startBrevdue makes.

interface SimHandle {
  addMailboxes(list: { id: string; displayName: string }[]): Promise<void>;
  stats(): Promise<GraphStats>;
  /** Per mailbox, the delivery id of each message that carries one. */
  copies(): Promise<Record<string, string[]>>;
  /** CPU seconds of the simulator's own process (0 in process with the engine). */
  cpu(): number;
}

async function startSimProcess(cleanup: (() => Promise<void>)[]): Promise<SimHandle & { url: string }> {
  const child = await startNode('bench/lib/graph-sim-process.ts', {
    GRAPH_SIM_LIMITS: JSON.stringify(SIM_LIMITS), GRAPH_SIM_LATENCY_MS: String(LATENCY_MS), GRAPH_SIM_TOKEN: SIM_TOKEN,
  });
  cleanup.push(child.stop);
  process.once('exit', () => { child.proc.kill('SIGKILL'); }); // never outlive the bench, even when it fails
  // Keep the end of its stderr: if it dies, say why.
  let tail = '';
  child.proc.stderr!.on('data', (d: Buffer) => { tail = (tail + d.toString()).slice(-4000); });
  child.proc.once('exit', (code, signal) => { if (code !== 0 && signal !== 'SIGTERM') say(`the Graph simulator process exited (${code ?? signal}):\n${tail}`); });
  // The driver's own look-ups; retried, since a pooled connection the simulator has just closed fails once.
  const get = async <T>(path: string): Promise<T> => {
    for (let i = 0; ; i++) {
      try { return (await (await fetch(child.url + path)).json()) as T; } catch (e) { if (i >= 3) throw e; await sleep(200); }
    }
  };
  return {
    url: child.url,
    async addMailboxes(list) {
      const r = await fetch(`${child.url}/bench/mailboxes`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ mailboxes: list }) });
      if (!r.ok) throw new Error(`adding mailboxes to the Graph simulator: ${r.status} ${await r.text()}`);
    },
    stats: () => get<GraphStats>('/bench/stats'),
    copies: () => get<Record<string, string[]>>('/bench/copies'),
    cpu: () => { try { return cpuSeconds(child.proc.pid!); } catch { return 0; } },
  };
}

function inProcessSim(app: Brevdue): SimHandle {
  const api = app.sims!.graph.api;
  api.setFaults({ latencyMs: LATENCY_MS });
  const prop = DELIVERY_ID_PROPERTY.toLowerCase();
  return {
    async addMailboxes(list) {
      const have = new Set(api.mailboxes().map((m) => m.userPrincipalName.toLowerCase()));
      for (const m of list) if (!have.has(m.id.toLowerCase())) api.addMailbox({ id: m.id, displayName: m.displayName, kind: 'shared' });
    },
    stats: async () => api.stats(),
    copies: async () => Object.fromEntries(api.mailboxes().map((m) => [m.userPrincipalName, api.messages(m.userPrincipalName)
      .map((x) => x.extendedProperties.find((p) => p.id.toLowerCase() === prop)?.value).filter((v): v is string => !!v)])),
    cpu: () => 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Databases: PGlite in memory, or a temporary database on a PostgreSQL server.

/**
 * CPU seconds of each local PostgreSQL server process, by pid (empty when there are none, or with PGlite).
 * Compare two readings with postgresCpuSince: a plain sum went negative when a process (a pooled
 * connection closed when idle) ended between the readings.
 */
function postgresCpu(): Map<number, number> {
  const out = new Map<number, number>();
  if (!DATABASE_URL) return out;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') out.set(Number(pid), cpuSeconds(Number(pid)));
    } catch { /* gone */ }
  }
  return out;
}

/** CPU used since `before` by the processes alive now (those that ended meanwhile are not counted: a lower bound). */
function postgresCpuSince(before: Map<number, number>): number {
  let total = 0;
  for (const [pid, cpu] of postgresCpu()) total += cpu - (before.get(pid) ?? 0);
  return total;
}

async function freshDatabase(cleanup: (() => Promise<void>)[]): Promise<string | undefined> {
  if (!DATABASE_URL) return undefined;
  const name = `brevdue_bench_deliver_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  cleanup.push(async () => {
    // The engine has stopped; a connection it left behind is ended by FORCE (its 57P01 is expected, see main).
    await sleep(200);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });
  const u = new URL(DATABASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

// ---------------------------------------------------------------------------------------------
// Where letters go

interface Target { cvr: string; name: string; mailbox: MailboxRef; destMailbox: string; folderPath: string }

/** The demo organisation: 4 CVR numbers, each routed by its catch-all rule to a folder of the one shared mailbox. */
async function demoTargets(app: Brevdue): Promise<Target[]> {
  const out: Target[] = [];
  for (const c of DEMO_ORGANISATION.cvrs) {
    const [row] = await app.database.db.select().from(mailboxes)
      .where(and(eq(mailboxes.orgId, app.demoOrgId!), eq(mailboxes.cvr, c.cvr), eq(mailboxes.provider, 'ngdp')));
    out.push({ cvr: c.cvr, name: c.name, mailbox: row, destMailbox: DEMO_SHARED_MAILBOX, folderPath: joinFolderPath(['Digital Post', c.name]) });
  }
  return out;
}

/** `n` more CVR numbers in the demo organisation, each with a catch-all rule to its own shared mailbox. */
async function spreadTargets(app: Brevdue, n: number): Promise<Target[]> {
  const { db } = app.database;
  const orgId = app.demoOrgId!;
  const out: Target[] = [];
  for (const [i, cvr] of benchCvrs(n).entries()) {
    const nn = String(i + 1).padStart(2, '0');
    const name = `Nordlys Datter ${nn} ApS`;
    await db.insert(cvrNumbers).values({ orgId, cvr, name });
    // Paused, so not polled: letters are stored directly (a poll of its unreachable address would only fail and back off).
    const [row] = await db.insert(mailboxes).values({
      orgId, cvr, provider: 'ngdp', paused: true, config: { baseUrl: 'http://127.0.0.1:9/unused', systemUsername: DEMO_SYSTEM.username, mode: 'pull' },
      secretEnc: app.ctx.sealer.seal(JSON.stringify({ systemPassword: DEMO_SYSTEM.password })),
    }).returning();
    const destMailbox = `postkasse-${nn}@nordlys.example`;
    const [dest] = await db.insert(destinations).values({ orgId, kind: 'shared_mailbox', displayName: `${name} – Digital Post`, mailbox: destMailbox, folderPath: 'Digital Post' }).returning();
    await db.insert(rules).values({ orgId, name: `Alt til ${name}`, priority: 100 + i, conditions: { recipientCvr: cvr }, destinationIds: [dest.id] });
    out.push({ cvr, name, mailbox: row, destMailbox, folderPath: 'Digital Post' });
  }
  return out;
}

/** Valid CVR numbers (modulus 11), none of them the demo organisation's. */
function benchCvrs(n: number): string[] {
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

/** Generates and stores `count` demo letters round-robin over the targets (in chunks, 4 stores at a time). */
async function storeLetters(app: Brevdue, targets: Target[], count: number, seed: number): Promise<void> {
  const byCvr = new Map(targets.map((t) => [t.cvr, t]));
  const recipients = targets.map((t) => ({ cvr: t.cvr, name: t.name }));
  const CHUNK = 500;
  let stored = 0;
  let lastSay = Date.now();
  for (let done = 0; done < count; done += CHUNK) {
    const letters = await generateDemoLetters({ recipients, count: Math.min(CHUNK, count - done), seed: seed + done });
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < letters.length) {
        const memo = letters[next++];
        // As ingest stores a letter (ingest/accept.ts): with its documents' text, extracted while the bytes are in memory.
        const texts = await documentTexts(documentRows(memo));
        const r = await storeLetter(app.database.db, app.ctx.sealer, byCvr.get(memo.recipient.id)!.mailbox, memo, Buffer.from(buildMemoXml(memo)), texts);
        if (!r.created) throw new Error(`letter ${memo.messageUUID} was stored already (MeMo UUIDs of two chunks collided)`);
        stored++;
      }
    }));
    if (Date.now() - lastSay > 5000) { lastSay = Date.now(); say(`  ${stored}/${count} stored`); }
  }
}

// ---------------------------------------------------------------------------------------------
// One run

interface Ceiling { perMailbox: number; text: string }

interface RunResult {
  label: string; mailboxes: number; letters: number; delivered: number; dead: number; triage: number; complete: boolean;
  seconds: number; perMailboxRate: number; ceiling: Ceiling; fraction: number;
  latencies: number[]; throttled: number; duplicates: number;
}

function ceilingOf(mailboxCount: number, letters: number, attachmentBytesPerDelivery: number): Ceiling {
  const perMailbox = letters / mailboxCount; // deliveries = requests (1 per delivery) per mailbox in this run
  const windowS = SIM_LIMITS.windowMs / 1000;
  const uploadS = SIM_LIMITS.uploadWindowMs / 1000;
  const requestsPerDelivery = 1;
  const terms: { name: string; rate: number; binds: boolean; text: string }[] = [
    {
      name: 'request window', rate: SIM_LIMITS.requestsPerWindow / windowS, binds: perMailbox * requestsPerDelivery > SIM_LIMITS.requestsPerWindow,
      text: `request window ${SIM_LIMITS.requestsPerWindow}/${windowS} s = ${(SIM_LIMITS.requestsPerWindow / windowS).toFixed(2)}/s`,
    },
    {
      name: 'concurrency', rate: SIM_LIMITS.maxConcurrentPerMailbox / (LATENCY_MS / 1000), binds: true,
      text: `concurrency ${SIM_LIMITS.maxConcurrentPerMailbox}/${LATENCY_MS / 1000} s = ${(SIM_LIMITS.maxConcurrentPerMailbox / (LATENCY_MS / 1000)).toFixed(2)}/s`,
    },
    {
      name: 'uploads', rate: SIM_LIMITS.uploadBytesPerWindow / uploadS / attachmentBytesPerDelivery,
      binds: perMailbox * attachmentBytesPerDelivery > SIM_LIMITS.uploadBytesPerWindow,
      text: `uploads ${mb(SIM_LIMITS.uploadBytesPerWindow)}/${uploadS} s ÷ ${Math.round(attachmentBytesPerDelivery)} B = ${(SIM_LIMITS.uploadBytesPerWindow / uploadS / attachmentBytesPerDelivery).toFixed(0)}/s`,
    },
  ];
  const binding = terms.filter((t) => t.binds);
  const rate = Math.min(...binding.map((t) => t.rate)) / requestsPerDelivery;
  const text = `min(${terms.map((t) => `${t.text}${t.binds ? '' : ' [cannot bind: the run stays under one window]'}`).join(', ')}) ÷ ${requestsPerDelivery} request per delivery = ${rate.toFixed(2)} deliveries/s per mailbox`;
  return { perMailbox: rate, text };
}

/** A CPU profile of the measured phase only (BENCH_CPU_PROF=dir): storing the letters is left out. */
async function profiler(name: string): Promise<() => Promise<void>> {
  if (!CPU_PROF_DIR) return async () => undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 1000 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(CPU_PROF_DIR, { recursive: true });
    const file = `${CPU_PROF_DIR}/deliver-${name}-${Date.now()}.cpuprofile`;
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
    say(`CPU profile of the measured phase: ${file}`);
  };
}

async function runCase(label: string, spread: number | null, seed: number, concurrency: number): Promise<RunResult> {
  const cleanup: (() => Promise<void>)[] = [];
  try {
    const databaseUrl = await freshDatabase(cleanup);
    const simProc = SIM_MODE === 'process' ? await startSimProcess(cleanup) : null;
    const app = await startBrevdue({
      demo: true, seed: false, dataDir: null, databaseUrl, processEveryMs: PROCESS_EVERY_MS, deliveryConcurrency: concurrency,
      pacing: PACING, graphSim: SIM_MODE === 'inproc' ? { limits: SIM_LIMITS } : undefined, runJobs: false,
      log: VERBOSE ? (line) => process.stderr.write(`${line}\n`) : undefined,
    });
    cleanup.unshift(() => app.stop());
    let sim: SimHandle;
    if (simProc) {
      // The engine's own Graph client and pacer, pointed at the simulator's process instead of the in-process one.
      app.ctx.graph = createGraphClient({ baseUrl: `${simProc.url}/sim/graph/`, tokens: staticToken(SIM_TOKEN), pacer: app.ctx.pacer });
      sim = simProc;
    } else {
      sim = inProcessSim(app);
    }

    const targets = spread === null ? await demoTargets(app) : await spreadTargets(app, spread);
    const destMailboxes = [...new Set(targets.map((t) => t.destMailbox))];
    await sim.addMailboxes(destMailboxes.map((m) => ({ id: m, displayName: m.split('@')[0] })));
    const where = spread === null
      ? `${targets.length} CVR numbers → ${targets.length} folders of ${DEMO_SHARED_MAILBOX}`
      : `${targets.length} CVR numbers → ${destMailboxes.length} shared mailboxes, ${Math.round(LETTERS / destMailboxes.length)} letters each`;

    say(`${label}: storing ${LETTERS} demo letters (${where}), job runner stopped`);
    const tStore = Date.now();
    await storeLetters(app, targets, LETTERS, seed);
    const storeS = (Date.now() - tStore) / 1000;
    const q = async (text: string, params?: unknown[]) => (await app.database.pool.query(text, params)).rows;
    const [bytes] = await q(`SELECT coalesce(sum(size), 0)::float8 AS b FROM documents WHERE role <> 'technical'`);
    const attachmentBytes = Number(bytes.b) / LETTERS;
    say(`${label}: stored in ${storeS.toFixed(0)} s (${(LETTERS / storeS).toFixed(0)} letters/s); ${Math.round(attachmentBytes)} B of attachments per letter`);

    if (PREROUTE) {
      // Routing as the route scheduler does it, without scheduling delivery jobs: the runner's start-up
      // sweep schedules one per pending delivery, as after a restart.
      const ids = (await q(`SELECT id FROM messages WHERE status = 'received'`)).map((r) => String(r.id));
      const noDelivery = { ...app.ctx, jobs: { ...app.ctx.jobs, deliverSoon: async () => undefined } };
      const tr = Date.now();
      let next = 0;
      await Promise.all(Array.from({ length: 4 }, async () => { while (next < ids.length) await routeStoredLetter(noDelivery, ids[next++]); }));
      note(`${label}: BENCH_PREROUTE: ${ids.length} letters routed before the runner started, in ${((Date.now() - tr) / 1000).toFixed(1)} s (${(ids.length / ((Date.now() - tr) / 1000)).toFixed(0)}/s, 4 at a time, no job overhead); measured from the runner's start`);
    }
    // Steady state: every destination folder exists and its id is cached, as after a mailbox's first letter.
    await Promise.all(destMailboxes.map(async (m) => {
      for (const t of targets.filter((x) => x.destMailbox === m)) await ensureFolder(app.ctx.graph, app.ctx.folders, { mailbox: t.destMailbox, folderPath: t.folderPath });
    }));
    const warm = await sim.stats();

    const elDelay = monitorEventLoopDelay({ resolution: 20 });
    elDelay.enable();
    const stopProfile = await profiler(label.replace(/\s+/g, '-'));
    statementCounts.clear();
    const cpu0 = process.cpuUsage();
    const simCpu0 = sim.cpu();
    const pgCpu0 = postgresCpu();
    const t0 = Date.now();
    say(`${label}: job runner started`);
    const starting = app.jobs.start(app.ctx); // its route scheduler takes the stored letters from the route queue
    let startErr: unknown = null;
    starting.catch((e) => { startErr = e; });

    let last = { t: t0, delivered: 0 };
    let lastSay = t0;
    let state = { delivered: 0, dead: 0, routed: 0, triage: 0 };
    let complete = false;
    while (true) {
      await sleep(1000);
      if (startErr) throw startErr;
      const [r] = await q(`SELECT count(*) FILTER (WHERE status = 'delivered')::int AS delivered, count(*) FILTER (WHERE status = 'dead')::int AS dead,
        count(*)::int AS routed, (SELECT count(*)::int FROM messages WHERE status = 'triage') AS triage FROM deliveries`);
      state = { delivered: Number(r.delivered), dead: Number(r.dead), routed: Number(r.routed), triage: Number(r.triage) };
      const now = Date.now();
      if (now - lastSay >= 5000) {
        const st = await sim.stats();
        say(`${label}: ${((now - t0) / 1000).toFixed(0)} s: ${state.routed} routed, ${state.delivered}/${LETTERS} delivered `
          + `(${(((state.delivered - last.delivered) / (now - last.t)) * 1000).toFixed(1)}/s in the last ${((now - last.t) / 1000).toFixed(0)} s), `
          + `${state.dead} dead, Graph 429s ${st.throttled429 + st.faulted429}`);
        last = { t: now, delivered: state.delivered };
        lastSay = now;
      }
      if (state.delivered + state.dead + state.triage >= LETTERS) { complete = true; break; }
      if (now - t0 > TIMEOUT_S * 1000) { say(`${label}: stopped after ${TIMEOUT_S} s (BENCH_TIMEOUT_S) with ${state.delivered} delivered`); break; }
    }
    await starting.catch(() => undefined);
    await stopProfile();
    if (COUNT_STATEMENTS) {
      const all = [...statementCounts].sort((a, b) => b[1] - a[1]);
      const total = all.reduce((t, [, n]) => t + n, 0);
      note(`${label}: ${total} statements, ${(total / LETTERS).toFixed(1)} per letter; the most frequent:`);
      for (const [k, n] of all.slice(0, 30)) note(`  ${(n / LETTERS).toFixed(2)}  ${k}`);
    }
    const wallS = (Date.now() - t0) / 1000;
    const cpuEngine = (() => { const c = process.cpuUsage(cpu0); return (c.user + c.system) / 1e6; })();
    const cpuSim = sim.cpu() - simCpu0;
    const cpuPg = postgresCpuSince(pgCpu0);
    elDelay.disable();

    const [span] = await q(`SELECT extract(epoch FROM (SELECT min(at) FROM events WHERE type = 'routed')) * 1000 AS first_routed,
      extract(epoch FROM (SELECT max(delivered_at) FROM deliveries WHERE status = 'delivered')) * 1000 AS last_delivered,
      extract(epoch FROM (SELECT min(delivered_at) FROM deliveries WHERE status = 'delivered')) * 1000 AS first_delivered`);
    const firstRouted = PREROUTE ? t0 : Number(span.first_routed);
    const lastDelivered = Number(span.last_delivered);
    const seconds = (lastDelivered - firstRouted) / 1000;
    const latencies = (await q(`SELECT extract(epoch FROM (d.delivered_at - e.at)) * 1000 AS ms FROM deliveries d
      JOIN events e ON e.message_id = d.message_id AND e.type = 'routed' WHERE d.status = 'delivered'`)).map((r) => Number(r.ms));
    const [att] = await q(`SELECT coalesce(sum(attempts), 0)::int AS attempts, count(*) FILTER (WHERE attempts > 1)::int AS retried FROM deliveries`);
    const delivered = (await q(`SELECT id FROM deliveries WHERE status = 'delivered'`)).map((r) => String(r.id));
    const failures = await q(`SELECT left(e.data->>'reason', 160) AS reason, count(*)::int AS n FROM events e
      WHERE e.type IN ('delivery_attempt', 'delivery_failed') GROUP BY 1 ORDER BY 2 DESC LIMIT 5`);

    const stats = await sim.stats();
    const copies = await sim.copies();
    const perId = new Map<string, number>();
    for (const ids of Object.values(copies)) for (const id of ids) perId.set(id, (perId.get(id) ?? 0) + 1);
    const extraCopies = [...perId.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
    const missing = delivered.filter((id) => !perId.has(id)).length;
    const throttled = stats.throttled429 + stats.faulted429;
    const requests = stats.requests - warm.requests;
    const paced = app.ctx.pacer.stats().reduce((n, l) => n + l.throttled, 0);

    const ceiling = ceilingOf(destMailboxes.length, LETTERS, attachmentBytes);
    const perMailboxRate = state.delivered / seconds / destMailboxes.length;
    const fraction = perMailboxRate / ceiling.perMailbox;
    const peak = Math.max(...Object.values(stats.mailboxes).map((m) => m.peakConcurrency));

    note(`${label}: ${LETTERS} letters (${where}), deliveryConcurrency ${concurrency}; ${state.delivered} delivered, ${state.dead} dead, ${state.triage} in triage${complete ? '' : ' — INCOMPLETE (timeout)'}`);
    note(`  stored first (${storeS.toFixed(0)} s, not measured); first 'routed' ${((firstRouted - t0) / 1000).toFixed(1)} s after the runner started; first delivered after ${((Number(span.first_delivered) - firstRouted) / 1000).toFixed(1)} s; last delivered ${seconds.toFixed(1)} s after the first routed (wall ${wallS.toFixed(0)} s)`);
    note(`  ceiling: ${ceiling.text}`);
    note(`  measured: ${(state.delivered / seconds).toFixed(2)} deliveries/s in all, ${perMailboxRate.toFixed(2)}/s per mailbox → ${fraction.toFixed(3)} of the ceiling`);
    note(`  Graph: ${requests} requests after the folder warm-up (${(requests / Math.max(1, state.delivered)).toFixed(3)} per delivery), ${throttled} answered 429 (${stats.throttled429} by limits, ${stats.faulted429} injected), peak ${peak} concurrent in one mailbox; the engine's pacer was told to wait ${paced} time(s)`);
    note(`  attempts: ${att.attempts} for ${LETTERS} deliveries (${att.retried} needed more than one); copies: ${extraCopies} extra, ${missing} delivered without a copy`);
    for (const f of failures) note(`  failed attempts (${f.n}×): ${f.reason}`);
    note(`  routed→delivered: p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms, max ${percentile(latencies, 100).toFixed(0)} ms`);
    note(`  CPU over the run: engine process ${cpuEngine.toFixed(1)} s (${((cpuEngine / wallS) * 100).toFixed(0)} % of one core)${SIM_MODE === 'process' ? `, simulator process ${cpuSim.toFixed(1)} s (${((cpuSim / wallS) * 100).toFixed(0)} %)` : ' (simulator included)'}${DATABASE_URL ? `, PostgreSQL server processes ${cpuPg.toFixed(1)} s (${((cpuPg / wallS) * 100).toFixed(0)} %)` : ''}; event-loop delay p99 ${(elDelay.percentile(99) / 1e6).toFixed(0)} ms, max ${(elDelay.max / 1e6).toFixed(0)} ms`);

    return {
      label, mailboxes: destMailboxes.length, letters: LETTERS, delivered: state.delivered, dead: state.dead, triage: state.triage, complete,
      seconds, perMailboxRate, ceiling, fraction, latencies, throttled, duplicates: extraCopies + missing,
    };
  } finally {
    for (const c of cleanup) await c().catch((e) => say(`cleanup: ${(e as Error).message}`));
  }
}

async function main() {
  const t0 = Date.now();
  // DROP DATABASE … WITH (FORCE) ends connections the stopped engine may have left open; their
  // "terminating connection due to administrator command" (57P01) is ours, not a failure.
  process.on('uncaughtException', (e) => {
    if ((e as { code?: string }).code === '57P01') return;
    process.stderr.write(`bench:deliver failed: ${e.stack}\n`);
    process.exit(1);
  });
  note(`bench:deliver ${new Date().toISOString()} — ${LETTERS} letters per run, node ${process.version}`);
  note(`database: ${DATABASE_URL ? `PostgreSQL server ${redactUrl(DATABASE_URL)} (a temporary database per run)` : 'PGlite in memory (set BENCH_DATABASE_URL for a PostgreSQL server)'}`);
  note(`Graph simulator: ${SIM_MODE === 'process' ? 'its own process (bench/lib/graph-sim-process.ts), so its CPU is not the engine\'s' : 'in the engine\'s process (startBrevdue graphSim)'}; latency ${LATENCY_MS} ms per request; no faults injected`);
  note(scaled
    ? `windows SCALED to ${WINDOW_S} s with Graph's ratios: simulator ${SIM_LIMITS.requestsPerWindow} requests and ${mb(SIM_LIMITS.uploadBytesPerWindow)} per ${WINDOW_S} s (Graph: 10,000 per 10 min, 150 MB per 5 min); engine pacing ${PACING.requestsPerWindow} and ${mb(PACING.uploadBytesPerWindow)} per ${WINDOW_S} s; 4 concurrent per mailbox`
    : `windows: Graph's real ones (10,000 requests per 10 min, 150 MB per 5 min); engine pacing ${PACING.requestsPerWindow} per 10 min`);
  note(`engine: processEveryMs ${PROCESS_EVERY_MS}, deliveryConcurrency ${CONCURRENCY_1} (1 mailbox) and ${CONCURRENCY_N} (${MAILBOXES} mailboxes)`);

  const results: RunResult[] = [];
  if (CASES.includes('1')) results.push(await runCase('1 mailbox', null, 1000, CONCURRENCY_1));
  const spread = CASES.includes('N') ? await runCase(`${MAILBOXES} mailboxes`, MAILBOXES, 500_000, CONCURRENCY_N) : null;
  if (spread) results.push(spread);
  const one = results.find((r) => r.mailboxes === 1 && r.label === '1 mailbox');

  const totalS = (Date.now() - t0) / 1000;
  note(`whole bench: ${totalS.toFixed(0)} s${totalS > 600 ? ' — over the 10 minutes aimed at; the defaults stay as specified' : ''}`);
  const all = results.flatMap((r) => r.latencies);
  const figures: [string, string][] = [
    ['ceiling_fraction_1_mailbox', one ? one.fraction.toFixed(3) : 'n/a'],
    ['ceiling_fraction_50_mailboxes', spread ? spread.fraction.toFixed(3) : 'n/a'],
    ['throttled_429', String(results.reduce((n, r) => n + r.throttled, 0))],
    ['duplicates', String(results.reduce((n, r) => n + r.duplicates, 0))],
    ['dead_letters', String(results.reduce((n, r) => n + r.dead, 0))],
    ['routed_to_delivered_p95_ms', all.length ? percentile(all, 95).toFixed(0) : 'n/a'],
  ];
  for (const [k, v] of figures) process.stdout.write(`${k}: ${v}\n`);
}

main().then(() => process.exit(0), (e) => {
  process.stderr.write(`bench:deliver failed: ${(e as Error).stack}${(e as Error).cause ? `\ncaused by: ${String((e as { cause: unknown }).cause)}` : ''}\n`);
  process.exit(1);
});
