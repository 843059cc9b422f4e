// The assistant's persistence batches what it learns (triage/assistant-store.ts): counts summed in
// memory, written by flush (every second and at stop), a failed write kept for the next flush.
import { randomBytes, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { openDatabase, type Database } from '../../backend/src/store/db';
import { assistantCounts, organisations } from '../../backend/src/store/schema';
import { AssistantStore } from '../../backend/src/triage/assistant-store';
import { featuresOf } from '../../backend/src/assistant/features';
import { createSealer } from '../../backend/src/crypto/envelope';
import type { RoutingInput } from '../../backend/src/routing/types';
import { testDatabases } from '../helpers/databases';

const letter = (label: string): RoutingInput => ({
  provider: 'ngdp', senderId: '19552101', senderName: 'Skattestyrelsen', recipientCvr: '12345674', label,
  kle: [], caseIds: [], cprPresent: false, replyRequired: false, documentNames: ['Afgørelse.pdf'], documentText: 'Afgørelse om moms for 2. kvartal',
});

describe.each(testDatabases)('assistant persistence on $name', (tdb) => {
  let database: Database;
  let drop: () => Promise<void>;
  let orgId = '';
  const finance = randomUUID();
  const sealer = createSealer(randomBytes(32));
  beforeAll(async () => {
    const d = await tdb.create();
    drop = d.drop;
    database = await openDatabase({ databaseUrl: d.databaseUrl, dataDir: null });
    [{ id: orgId }] = await database.db.insert(organisations).values({ name: 'Læring A/S' }).returning();
  });
  afterAll(async () => {
    await database?.close();
    await drop?.();
  });

  const rows = () => database.db.select().from(assistantCounts).where(eq(assistantCounts.orgId, orgId));

  test('learning is summed in memory, written in one flush, and read back by a fresh store', async () => {
    const store = new AssistantStore(database.db, sealer);
    for (let i = 0; i < 3; i++) await store.learn(orgId, letter('Afgørelse om moms'), [finance], 'placement');
    expect(await rows()).toHaveLength(0); // not yet: the flush comes within a second, or now
    // The model in memory knows at once.
    expect((await store.suggest(orgId, letter('Moms'), [finance], new Map()))[0].destinationIds).toEqual([finance]);
    await store.flush();
    const written = await rows();
    expect(written.length).toBeGreaterThan(3);
    // The same three lessons written one by one (a flush after each) leave exactly the same counts.
    const [{ id: other }] = await database.db.insert(organisations).values({ name: 'Én ad gangen A/S' }).returning();
    const stepwise = new AssistantStore(database.db, sealer);
    for (let i = 0; i < 3; i++) {
      await stepwise.learn(other, letter('Afgørelse om moms'), [finance], 'placement');
      await stepwise.flush();
    }
    // Each organisation keys its features under its own key: compared by the clear keys they stand for.
    const clearOf = async (o: string, s: AssistantStore) => {
      const keyed = await s.features(o, letter('Afgørelse om moms'));
      const clear = featuresOf(letter('Afgørelse om moms'));
      return new Map(keyed.map((f, i) => [f.key, clear[i].key]));
    };
    const [mine, theirs] = [await clearOf(orgId, store), await clearOf(other, stepwise)];
    const reference = (await database.db.select().from(assistantCounts).where(eq(assistantCounts.orgId, other))).map((r) => [`${theirs.get(r.feature) ?? r.feature}|${r.target}`, r.count]);
    expect(written.map((r) => [`${mine.get(r.feature) ?? r.feature}|${r.target}`, r.count]).sort()).toEqual(reference.sort());
    expect(written.every((r) => r.feature === '' || r.feature.startsWith('#') || mine.has(r.feature))).toBe(true);
    const fresh = await new AssistantStore(database.db, sealer).suggest(orgId, letter('Moms'), [finance], new Map());
    expect(fresh[0].destinationIds).toEqual([finance]);
    await store.close();
  });

  test('a failed write stays pending and lands with the next flush; close() writes what is left', async () => {
    let failNext = true;
    // The store's database, failing its first insert as a dropped connection would.
    const flaky = new Proxy(database.db, {
      get(target, prop, receiver) {
        if (prop === 'execute' && failNext) { failNext = false; return () => { throw new Error('connection terminated'); }; }
        return Reflect.get(target, prop, receiver);
      },
    });
    const errors: unknown[] = [];
    const store = new AssistantStore(flaky, sealer, Date.now, (e) => errors.push(e));
    const before = (await rows()).reduce((s, r) => s + r.count, 0);
    await store.learn(orgId, letter('Rykker for moms'), [finance], 'placement');
    await expect(store.flush()).rejects.toThrow('connection terminated');
    expect((await rows()).reduce((s, r) => s + r.count, 0)).toBe(before);
    await store.close();
    expect((await rows()).reduce((s, r) => s + r.count, 0)).toBeGreaterThan(before);
  });

  /** The store's database, failing the next `n` calls of `method` as a dropped connection would. */
  const failing = (method: 'select' | 'execute') => {
    const state = { left: 0 };
    const db = new Proxy(database.db, {
      get(target, prop, receiver) {
        if (prop === method && state.left > 0) { state.left--; return () => { throw new Error('connection terminated'); }; }
        return Reflect.get(target, prop, receiver);
      },
    });
    return { db, failNext: (n = 1) => { state.left = n; } };
  };

  test('a failed read of the model is not kept: the next call reads again, and a model read before serves meanwhile', async () => {
    const { db, failNext } = failing('select');
    let clock = Date.now();
    const errors: unknown[] = [];
    const store = new AssistantStore(db, sealer, () => clock, () => undefined, (e) => errors.push(e));
    const [{ id: fresh }] = await database.db.insert(organisations).values({ name: 'Hikke A/S' }).returning();
    const learnt = new AssistantStore(database.db, sealer);
    await learnt.learn(fresh, letter('Afgørelse om moms'), [finance], 'placement');
    await learnt.close();

    // The first read fails: that call fails, and the next one (no restart) reads and suggests.
    failNext();
    await expect(store.model(fresh)).rejects.toThrow('connection terminated');
    expect((await store.suggest(fresh, letter('Moms'), [finance], new Map()))[0].destinationIds).toEqual([finance]);
    await store.learn(fresh, letter('Rykker for moms'), [finance], 'placement');

    // A reload a minute later fails: the model in memory serves (with what it learnt), the error is told, and the read is tried again next time.
    clock += 61_000;
    failNext();
    const stale = await store.model(fresh);
    expect(stale.count('', finance)).toBe(2);
    expect(errors).toHaveLength(1);
    await store.flush();
    const reloaded = await store.model(fresh);
    expect(reloaded).not.toBe(stale);
    expect(reloaded.count('', finance)).toBe(2);
    await store.close();
  });

  test('a failed write for one organisation keeps every organisation\'s pending learning', async () => {
    const { db, failNext } = failing('execute');
    const store = new AssistantStore(db, sealer, Date.now, () => undefined);
    const orgs: string[] = [];
    for (const name of ['Først A/S', 'Dernæst A/S', 'Sidst A/S']) orgs.push((await database.db.insert(organisations).values({ name }).returning())[0].id);
    for (const o of orgs) await store.learn(o, letter('Afgørelse om moms'), [finance], 'placement');
    failNext(); // the first organisation's upsert fails
    await expect(store.flush()).rejects.toThrow('connection terminated');
    await store.close();
    for (const o of orgs) {
      const stored = await database.db.select().from(assistantCounts).where(eq(assistantCounts.orgId, o));
      expect(stored.find((r) => r.feature === '' && r.target === finance)?.count).toBe(1);
    }
  });
});
