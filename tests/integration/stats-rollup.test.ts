// The statistics rollup (migration 0010's triggers, stats/rollup.ts) against the live queries over the
// letters themselves, on each test database: seeded random lifecycles (letters stored, routed, placed
// by people and the assistant, delivered, failed, rerouted, resent; deliveries and events deleted;
// senders renamed; letters moved and deleted; several rows in one statement), folded at random points,
// then every granularity, breakdown and scope (CVR and destination limits) compared, folded or not,
// after a rebuild, and with writers racing on one letter. The live queries are the definition; the rollup must agree exactly.
import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../../backend/src/store/db';
import { cvrNumbers, deliveries, destinations, events, mailboxes, messages, organisations } from '../../backend/src/store/schema';
import { liveStatsByBucket, liveStatsByGroup, statsByBucket, statsByGroup } from '../../backend/src/stats/queries';
import { compactStats, rebuildStats } from '../../backend/src/stats/rollup';
import { orgScope, type Scope } from '../../backend/src/store/scope';
import type { Period } from '../../backend/src/stats/period';
import type { StatsBy } from '../../shared/src/contracts';
import { main } from '../../backend/src/cli/main';
import { mulberry32 } from '../../shared/src/prng';
import { testDatabases } from '../helpers/databases';

const CVRS = ['11111111', '22222222', '33333333'];
const PROVIDERS = ['ngdp', 'eboks', 'mitdk'];
const SENDERS = ['19552101', '64942212', '29189773', '10150817', '55133018'];
const BYS: StatsBy[] = ['channel', 'cvr', 'sender', 'destination'];
const PERIODS: Period[] = [
  { from: '2026-03-20', to: '2026-04-05', granularity: 'day' }, // summer time begins 29 March
  { from: '2025-10-15', to: '2026-11-20', granularity: 'month' }, // partial months at both ends
  { from: '2026-03-10', to: '2026-03-12', granularity: 'month' },
  { from: '2026-01-03', to: '2026-01-31', granularity: 'month' }, // most of a month: the month less two days
  { from: '2025-11-05', to: '2026-06-15', granularity: 'year' },
];

