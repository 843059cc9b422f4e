// npm run bench:crash — exactly once under SIGKILL. While BENCH_LETTERS (5,000) letters flow from
// the Digital Post simulator through Brevdue to the Graph simulator, the backend process is killed
// with SIGKILL at random moments (BENCH_KILLS, at least 20) and started again at once. At the end
// every letter must be in its destination mailbox exactly once, the provider must hold none, and
// the database must say the same.
//
// Processes: the driver (this file); the simulators in one process of their own that no kill
// touches (bench/lib/crash-sims-process.ts: the provider's letters and the mailboxes' messages live
// there); the backend in another (bench/lib/brevdue-process.ts: startBrevdue in production
// composition on a fresh PostgreSQL database, its Graph client pointed at the simulator), which is
// the only one killed. The organisation: the demo's 4 CVR numbers, each with a Digital Post
// mailbox (pull) and a rule sending everything to its own shared mailbox.
//
// Letters are the realistic demo letters (generateDemoLetters: PDFs, some attachments) with a tag
// "[crash n]" in the label, hence in the mail's subject: a copy in a mailbox is tied to its letter
// by the simulators alone, never through our database. They are made visible at the provider at an
// even rate over BENCH_INJECT_S seconds, while the kills come: each after a random delay
// (BENCH_MIN_GAP_S–BENCH_MAX_GAP_S) from the previous start, so some land during start-up and
// recovery, most while letters are fetched, routed and delivered. The state at each kill (stored,
// delivered, deliveries mid-attempt) is printed. After the last kill the backend runs until every
// letter is delivered and the provider is empty, or BENCH_TIMEOUT_S passes (then what is missing is
// printed); it is then stopped gracefully and the three sides are compared.
//
// Figures (the last lines, `name: value`):
//   expected          letters made visible at the provider
//   delivered         letters with at least one copy in the mailbox their rule names
//   lost              expected − delivered
//   duplicated        copies beyond the first, per letter, in any mailbox
//   left_at_provider  letters the provider still holds
//   db_disagreements  letters where the database disagrees with the mailboxes: not stored exactly
//                     once, not `delivered`, not exactly one delivery `delivered` whose Graph id is
//                     the copy carrying its delivery id, or more than one `delivered` event
//   kills             SIGKILLs of the backend
// Knobs: BENCH_LETTERS (5000), BENCH_KILLS (24), BENCH_INJECT_S (360), BENCH_MIN_GAP_S (1),
// BENCH_MAX_GAP_S (40), BENCH_TIMEOUT_S (900), BENCH_SEED (random; the kill delays), BENCH_GRAPH_LATENCY_MS
// (50), BENCH_DATABASE_URL (the local PostgreSQL server; a temporary database), BENCH_VERBOSE (the
// backend's log to stderr).
import pg from 'pg';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../backend/src/store/db';
import { createSealer } from '../backend/src/crypto/envelope';
import { destinations, organisations, rules } from '../backend/src/store/schema';
import { addCvr, addMailbox } from '../backend/src/store/organisation';
import { providerUrlPolicy } from '../backend/src/ingest/provider-urls';
import { DEMO_ORGANISATION } from '../backend/src/demo/letters';
import { DEMO_NGDP_CREDENTIAL } from '../backend/src/simulators/ngdp';
import { startNode } from './lib/procs';
import { mulberry32 } from '../shared/src/prng';

