// Stopping the job runner while agenda's lock query is in flight (jobs/graceful-stop.ts). agenda's
// own stop() returns before that query answers; the query then locks due jobs that nobody runs or
// unlocks, so they wait out their lock lifetime. The production shutdown failed this way in CI (a
// mailbox poll left locked). Here the lock query is held back until after the stop, every time.
import { Agenda } from 'agenda';
import { PostgresBackend } from '@agendajs/postgres-backend';
import { openDatabase, type Database, type PoolLike } from '../../backend/src/store/db';
import { stopAgenda } from '../../backend/src/jobs/graceful-stop';
import { silentLogger } from '../../backend/src/log';
import { eventually, testDatabases } from '../helpers/databases';

const JOB = 'probe';

/** A pool whose job-locking query waits for `release` before it goes to the database. */
function gatedPool(pool: PoolLike) {
  let arrived!: () => void;
  const lockQueryArrived = new Promise<void>((r) => { arrived = r; });
  let release!: () => void;
  const released = new Promise<void>((r) => { release = r; });
  const query: PoolLike['query'] = async (text, params) => {
    if (/FOR UPDATE SKIP LOCKED/.test(text) && /name = \$2/.test(text)) {
      arrived();
      await released;
    }
    return pool.query(text, params);
  };
  const gated: PoolLike = { ...pool, query, connect: pool.connect.bind(pool), end: pool.end.bind(pool), on: pool.on.bind(pool) };
  return { pool: gated, lockQueryArrived, release };
}

const agendaOn = (pool: PoolLike, name: string) => new Agenda({
  backend: new PostgresBackend({ pool: pool as never, ensureSchema: false, disableNotifications: true }),
  name, processEvery: 60_000, defaultLockLifetime: 10 * 60_000, removeOnComplete: true,
});

describe.each(testDatabases)('stopping agenda on $name', (tdb) => {
  let database: Database;
  let drop: () => Promise<void>;
  beforeEach(async () => {
    const d = await tdb.create();
    drop = d.drop;
    database = await openDatabase({ databaseUrl: d.databaseUrl, dataDir: null });
  });
  afterEach(async () => {
    await database?.close();
    await drop?.();
  });

  test('jobs locked by a lock query that answers after the stop are released, and a later process runs them all', async () => {
    const seed = agendaOn(database.pool, 'seed');
    for (let i = 0; i < 3; i++) await seed.schedule(new Date(Date.now() - 1000), JOB, { i });

    const gate = gatedPool(database.pool);
    const first = agendaOn(gate.pool, 'first');
    let ranInFirst = 0;
    first.define(JOB, async () => { ranInFirst++; });
    await first.start(); // its first scan sends the lock query, which waits at the gate
    await gate.lockQueryArrived;
    const stopping = stopAgenda(first, 5_000, silentLogger);
    setTimeout(gate.release, 200); // the lock query reaches the database after agenda.stop() returned
    const result = await stopping;

    expect(ranInFirst).toBe(0); // a stopped processor runs nothing
    expect(result.releasedLate).toBe(3); // the in-flight query, and its follow-ups, locked all three
    expect(result.stillRunning).toBe(0);
    const locked = await database.pool.query(`SELECT count(*)::int AS n FROM agenda_jobs WHERE name = '${JOB}' AND locked_at IS NOT NULL`);
    expect(locked.rows[0].n).toBe(0);

    // Nothing lost: the next process picks the three up at once (not after a lock lifetime).
    const second = agendaOn(database.pool, 'second');
    const ran: number[] = [];
    second.define(JOB, async (job) => { ran.push((job.attrs.data as { i: number }).i); });
    await second.start();
    try {
      await eventually(async () => ran.length === 3, 10_000, 'the released jobs to run in the next process');
      expect(ran.sort()).toEqual([0, 1, 2]);
    } finally {
      await stopAgenda(second, 5_000, silentLogger);
    }
  }, 30_000);

  test('a stop with nothing in flight releases nothing extra', async () => {
    const a = agendaOn(database.pool, 'idle');
    a.define(JOB, async () => undefined);
    await a.start();
    await eventually(async () => {
      const r = await database.pool.query(`SELECT count(*)::int AS n FROM agenda_jobs WHERE locked_at IS NOT NULL`);
      return r.rows[0].n === 0;
    }, 5_000, 'agenda to settle');
    const result = await stopAgenda(a, 5_000, silentLogger);
    expect(result).toEqual({ stillRunning: 0, releasedLate: 0 });
  });
});
