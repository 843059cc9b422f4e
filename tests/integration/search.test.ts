// Track & trace (GET /api/messages): Danish full text with stemming, every filter, sorting, paging,
// the capped count, tenant isolation and readable 400s — on PGlite, and on PostgreSQL when
// TEST_DATABASE_URL is set.
import express from 'express';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { AppContext } from '../../backend/src/context';
import { openDatabase, type Database } from '../../backend/src/store/db';
import { createSealer } from '../../backend/src/crypto/envelope';
import { apiRouter } from '../../backend/src/api/router';
import { errorHandler } from '../../backend/src/api/errors';
import { cvrNumbers, deliveries, destinations, mailboxes, messages, organisations } from '../../backend/src/store/schema';
import { storeLetter } from '../../backend/src/store/letters';
import { silentLogger } from '../../backend/src/log';
import { buildMemoXml } from '../../backend/src/memo/build';
import { DEMO_SENDERS, demoMemo } from '../../backend/src/demo/letters';
import { apiErrorSchema, messageListResponseSchema, MESSAGE_COUNT_CAP, MESSAGE_OFFSET_MAX, type MessageListResponse } from '../../shared/src/contracts';
import { testDatabases } from '../helpers/databases';

const CVR_1 = '72494814';
const CVR_2 = '87033082';
/** The other organisation's own CVR numbers (a CVR number belongs to one organisation; valid, modulus 11). */
const CVR_B1 = '55133018';
const CVR_B2 = '17150413';
const skst = { id: DEMO_SENDERS.skst.cvr, idType: 'CVR', label: DEMO_SENDERS.skst.name };
const erst = { id: DEMO_SENDERS.erst.cvr, idType: 'CVR', label: DEMO_SENDERS.erst.name };
const kk = { id: DEMO_SENDERS.kk.cvr, idType: 'CVR', label: DEMO_SENDERS.kk.name };

interface Seed {
  key: string; label: string; sender: typeof skst; cvr: string; provider: 'ngdp' | 'eboks' | 'mitdk';
  status: string; receivedAt: string; filename?: string;
}
// Received order, newest first: L4, L3, L2, L1, L5. L3 arrived 00:30 on 1 April in Copenhagen (CEST).
const SEEDS: Seed[] = [
  { key: 'L1', label: 'Årsopgørelsen 2025', sender: skst, cvr: CVR_1, provider: 'ngdp', status: 'delivered', receivedAt: '2025-03-10T10:00:00Z', filename: 'aarsopgoerelse_2025.pdf' },
  { key: 'L2', label: 'Afgørelse om tilskud', sender: erst, cvr: CVR_2, provider: 'eboks', status: 'triage', receivedAt: '2025-03-12T09:00:00Z' },
  { key: 'L3', label: 'Orientering om affaldsordning', sender: kk, cvr: CVR_1, provider: 'mitdk', status: 'failed', receivedAt: '2025-03-31T22:30:00Z' },
  { key: 'L4', label: 'Forskudsopgørelse 2026', sender: skst, cvr: CVR_2, provider: 'ngdp', status: 'routed', receivedAt: '2025-04-20T08:00:00Z' },
  { key: 'L5', label: 'Påmindelse: Moms', sender: skst, cvr: CVR_1, provider: 'ngdp', status: 'delivered', receivedAt: '2025-02-01T12:00:00Z' },
];