const LETTERS = Number(process.env.BENCH_LETTERS ?? 5000);
const KILLS = Number(process.env.BENCH_KILLS ?? 24);
const INJECT_S = Number(process.env.BENCH_INJECT_S ?? 360);
const MIN_GAP_S = Number(process.env.BENCH_MIN_GAP_S ?? 1);
const MAX_GAP_S = Number(process.env.BENCH_MAX_GAP_S ?? 40);
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 900);
const SEED = Number(process.env.BENCH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const GRAPH_LATENCY_MS = Number(process.env.BENCH_GRAPH_LATENCY_MS ?? 50);
const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const VERBOSE = !!process.env.BENCH_VERBOSE;
const GRAPH_TOKEN = 'bench-crash-graph-token';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const at = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
const say = (s: string) => process.stderr.write(`[bench:crash ${at()}] ${s}\n`);
/** Information for the reader, on stdout before the figures (never `name: value`). */
const note = (s: string) => process.stdout.write(`# ${s}\n`);

/** mulberry32: the kill delays are reproducible from BENCH_SEED. */
const random = mulberry32;

// ---------------------------------------------------------------------------------------------
// The simulators' process

interface Sims {
  url: string;
  post<T>(path: string, body: unknown): Promise<T>;
  get<T>(path: string): Promise<T>;
}

interface Copy { mailbox: string; folderPath: string; id: string; subject: string; deliveryId: string | null }
interface Provider { waiting: { cvr: string; id: string; fetched: number }[]; receipts: { memoId: string; status: string }[] }
interface Letter { seq: number; uuid: string; cvr: string }

async function startSims(cleanup: (() => Promise<void>)[]): Promise<Sims> {
  const child = await startNode('bench/lib/crash-sims-process.ts', { GRAPH_SIM_TOKEN: GRAPH_TOKEN, GRAPH_SIM_LATENCY_MS: String(GRAPH_LATENCY_MS) });
  process.once('exit', () => { child.proc.kill('SIGKILL'); });
  let tail = '';
  child.proc.stderr!.on('data', (d: Buffer) => { tail = (tail + d.toString()).slice(-4000); });
  let stopping = false;
  cleanup.push(async () => { stopping = true; await child.stop(); });
  child.proc.once('exit', (code, signal) => { if (!stopping) say(`the simulators' process exited (${code ?? signal}) — the bench cannot go on:\n${tail}`); });
  // A pooled connection the simulator has just closed fails once: retried.
  const req = async <T>(path: string, init?: RequestInit): Promise<T> => {
    for (let i = 0; ; i++) {
      try {
        const r = await fetch(child.url + path, init);
        if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
        return (await r.json()) as T;
      } catch (e) { if (i >= 3) throw e; await sleep(300); }
    }
  };
  return {
    url: child.url,
    get: (path) => req(path),
    post: (path, body) => req(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
  };
}

// ---------------------------------------------------------------------------------------------
// The backend's process, killed and started again

interface Backend { child: ChildProcess; spawnedAt: number; ready: Promise<string | null>; exited: Promise<string>; killedByUs: boolean }

function spawnBackend(env: Record<string, string>, onOwnExit: (why: string) => void): Backend {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/brevdue-process.ts'], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let tail = '';
  const b: Backend = {
    child, spawnedAt: Date.now(), killedByUs: false,
    ready: new Promise((resolve) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /READY (\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', () => resolve(null));
    }),
    exited: new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        const why = `${signal ?? `code ${code}`}`;
        if (!b.killedByUs) onOwnExit(`${why}; last output:\n${tail.slice(-1500)}`);
        resolve(why);
      });
    }),
  };
  child.stderr!.on('data', (d: Buffer) => {
    tail = (tail + d.toString()).slice(-4000);
    if (VERBOSE) process.stderr.write(d);
  });
  return b;
}

// ---------------------------------------------------------------------------------------------
// Set-up: a fresh database with the organisation, mailboxes, destinations and rules