describe.each(testDatabases)('statistics rollup on $name', (tdb) => {
  let database: Database;
  let drop: () => Promise<void>;
  let orgA: string;
  let orgB: string;
  const destsA: string[] = [];
  let destB: string;
  const mailboxOf = new Map<string, string>();

  beforeAll(async () => {
    const d = await tdb.create();
    drop = d.drop;
    database = await openDatabase({ databaseUrl: d.databaseUrl, dataDir: null });
    const db = database.db;
    [{ id: orgA }] = await db.insert(organisations).values({ name: 'Nordlys' }).returning({ id: organisations.id });
    [{ id: orgB }] = await db.insert(organisations).values({ name: 'Andet' }).returning({ id: organisations.id });
    await db.insert(cvrNumbers).values([{ orgId: orgA, cvr: CVRS[0], name: 'Alfa ApS' }, { orgId: orgA, cvr: CVRS[1], name: 'Beta A/S' }]);
    for (const [i, name] of ['Økonomi', 'HR', 'Jura', 'Teams: Løn'].entries()) {
      destsA.push((await db.insert(destinations).values({ orgId: orgA, kind: i === 3 ? 'teams_channel' : 'shared_mailbox', displayName: name, mailbox: i === 3 ? null : 'post@nordlys.example' }).returning({ id: destinations.id }))[0].id);
    }
    destB = (await db.insert(destinations).values({ orgId: orgB, kind: 'shared_mailbox', displayName: 'Post', mailbox: 'post@andet.example' }).returning({ id: destinations.id }))[0].id;
    for (const org of [orgA, orgB]) {
      for (const cvr of CVRS) {
        for (const provider of PROVIDERS) {
          const [mb] = await db.insert(mailboxes).values({ orgId: org, cvr, provider }).returning({ id: mailboxes.id });
          mailboxOf.set(`${org}/${cvr}/${provider}`, mb.id);
        }
      }
    }
  }, 60_000);
  afterAll(async () => { await database?.close(); await drop?.(); });

  /** Every report the API can make, from the rollup and live, for the scope. */
  async function compare(scope: Scope, what: string) {
    const db = database.db;
    for (const p of PERIODS) {
      const at = `${what}, ${p.granularity} ${p.from}..${p.to}`;
      expect([at, await statsByBucket(db, scope, p)]).toEqual([at, await liveStatsByBucket(db, scope, p)]);
      for (const by of BYS) {
        for (const perBucket of [false, true]) {
          const label = `${at}, by ${by}${perBucket ? ' per bucket' : ''}`;
          expect([label, await statsByGroup(db, scope, p, by, perBucket)]).toEqual([label, await liveStatsByGroup(db, scope, p, by, perBucket)]);
        }
      }
    }
  }

  /** The rollup's counts summed per key (folded and pending), zeros left out: what a rebuild must reproduce. */
  async function rollupState() {
    const r = await database.db.execute(sql`select org_id, dim, grain, start::text, cvr, key, label, status, automatic, sum(n)::int as n from (
        select org_id, dim, grain, start, cvr, key, label, status, automatic, n from stats_counts
        union all select org_id, 'channel', 'd', day, cvr, provider, '', status, automatic, n from stats_deltas where destination_id is null
        union all select org_id, 'channel', 'm', date_trunc('month', day::timestamp)::date, cvr, provider, '', status, automatic, n from stats_deltas where destination_id is null
        union all select org_id, 'sender', 'd', day, cvr, sender_id, sender_name, status, automatic, n from stats_deltas where destination_id is null
        union all select org_id, 'sender', 'm', date_trunc('month', day::timestamp)::date, cvr, sender_id, sender_name, status, automatic, n from stats_deltas where destination_id is null
        union all select org_id, 'destination', 'd', day, cvr, destination_id::text, '', status, automatic, n from stats_deltas where destination_id is not null
        union all select org_id, 'destination', 'm', date_trunc('month', day::timestamp)::date, cvr, destination_id::text, '', status, automatic, n from stats_deltas where destination_id is not null
      ) x group by 1, 2, 3, 4, 5, 6, 7, 8, 9 having sum(n) <> 0 order by 1, 2, 3, 4, 5, 6, 7, 8, 9`);
    return (r as unknown as { rows: unknown[] }).rows;
  }

  test('random lifecycles: the rollup answers as the live queries do, folded or not, for every scope; a rebuild reproduces it', async () => {
    const db = database.db;
    const rnd = mulberry32(20261128);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const senderName = new Map(SENDERS.map((s, i) => [s, `Afsender ${i}`]));
    const day = () => {
      // Two years, often a few minutes either side of Copenhagen midnight.
      const base = Date.UTC(2025, 0, 1) + Math.floor(rnd() * 730) * 86_400_000;
      return new Date(base + (rnd() < 0.4 ? (22 * 60 + Math.floor(rnd() * 120)) * 60_000 : Math.floor(rnd() * 86_400_000)));
    };
    const newLetters = async (orgId: string, n: number) => db.insert(messages).values(Array.from({ length: n }, () => {
      const cvr = pick(CVRS); const provider = pick(PROVIDERS); const sender = pick(SENDERS); const at = day();
      return {
        orgId, mailboxId: mailboxOf.get(`${orgId}/${cvr}/${provider}`)!, provider, cvr, memoUuid: randomUUID(), memoVersion: '1.2',
        label: 'Brev', senderId: sender, senderIdType: 'CVR', senderName: senderName.get(sender)!, recipientId: cvr, recipientIdType: 'CVR',
        memoCreatedAt: at, receivedAt: at, rawEnc: Buffer.from('sealed'),
      };
    })).returning({ id: messages.id });
    const letterIn = async (status: string | null) => {
      const rows = await db.select({ id: messages.id, orgId: messages.orgId }).from(messages)
        .where(status ? eq(messages.status, status) : sql`true`);
      return rows.length ? pick(rows) : null;
    };
    const destFor = (orgId: string) => (orgId === orgB ? destB : pick(destsA));
    const setStatus = (id: string, status: string) => db.update(messages).set({ status }).where(eq(messages.id, id));
    const ops: Record<string, () => Promise<unknown>> = {
      async store() { await newLetters(rnd() < 0.85 ? orgA : orgB, 1 + Math.floor(rnd() * 3)); },
      async route() {
        const m = await letterIn('received'); if (!m) return;
        if (rnd() < 0.35) return setStatus(m.id, 'triage');
        await setStatus(m.id, 'routed');
        // One or two destinations in one statement, as a rule with several destinations routes.
        const ds = [...new Set([destFor(m.orgId), destFor(m.orgId)])];
        await db.insert(deliveries).values(ds.map((destinationId) => ({ orgId: m.orgId, messageId: m.id, destinationId, reason: 'initial' })));
      },
      async place() {
        const m = await letterIn('triage'); if (!m) return;
        await setStatus(m.id, 'routed');
        if (rnd() < 0.5) {
          // The assistant: its event, sometimes with another in the same statement.
          await db.insert(events).values([{ orgId: m.orgId, messageId: m.id, type: 'auto_placed', actor: 'assistant', text: 'x' },
            ...(rnd() < 0.3 ? [{ orgId: m.orgId, messageId: m.id, type: 'auto_placed', actor: 'assistant', text: 'y' }] : [])]);
        } else {
          await db.insert(events).values({ orgId: m.orgId, messageId: m.id, type: 'placed', actor: 'Karen', text: 'x' });
        }
        await db.insert(deliveries).values({ orgId: m.orgId, messageId: m.id, destinationId: destFor(m.orgId), reason: 'placement' });
      },
      async deliver() { const m = await letterIn('routed'); if (m) await setStatus(m.id, 'delivered'); },
      async fail() { const m = await letterIn('routed'); if (m) await setStatus(m.id, 'failed'); },
      async retry() { const m = await letterIn('failed'); if (m) await setStatus(m.id, 'routed'); },
      async reroute() {
        const m = await letterIn('delivered'); if (!m) return;
        await db.insert(deliveries).values({ orgId: m.orgId, messageId: m.id, destinationId: destFor(m.orgId), reason: rnd() < 0.5 ? 'reroute' : 'resend' });
      },
      async lateInitial() {
        // An initial delivery added to a letter already delivered by a person: now automatic.
        const m = await letterIn('delivered'); if (!m) return;
        await db.insert(deliveries).values({ orgId: m.orgId, messageId: m.id, destinationId: destFor(m.orgId), reason: 'initial' }).onConflictDoNothing();
      },
      async dropDelivery() {
        const [d] = await db.select({ id: deliveries.id }).from(deliveries).orderBy(sql`random()`).limit(1);
        if (d) await db.delete(deliveries).where(eq(deliveries.id, d.id));
      },
      async dropAutoEvents() {
        const [e] = await db.select({ m: events.messageId }).from(events).where(eq(events.type, 'auto_placed')).orderBy(sql`random()`).limit(1);
        if (e) await db.delete(events).where(and(eq(events.messageId, e.m), eq(events.type, 'auto_placed')));
      },
      async renameSender() {
        const s = pick(SENDERS); const name = `${senderName.get(s)!.split(' (')[0]} (${Math.floor(rnd() * 1000)})`;
        senderName.set(s, name);
        await db.update(messages).set({ senderName: name }).where(eq(messages.senderId, s));
      },
      async moveDay() { const m = await letterIn(null); if (m) await db.update(messages).set({ receivedAt: day() }).where(eq(messages.id, m.id)); },
      async legalHold() { const m = await letterIn(null); if (m) await db.update(messages).set({ legalHold: true }).where(eq(messages.id, m.id)); },
      async deleteLetter() { const m = await letterIn(null); if (m) await db.delete(messages).where(eq(messages.id, m.id)); },
      async fold() { await compactStats(db, 1 + Math.floor(rnd() * 40)); },
    };
    const weights: [string, number][] = [['store', 14], ['route', 10], ['place', 5], ['deliver', 10], ['fail', 2], ['retry', 1], ['reroute', 3],
      ['lateInitial', 1], ['dropDelivery', 1], ['dropAutoEvents', 1], ['renameSender', 1], ['moveDay', 1], ['legalHold', 1], ['deleteLetter', 1], ['fold', 3]];
    const total = weights.reduce((a, [, w]) => a + w, 0);
    for (let i = 0; i < 500; i++) {
      let r = rnd() * total;
      const [op] = weights.find(([, w]) => (r -= w) < 0)!;
      await ops[op]();
    }
    const counts = await db.execute(sql`select (select count(*) from messages)::int as letters, (select count(*) from stats_deltas)::int as pending, (select count(*) from stats_counts)::int as folded`);
    const c = (counts as unknown as { rows: { letters: number; pending: number; folded: number }[] }).rows[0];
    // The mix is what the comparison needs: letters, some folded, some not.
    expect(c.letters).toBeGreaterThan(150);
    expect(c.pending).toBeGreaterThan(0);
    expect(c.folded).toBeGreaterThan(0);

    const scopes: [string, Scope][] = [
      ['organisation A', orgScope(orgA)],
      ['organisation B', orgScope(orgB)],
      ['A limited to two CVR numbers', { orgId: orgA, limits: [{ cvrs: [CVRS[0], CVRS[2]], destinationIds: null }] }],
      ['A limited to CVR numbers it no longer has', { orgId: orgA, limits: [{ cvrs: [], destinationIds: null }] }],
      ['A limited to a destination (counted per letter)', { orgId: orgA, limits: [{ cvrs: null, destinationIds: [destsA[0]] }] }],
      ['A limited to two destinations (a letter sent to both counts once)', { orgId: orgA, limits: [{ cvrs: null, destinationIds: [destsA[1], destsA[2]] }] }],
      ['A with two grants: one CVR number, or one destination of another', { orgId: orgA, limits: [{ cvrs: [CVRS[0]], destinationIds: null }, { cvrs: [CVRS[1]], destinationIds: [destsA[3]] }] }],
    ];
    for (const [what, scope] of scopes) await compare(scope, `${what}, partly folded`);

    const before = await rollupState();
    while ((await compactStats(db, 1000)) > 0) { /* fold everything */ }
    expect(await rollupState()).toEqual(before);
    await compare(orgScope(orgA), 'organisation A, all folded');
    await compare(scopes[2][1], 'A limited to two CVR numbers, all folded');

    // A rebuild from the letters themselves reproduces what the triggers kept, row for row.
    await rebuildStats(db);
    expect(await rollupState()).toEqual(before);

    // The comparison reads the rollup: a wrong count there shows.
    await db.execute(sql`update stats_counts set n = n + 1 where ctid = (select ctid from stats_counts where org_id = ${orgA} and dim = 'channel' and grain = 'm' limit 1)`);
    expect(await rollupState()).not.toEqual(before);
    const year: Period = { from: '2025-01-01', to: '2026-12-31', granularity: 'year' };
    expect(await statsByBucket(db, orgScope(orgA), year)).not.toEqual(await liveStatsByBucket(db, orgScope(orgA), year));

    // `brevdue stats rebuild` mends it.
    let out = '';
    const code = await main(['stats', 'rebuild'], { out: (t) => { out += t; }, err: () => undefined },
      { openStore: async () => ({ db, sealer: null as never, close: async () => undefined }) });
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`^statistics counted again: ${c.letters} letters in \\d+\\.\\d s\\n$`));
    expect(await rollupState()).toEqual(before);
    await compare(orgScope(orgA), 'organisation A, after the CLI rebuild');
  }, 240_000);

  test('writers racing on one letter (status, deliveries, events, folding) leave it counted once, exactly, without deadlocks', async () => {
    const db = database.db;
    const at = new Date('2026-05-17T21:59:00Z'); // 23:59 in Copenhagen
    // Eight rounds: a lock-order fault (two writers of one letter taking the letter's row and its count in
    // opposite orders) deadlocks in most rounds on PostgreSQL; one round alone missed it now and then.
    const ids: string[] = [];
    for (let round = 0; round < 8; round++) {
      const [m] = await db.insert(messages).values({
        orgId: orgA, mailboxId: mailboxOf.get(`${orgA}/${CVRS[1]}/ngdp`)!, provider: 'ngdp', cvr: CVRS[1], memoUuid: randomUUID(), memoVersion: '1.2',
        label: 'Brev', senderId: '73423023', senderIdType: 'CVR', senderName: 'Skattestyrelsen', recipientId: CVRS[1], recipientIdType: 'CVR',
        memoCreatedAt: at, receivedAt: at, status: 'triage', rawEnc: Buffer.from('sealed'),
      }).returning({ id: messages.id });
      ids.push(m.id);
      await Promise.all([
        ...destsA.map((destinationId, i) => db.insert(deliveries).values({ orgId: orgA, messageId: m.id, destinationId, reason: i % 2 ? 'placement' : 'resend' })),
        db.insert(events).values({ orgId: orgA, messageId: m.id, type: 'auto_placed', actor: 'assistant', text: 'x' }),
        db.update(messages).set({ status: 'delivered' }).where(eq(messages.id, m.id)),
        compactStats(db, 5), compactStats(db, 5),
        db.transaction(async (tx) => {
          await tx.insert(deliveries).values({ orgId: orgA, messageId: m.id, destinationId: destsA[0], reason: 'reroute' });
          await tx.update(messages).set({ status: 'delivered' }).where(eq(messages.id, m.id));
        }),
        db.transaction(async (tx) => {
          await tx.update(messages).set({ status: 'delivered' }).where(eq(messages.id, m.id));
          await tx.insert(deliveries).values({ orgId: orgA, messageId: m.id, destinationId: destsA[1], reason: 'reroute' });
        }),
      ]);
    }
    const may: Period = { from: '2026-05-17', to: '2026-05-18', granularity: 'day' };
    const series = await statsByBucket(db, orgScope(orgA), may);
    expect(series).toEqual(await liveStatsByBucket(db, orgScope(orgA), may));
    const byDest = await statsByGroup(db, orgScope(orgA), may, 'destination');
    expect(byDest).toEqual(await liveStatsByGroup(db, orgScope(orgA), may, 'destination'));
    // Each of the four destinations counts each letter once, automatic (the assistant placed it).
    for (const id of ids) {
      const letterRows = (await db.execute(sql`select destination_ids, automatic, status from stats_letters where message_id = ${id}`)) as unknown as { rows: { destination_ids: string[]; automatic: boolean; status: string }[] };
      expect(letterRows.rows).toEqual([{ destination_ids: [...destsA].sort(), automatic: true, status: 'delivered' }]);
    }
  }, 60_000);
});