describe.each(testDatabases)('track & trace search on $name', (tdb) => {
  let database: Database;
  let drop: () => Promise<void>;
  let close: () => void;
  let base: string;
  const ids: Record<string, string> = {};
  let destA1: string;
  let destA2: string;
  let destB: string;
  let otherOrgLetter: string;

  async function seedOrg(name: string, cvrs: [string, string] = [CVR_1, CVR_2]) {
    const [{ id }] = await database.db.insert(organisations).values({ name }).returning({ id: organisations.id });
    await database.db.insert(cvrNumbers).values([{ orgId: id, cvr: cvrs[0], name: `${name} Holding` }, { orgId: id, cvr: cvrs[1], name: `${name} Ejendomme` }]);
    return id;
  }

  async function store(orgId: string, s: Seed, sealer: ReturnType<typeof createSealer>): Promise<string> {
    let [mb] = await database.db.select().from(mailboxes).where(sql`${mailboxes.orgId} = ${orgId} and ${mailboxes.cvr} = ${s.cvr} and ${mailboxes.provider} = ${s.provider}`);
    if (!mb) [mb] = await database.db.insert(mailboxes).values({ orgId, cvr: s.cvr, provider: s.provider }).returning();
    const memo = demoMemo({ recipientCvr: s.cvr, label: s.label, sender: s.sender });
    if (s.filename) memo.body.mainDocument!.files[0].filename = s.filename;
    const r = await storeLetter(database.db, sealer, mb, memo, Buffer.from(buildMemoXml(memo)));
    await database.db.update(messages).set({ status: s.status, receivedAt: new Date(s.receivedAt) }).where(eq(messages.id, r.messageId));
    return r.messageId;
  }

  beforeAll(async () => {
    const d = await tdb.create();
    drop = d.drop;
    database = await openDatabase({ databaseUrl: d.databaseUrl, dataDir: null });
    const sealer = createSealer(randomBytes(32));
    const orgA = await seedOrg('Alfa');
    const orgB = await seedOrg('Beta', [CVR_B1, CVR_B2]);
    for (const s of SEEDS) ids[s.key] = await store(orgA, s, sealer);
    // Another organisation holds a letter that matches every search below; it must never show.
    otherOrgLetter = await store(orgB, { ...SEEDS[0], cvr: CVR_B1 }, sealer);

    const dest = async (orgId: string, displayName: string) => (await database.db.insert(destinations)
      .values({ orgId, kind: 'shared_mailbox', displayName, mailbox: `${displayName.toLowerCase()}@example.dk` }).returning())[0].id;
    destA1 = await dest(orgA, 'Bogholderi');
    destA2 = await dest(orgA, 'Jura');
    destB = await dest(orgB, 'Andet');
    await database.db.insert(deliveries).values([
      { orgId: orgA, messageId: ids.L1, destinationId: destA1 },
      { orgId: orgA, messageId: ids.L3, destinationId: destA2 },
      { orgId: orgA, messageId: ids.L3, destinationId: destA1, reason: 'resend' },
      { orgId: orgB, messageId: otherOrgLetter, destinationId: destB },
    ]);

    // A third organisation with more letters than the count cap, written the way the bench does.
    const [{ id: orgC }] = await database.db.insert(organisations).values({ name: 'Gamma' }).returning({ id: organisations.id });
    const [mbC] = await database.db.insert(mailboxes).values({ orgId: orgC, cvr: CVR_1, provider: 'ngdp' }).returning();
    await database.db.execute(sql`insert into messages (org_id, mailbox_id, provider, cvr, memo_uuid, memo_version, label, sender_id,
        sender_id_type, sender_name, recipient_id, recipient_id_type, memo_created_at, received_at, status, raw_enc, search_text)
      select ${orgC}, ${mbC.id}, 'ngdp', ${CVR_1}, gen_random_uuid(), '1.2', 'Brev ' || g, '73423023', 'CVR', 'Skattestyrelsen',
        ${CVR_1}, 'CVR', now(), now() - g * interval '1 minute', case when g % 100 = 0 then 'failed' else 'delivered' end,
        '\\x00'::bytea, 'brev ' || g || ' skattestyrelsen'
      from generate_series(1, ${MESSAGE_COUNT_CAP + 50}) g`);

    const app = express();
    const delivery = { ctx: { db: database.db, sealer } as unknown as AppContext, check: async () => [] };
    const common = { db: database.db, sealer, jobsRunning: () => true, version: 't', entra: null, mailboxChanged: async () => undefined, delivery };
    app.use('/a/api', apiRouter({ ...common, demo: { orgId: orgA } }));
    app.use('/b/api', apiRouter({ ...common, demo: { orgId: orgB } }));
    app.use('/c/api', apiRouter({ ...common, demo: { orgId: orgC } }));
    app.use(errorHandler(silentLogger));
    const server = app.listen(0);
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  }, 120_000);

  afterAll(async () => {
    close?.();
    await database?.close();
    await drop?.();
  });

  const raw = async (path: string) => {
    const res = await fetch(base + path);
    return { status: res.status, body: await res.json() as unknown };
  };
  const list = async (query: string, org = 'a'): Promise<MessageListResponse> => {
    const r = await raw(`/${org}/api/messages?${query}`);
    if (r.status !== 200) throw new Error(`GET ${query}: ${r.status} ${JSON.stringify(r.body)}`);
    return messageListResponseSchema.parse(r.body);
  };
  const keysOf = (res: MessageListResponse) => res.items.map((m) => Object.keys(ids).find((k) => ids[k] === m.id) ?? `other:${m.id}`);
  const sorted = (res: MessageListResponse) => keysOf(res).sort();

  test('Danish stemming: "årsopgørelser" finds the letter labelled "Årsopgørelsen 2025", and only this organisation\'s', async () => {
    const res = await list(`q=${encodeURIComponent('årsopgørelser')}`);
    expect(keysOf(res)).toEqual(['L1']);
    expect(res.total).toBe(1);
    expect(res.totalCapped).toBeUndefined();
    expect(res.items[0]).toMatchObject({ label: 'Årsopgørelsen 2025', senderName: 'Skattestyrelsen', cvrName: 'Alfa Holding', documentCount: 1 });
    // The other organisation finds its own copy, never ours.
    const other = await list(`q=${encodeURIComponent('årsopgørelser')}`, 'b');
    expect(other.items.map((m) => m.id)).toEqual([otherOrgLetter]);
  });

  test('full text covers sender names, file names and several words; a stop word alone still searches', async () => {
    expect(sorted(await list('q=skattestyrelsen'))).toEqual(['L1', 'L4', 'L5']);
    expect(sorted(await list('q=aarsopgoerelse'))).toEqual(['L1']); // only in the document's file name
    expect(sorted(await list(`q=${encodeURIComponent('afgørelse tilskud')}`))).toEqual(['L2']);
    expect(sorted(await list(`q=${encodeURIComponent('tilskud OR affald')}`))).toEqual(['L2']); // "affald" ≠ "affaldsordning"
    expect(sorted(await list(`q=${encodeURIComponent('"om tilskud"')}`))).toEqual(['L2']);
    expect(sorted(await list('q=om'))).toEqual(['L2', 'L3', 'L5']); // stop word: matched as text ("moms" too)
    expect((await list('q=ingenting')).items).toEqual([]);
  });

  test('digits match a sender id or CVR, also typed with spaces', async () => {
    expect(sorted(await list(`q=${encodeURIComponent('73 42 30 23')}`))).toEqual(['L1', 'L4', 'L5']);
    expect(sorted(await list(`q=${CVR_2}`))).toEqual(['L2', 'L4']);
  });

  test('each filter narrows the results', async () => {
    expect(sorted(await list('sender=Skattestyr'))).toEqual(['L1', 'L4', 'L5']); // part of the name
    expect(sorted(await list(`sender=${DEMO_SENDERS.kk.cvr}`))).toEqual(['L3']); // the id
    expect(sorted(await list(`sender=${encodeURIComponent('københavns kommune')}`))).toEqual(['L3']);
    expect(sorted(await list('sender=tilskud'))).toEqual([]); // a word of a label is not a sender
    expect(sorted(await list(`cvr=${CVR_2}`))).toEqual(['L2', 'L4']);
    expect(sorted(await list('provider=eboks'))).toEqual(['L2']);
    expect(sorted(await list('provider=mitdk'))).toEqual(['L3']);
    expect(sorted(await list('status=delivered'))).toEqual(['L1', 'L5']);
    expect(sorted(await list(`destinationId=${destA1}`))).toEqual(['L1', 'L3']); // L3 through its resend
    expect(sorted(await list(`destinationId=${destA2}`))).toEqual(['L3']);
    expect(sorted(await list(`destinationId=${destB}`))).toEqual([]); // another organisation's destination
    expect(sorted(await list(`cvr=${CVR_1}&status=delivered&from=2025-03-01&q=skattestyrelsen`))).toEqual(['L1']);
    // Blank parameters (an empty filter field) mean "no filter".
    expect(sorted(await list('q=&sender=&status=&cvr='))).toEqual(['L1', 'L2', 'L3', 'L4', 'L5']);
  });

  test('date range: days are Copenhagen days, "to" includes its day; date-times are exact', async () => {
    expect(sorted(await list('from=2025-03-01&to=2025-03-31'))).toEqual(['L1', 'L2']); // L3 is 1 April in Copenhagen
    expect(sorted(await list('from=2025-04-01&to=2025-04-01'))).toEqual(['L3']);
    expect(sorted(await list('to=2025-03-10'))).toEqual(['L1', 'L5']);
    expect(sorted(await list(`from=${encodeURIComponent('2025-03-12T10:00:00+01:00')}`))).toEqual(['L2', 'L3', 'L4']); // inclusive
    expect(sorted(await list(`to=${encodeURIComponent('2025-03-12T09:00:00Z')}`))).toEqual(['L1', 'L5']); // exclusive
  });

  test('sorting by received, sender, label, CVR and status, both ways', async () => {
    expect(keysOf(await list(''))).toEqual(['L4', 'L3', 'L2', 'L1', 'L5']);
    expect(keysOf(await list('sort=receivedAt&dir=asc'))).toEqual(['L5', 'L1', 'L2', 'L3', 'L4']);
    expect(keysOf(await list('sort=sender'))).toEqual(['L2', 'L3', 'L4', 'L1', 'L5']); // then newest first
    expect(keysOf(await list('sort=sender&dir=desc'))).toEqual(['L4', 'L1', 'L5', 'L3', 'L2']);
    // "Å" sorts by the server's collation; the rest is plain.
    const byLabel = keysOf(await list('sort=label&dir=asc'));
    expect(byLabel.filter((k) => k !== 'L1')).toEqual(['L2', 'L4', 'L3', 'L5']);
    expect(keysOf(await list('sort=label&dir=desc'))).toEqual([...byLabel].reverse());
    expect(keysOf(await list('sort=cvr&dir=asc'))).toEqual(['L3', 'L1', 'L5', 'L4', 'L2']);
    expect(keysOf(await list('sort=status&dir=asc'))).toEqual(['L5', 'L1', 'L3', 'L4', 'L2']);
    expect(keysOf(await list('sort=status&dir=desc'))).toEqual(['L2', 'L4', 'L3', 'L1', 'L5']);
  });

  test('paging: pages follow the order, the total stays', async () => {
    const pages = await Promise.all([0, 2, 4].map((offset) => list(`limit=2&offset=${offset}`)));
    expect(pages.map(keysOf)).toEqual([['L4', 'L3'], ['L2', 'L1'], ['L5']]);
    expect(pages.map((p) => p.total)).toEqual([5, 5, 5]);
    expect((await list('limit=2&offset=6')).items).toEqual([]);
    const sortedPages = await Promise.all([0, 3].map((offset) => list(`limit=3&offset=${offset}&sort=sender&dir=asc`)));
    expect(sortedPages.flatMap(keysOf)).toEqual(['L2', 'L3', 'L4', 'L1', 'L5']);
  });

  test(`the count stops at ${MESSAGE_COUNT_CAP.toLocaleString('en')} and says so; narrower searches count exactly`, async () => {
    const all = await list('limit=10', 'c');
    expect(all).toMatchObject({ total: MESSAGE_COUNT_CAP, totalCapped: true });
    expect(all.items).toHaveLength(10);
    const failed = await list('status=failed&limit=5', 'c');
    expect(failed.total).toBe(Math.floor((MESSAGE_COUNT_CAP + 50) / 100));
    expect(failed.totalCapped).toBeUndefined();
    // Past the cap pages go on as they come: a full page says "at least", a short one ends the count
    // exactly, an empty one past the end says only "more than the cap".
    const full = await list(`offset=${MESSAGE_COUNT_CAP}&limit=50`, 'c');
    expect(full.items).toHaveLength(50);
    expect(full).toMatchObject({ total: MESSAGE_COUNT_CAP + 50, totalCapped: true });
    const last = await list(`offset=${MESSAGE_COUNT_CAP}&limit=200`, 'c');
    expect(last.items).toHaveLength(50);
    expect(last.total).toBe(MESSAGE_COUNT_CAP + 50);
    expect(last.totalCapped).toBeUndefined();
    expect(last.items.map((m) => m.id)).toEqual(full.items.map((m) => m.id));
    const beyond = await list(`offset=${MESSAGE_COUNT_CAP + 50}&limit=50`, 'c');
    expect(beyond).toMatchObject({ items: [], total: MESSAGE_COUNT_CAP, totalCapped: true });
    expect(MESSAGE_OFFSET_MAX).toBeGreaterThan(MESSAGE_COUNT_CAP);
  });

  test('bad input is a 400 that names the field and says what is allowed', async () => {
    const cases: [string, RegExp][] = [
      ['status=sent', /^status: status must be one of received, routed, triage, delivered, failed$/],
      ['provider=post', /^provider: provider must be one of ngdp, eboks, mitdk$/],
      ['sort=date', /^sort: sort must be one of receivedAt, sender, label, cvr, status$/],
      ['dir=up', /^dir: dir must be asc or desc$/],
      ['destinationId=bogholderi', /^destinationId: .*UUID/],
      ['from=31-03-2025', /^from: from must be a date like 2025-03-31/],
      ['to=2025-02-30', /^to: to must be a date/],
      ['from=2025-04-01&to=2025-03-01', /^from: from must not be after to$/],
      ['cvr=1234', /^cvr: cvr must be 8 digits$/],
      [`q=${'x'.repeat(201)}`, /^q: search text is limited to 200 characters$/],
      ['limit=0', /^limit: limit must be at least 1$/],
      ['limit=abc', /^limit: limit must be a number$/],
      ['offset=50000', /^offset: .*narrow the search/],
    ];
    for (const [query, message] of cases) {
      const r = await raw(`/a/api/messages?${query}`);
      expect({ query, status: r.status }).toEqual({ query, status: 400 });
      expect(apiErrorSchema.parse(r.body).error.message).toMatch(message);
    }
  });
});