async function freshDatabase(cleanup: (() => Promise<void>)[]): Promise<string> {
  const name = `brevdue_crash_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  cleanup.push(async () => { await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); await admin.end(); });
  const u = new URL(SERVER);
  u.pathname = `/${name}`;
  return u.toString();
}

/** The demo's CVR numbers, each polled from the simulator and routed by a rule to a shared mailbox of its own. */
async function setUp(database: Database, kek: string, sims: Sims): Promise<Map<string, string>> {
  const sealer = createSealer(Buffer.from(kek, 'base64'));
  const { db } = database;
  const [org] = await db.insert(organisations).values({ name: 'Nordlys Crash A/S' }).returning();
  const mailboxOf = new Map<string, string>();
  for (const [i, c] of DEMO_ORGANISATION.cvrs.entries()) {
    await addCvr(db, org.id, { cvr: c.cvr, name: c.name });
    await addMailbox(db, sealer, org.id, c.cvr, {
      provider: 'ngdp',
      config: { baseUrl: `${sims.url}/sim/ngdp/apis/v1`, systemUsername: DEMO_NGDP_CREDENTIAL.username },
      credentials: { systemPassword: DEMO_NGDP_CREDENTIAL.password },
    }, providerUrlPolicy({ ngdp: [`${sims.url}/sim/ngdp/apis/v1`] })); // the simulator's address is allowed here
    const mailbox = `post-${c.cvr}@nordlys.example`;
    const [dest] = await db.insert(destinations).values({ orgId: org.id, kind: 'shared_mailbox', displayName: `${c.name} – Digital Post`, mailbox, folderPath: 'Digital Post' }).returning();
    await db.insert(rules).values({ orgId: org.id, name: `Alt til ${c.name}`, priority: 100 + i, conditions: { recipientCvr: c.cvr }, destinationIds: [dest.id] });
    mailboxOf.set(c.cvr, mailbox);
  }
  await sims.post('/bench/mailboxes', { mailboxes: [...mailboxOf.values()].map((id) => ({ id, displayName: id.split('@')[0] })) });
  return mailboxOf;
}

// ---------------------------------------------------------------------------------------------

interface DbState { stored: number; received: number; delivered: number; open: number; leased: number; midAttempt: number; uncertain: number; dead: number }

/** deliver.ts's lease: a claim sets lease_until = now + 180 s, so leases beyond (process start + 180 s) are the running process's. */
const DELIVERY_LEASE_S = 180;

async function dbState(database: Database, since = Date.now()): Promise<DbState> {
  const [r] = (await database.pool.query(`SELECT
    (SELECT count(*)::int FROM messages) AS stored,
    (SELECT count(*)::int FROM messages WHERE status = 'received') AS received,
    (SELECT count(*)::int FROM messages WHERE status = 'delivered') AS delivered,
    (SELECT count(*)::int FROM deliveries WHERE status = 'pending') AS open,
    (SELECT count(*)::int FROM deliveries WHERE status = 'pending' AND lease_until > now()) AS leased,
    (SELECT count(*)::int FROM deliveries WHERE status = 'pending' AND lease_until > to_timestamp($1::float8 / 1000)) AS mid_attempt,
    (SELECT count(*)::int FROM deliveries WHERE status = 'pending' AND uncertain) AS uncertain,
    (SELECT count(*)::int FROM deliveries WHERE status = 'dead') AS dead`, [since + DELIVERY_LEASE_S * 1000])).rows as Record<string, number>[];
  return { stored: r.stored, received: r.received, delivered: r.delivered, open: r.open, leased: r.leased, midAttempt: r.mid_attempt, uncertain: r.uncertain, dead: r.dead };
}

async function main() {
  const cleanup: (() => Promise<void>)[] = [];
  let backend: Backend | null = null;
  process.once('exit', () => { backend?.child.kill('SIGKILL'); });
  try {
    note(`bench:crash ${new Date().toISOString()} — ${LETTERS} letters, ${KILLS} kills, seed ${SEED}, node ${process.version}`);
    const databaseUrl = await freshDatabase(cleanup);
    const sims = await startSims(cleanup);
    const database = await openDatabase({ databaseUrl }); // migrates
    cleanup.unshift(() => database.close());
    const kek = randomBytes(32).toString('base64');
    const mailboxOf = await setUp(database, kek, sims);
    say(`preparing ${LETTERS} demo letters in the simulators' process`);
    await sims.post('/bench/prepare', { recipients: DEMO_ORGANISATION.cvrs.map((c) => ({ cvr: c.cvr, name: c.name })), count: LETTERS, seed: SEED % 100_000 });

    const env = {
      DATABASE_URL: databaseUrl, BREVDUE_KEK: kek, GRAPH_URL: `${sims.url}/sim/graph/`, GRAPH_TOKEN, NGDP_URL: `${sims.url}/sim/ngdp/apis/v1`,
      ...(VERBOSE ? { BENCH_VERBOSE: '1' } : {}),
    };
    const ownExits: string[] = [];
    const start = () => spawnBackend(env, (why) => { ownExits.push(why); say(`the backend exited without being killed: ${why}`); });
    backend = start();
    if (!(await backend.ready)) throw new Error('the backend did not start');
    say('backend ready; letters start to arrive at the provider');
    const flowStart = Date.now();

    // Letters become visible at an even rate, in small batches, whatever the backend is doing.
    let injected = 0;
    const injecting = (async () => {
      const step = 500;
      while (injected < LETTERS) {
        const due = Math.min(LETTERS, Math.ceil(((Date.now() - flowStart) / 1000 / INJECT_S) * LETTERS));
        if (due > injected) {
          const r = await sims.post<{ injected: number }>('/bench/fill', { count: due - injected });
          injected += r.injected;
          if (r.injected === 0) break;
        }
        await sleep(step);
      }
    })();

    // The kills.
    const rnd = random(SEED);
    const killLog: string[] = [];
    let kills = 0;
    let startupKills = 0;
    let killsMidAttempt = 0;
    let attemptsCut = 0;
    let lastKillAt = Date.now();
    while (kills < KILLS) {
      const delayMs = (MIN_GAP_S + rnd() * (MAX_GAP_S - MIN_GAP_S)) * 1000;
      const wait = Math.max(0, backend.spawnedAt + delayMs - Date.now());
      const ended = await Promise.race([sleep(wait).then(() => false), backend.exited.then(() => true)]);
      if (ended) { backend = start(); continue; } // it died by itself (reported); start it and draw again
      const wasReady = await Promise.race([backend.ready.then((u) => !!u), sleep(0).then(() => false)]);
      const s = await dbState(database, backend.spawnedAt);
      backend.killedByUs = true;
      backend.child.kill('SIGKILL');
      await backend.exited;
      kills++;
      lastKillAt = Date.now();
      if (!wasReady) startupKills++;
      if (s.midAttempt > 0) { killsMidAttempt++; attemptsCut += s.midAttempt; }
      const line = `kill ${kills} at ${at()} (${(delayMs / 1000).toFixed(1)} s after its start${wasReady ? '' : ', still starting'}): `
        + `${injected} at the provider so far, ${s.stored} stored, ${s.received} not routed, ${s.delivered} delivered, ${s.open} deliveries open, ${s.midAttempt} of them mid-attempt in this process (${s.leased - s.midAttempt} still leased by killed ones)`;
      killLog.push(line);
      say(line);
      backend = start();
    }
    await injecting;
    say(`${kills} kills done; waiting for the flow to finish (at most ${TIMEOUT_S} s)`);

    // Wait for the end: everything delivered by the database's account and nothing at the provider.
    let complete = false;
    let lastSay = 0;
    let s = await dbState(database);
    let waitingAtProvider = -1;
    while (Date.now() - lastKillAt < TIMEOUT_S * 1000) {
      if (await Promise.race([backend.exited.then(() => true), sleep(0).then(() => false)])) backend = start();
      s = await dbState(database);
      waitingAtProvider = (await sims.get<Provider>('/bench/provider')).waiting.length;
      if (s.stored >= LETTERS && s.delivered >= LETTERS && s.open === 0 && waitingAtProvider === 0) { complete = true; break; }
      if (Date.now() - lastSay > 10_000) {
        lastSay = Date.now();
        say(`${s.stored}/${LETTERS} stored, ${s.delivered} delivered, ${s.open} deliveries open (${s.leased} leased, ${s.uncertain} uncertain), ${s.dead} dead, ${waitingAtProvider} at the provider`);
      }
      await sleep(1000);
    }
    const flowS = (Date.now() - flowStart) / 1000;
    const settleS = (Date.now() - lastKillAt) / 1000;
    if (complete) say(`complete ${settleS.toFixed(0)} s after the last kill`);
    else say(`NOT complete ${TIMEOUT_S} s after the last kill`);

    // Stop gracefully, so nothing moves while we count.
    backend.killedByUs = true;
    backend.child.kill('SIGTERM');
    const stopped = await Promise.race([backend.exited.then(() => true), sleep(20_000).then(() => false)]);
    if (!stopped) { backend.child.kill('SIGKILL'); await backend.exited; }
    backend = null;

    // ---- The three sides
    const letters = await sims.get<Letter[]>('/bench/letters');
    const copies = await sims.get<Copy[]>('/bench/copies');
    const provider = await sims.get<Provider>('/bench/provider');
    const bySeq = new Map(letters.map((l) => [l.seq, l]));
    const copiesOf = new Map<number, Copy[]>();
    let untagged = 0;
    for (const c of copies) {
      const seq = Number(/\[crash (\d+)\]/.exec(c.subject)?.[1]);
      if (!bySeq.has(seq)) { untagged++; continue; }
      copiesOf.set(seq, [...(copiesOf.get(seq) ?? []), c]);
    }
    let delivered = 0;
    let duplicated = 0;
    let misplaced = 0;
    const lostSeqs: number[] = [];
    const dupSeqs: number[] = [];
    for (const l of letters) {
      const cs = copiesOf.get(l.seq) ?? [];
      const right = cs.filter((c) => c.mailbox.toLowerCase() === mailboxOf.get(l.cvr)!.toLowerCase());
      misplaced += cs.length - right.length;
      if (right.length > 0) delivered++; else lostSeqs.push(l.seq);
      if (cs.length > 1) { duplicated += cs.length - 1; dupSeqs.push(l.seq); }
    }
    const folders = new Map<string, number>();
    for (const c of copies) folders.set(c.folderPath, (folders.get(c.folderPath) ?? 0) + 1);

    // The database's account of each letter.
    const rowsOf = async <T>(text: string) => (await database.pool.query(text)).rows as T[];
    const msgRows = await rowsOf<{ id: string; memo_uuid: string; status: string }>(`SELECT id, memo_uuid, status FROM messages`);
    const delRows = await rowsOf<{ id: string; message_id: string; status: string; graph_message_id: string | null; attempts: number; last_error: string | null }>(
      `SELECT id, message_id, status, graph_message_id, attempts, last_error FROM deliveries`);
    const evRows = await rowsOf<{ message_id: string; n: number }>(`SELECT message_id, count(*)::int AS n FROM events WHERE type = 'delivered' GROUP BY message_id`);
    const [{ n: quarantined }] = await rowsOf<{ n: number }>(`SELECT count(*)::int AS n FROM quarantine`);
    const msgsByUuid = new Map<string, typeof msgRows>();
    for (const m of msgRows) msgsByUuid.set(m.memo_uuid, [...(msgsByUuid.get(m.memo_uuid) ?? []), m]);
    const delsByMsg = new Map<string, typeof delRows>();
    for (const d of delRows) delsByMsg.set(d.message_id, [...(delsByMsg.get(d.message_id) ?? []), d]);
    const eventsByMsg = new Map(evRows.map((e) => [e.message_id, e.n]));
    const copyByDelivery = new Map<string, Copy[]>();
    for (const c of copies) if (c.deliveryId) copyByDelivery.set(c.deliveryId, [...(copyByDelivery.get(c.deliveryId) ?? []), c]);
    const why = new Map<string, number>();
    const disagree = (reason: string) => why.set(reason, (why.get(reason) ?? 0) + 1);
    let dbDisagreements = 0;
    for (const l of letters) {
      const reasons: string[] = [];
      const ms = msgsByUuid.get(l.uuid) ?? [];
      if (ms.length !== 1) reasons.push(`stored ${ms.length} times`);
      const m = ms[0];
      if (m) {
        if (m.status !== 'delivered') reasons.push(`letter status ${m.status}`);
        const ds = delsByMsg.get(m.id) ?? [];
        const done = ds.filter((d) => d.status === 'delivered');
        if (ds.length !== 1 || done.length !== 1) reasons.push(`${ds.length} deliveries, ${done.length} delivered`);
        for (const d of done) {
          const cs = copyByDelivery.get(d.id) ?? [];
          if (cs.length === 0) reasons.push('delivered without a copy carrying its delivery id');
          else if (!cs.some((c) => c.id === d.graph_message_id)) reasons.push('its Graph message id is not the copy\'s');
          if (cs.some((c) => !c.subject.includes(`[crash ${l.seq}]`))) reasons.push('its delivery id is on another letter\'s copy');
        }
        if ((eventsByMsg.get(m.id) ?? 0) > 1) reasons.push(`${eventsByMsg.get(m.id)} 'delivered' events`);
      }
      if (reasons.length) { dbDisagreements++; for (const r of reasons) disagree(r); }
    }
    const uuids = new Set(letters.map((l) => l.uuid));
    const deliveryIds = new Set(delRows.map((d) => d.id));
    const strangers = msgRows.filter((m) => !uuids.has(m.memo_uuid)).length;
    const orphanCopies = copies.filter((c) => c.deliveryId && !deliveryIds.has(c.deliveryId)).length;
    const receiptsPerLetter = provider.receipts.length / Math.max(1, letters.length);
    const attempts = delRows.reduce((n, d) => n + d.attempts, 0);
    const retried = delRows.filter((d) => d.attempts > 1).length;

    note(`database: PostgreSQL server, temporary database; backend in its own process (production composition, Graph client → simulator); simulators in one process that is never killed; Graph latency ${GRAPH_LATENCY_MS} ms per request`);
    note(`letters at the provider at an even rate over ${INJECT_S} s; kills after ${MIN_GAP_S}–${MAX_GAP_S} s (uniform, seed ${SEED}) from each start`);
    for (const l of killLog) note(l);
    note(`${kills} kills (${startupKills} while the backend was still starting; ${killsMidAttempt} with deliveries mid-attempt, ${attemptsCut} attempts cut off in all), ${ownExits.length} exits without a kill`);
    note(`flow: ${flowS.toFixed(0)} s from the first letter at the provider to the end; ${complete ? `complete ${settleS.toFixed(0)} s after the last kill` : `NOT complete ${TIMEOUT_S} s after the last kill`}`);
    if (!complete) {
      note(`missing at the end: ${LETTERS - s.stored} letters never stored, ${s.received} stored but not routed, ${s.open} deliveries open (${s.leased} leased, ${s.uncertain} uncertain), ${s.dead} dead, ${provider.waiting.length} at the provider`);
      const errs = new Map<string, number>();
      for (const d of delRows) if (d.status !== 'delivered' && d.last_error) errs.set(d.last_error.slice(0, 160), (errs.get(d.last_error.slice(0, 160)) ?? 0) + 1);
      for (const [e, n] of errs) note(`  open delivery's last error (${n}×): ${e}`);
    }
    note(`mailboxes: ${copies.length} messages (${[...folders].map(([f, n]) => `${n} in ${f}`).join(', ')}), ${misplaced} in another letter's mailbox, ${untagged} without a bench tag, ${orphanCopies} with a delivery id the database does not know`);
    note(`provider: ${provider.waiting.length} waiting, ${provider.receipts.length} receipts (${receiptsPerLetter.toFixed(2)} per letter; a letter fetched again after a kill before its receipt gets another)`);
    note(`database: ${msgRows.length} letters stored (${strangers} not from the bench), ${quarantined} quarantined, ${delRows.length} deliveries, ${attempts} attempts (${retried} deliveries needed more than one)`);
    for (const [r, n] of why) note(`  disagreement (${n}×): ${r}`);
    if (lostSeqs.length) note(`lost: ${lostSeqs.slice(0, 20).map((q) => `#${q} ${bySeq.get(q)!.uuid}`).join(', ')}${lostSeqs.length > 20 ? ', …' : ''}`);
    if (dupSeqs.length) note(`duplicated: ${dupSeqs.slice(0, 20).map((q) => `#${q} ${bySeq.get(q)!.uuid}`).join(', ')}${dupSeqs.length > 20 ? ', …' : ''}`);
    const ok = delivered === letters.length && duplicated === 0 && misplaced === 0 && provider.waiting.length === 0 && dbDisagreements === 0 && letters.length === LETTERS;
    note(ok ? 'every letter is in its mailbox exactly once, the provider holds none, and the database agrees'
      : 'EXACTLY ONCE DID NOT HOLD (see above)');

    const figures: [string, string | number][] = [
      ['expected', letters.length],
      ['delivered', delivered],
      ['lost', letters.length - delivered],
      ['duplicated', duplicated],
      ['left_at_provider', provider.waiting.length],
      ['db_disagreements', dbDisagreements],
      ['kills', kills],
    ];
    for (const [k, v] of figures) process.stdout.write(`${k}: ${v}\n`);
  } finally {
    if (backend) { backend.killedByUs = true; backend.child.kill('SIGKILL'); await backend.exited; }
    for (const c of cleanup) await c().catch((e) => say(`cleanup: ${(e as Error).message}`));
  }
}

main().then(() => process.exit(0), (e) => { process.stderr.write(`bench:crash failed: ${(e as Error).stack}\n`); process.exit(1); });
