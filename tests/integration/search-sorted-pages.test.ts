// Track & trace above the count cap (more than 10,000 matches), sorted by sender or subject: pages are
// gathered sender by sender along the index (store/read.ts pageByGroups). Whatever the path, a page
// must be exactly the page of the plain ORDER BY. 12,000 letters written with generate_series.
import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../../backend/src/store/db';
import { listMessages } from '../../backend/src/store/read';
import { orgScope } from '../../backend/src/store/scope';
import { mailboxes, organisations } from '../../backend/src/store/schema';
import { messageListQuerySchema, MESSAGE_COUNT_CAP } from '../../shared/src/contracts';
import { testDatabases } from '../helpers/databases';

const LETTERS = 12_000;

describe.each(testDatabases)('sorted pages of a broad search on $name', (tdb) => {
  let database: Database;
  let drop: () => Promise<void>;
  let orgId = '';
  const rowsOf = (r: unknown) => ((r as { rows?: unknown[] }).rows ?? (r as unknown[])) as Record<string, unknown>[];

  beforeAll(async () => {
    const d = await tdb.create();
    drop = d.drop;
    database = await openDatabase({ databaseUrl: d.databaseUrl, dataDir: null });
    const db = database.db;
    [{ id: orgId }] = await db.insert(organisations).values({ name: 'Mange Breve A/S' }).returning();
    const [mb] = await db.insert(mailboxes).values({ orgId, cvr: '12345674', provider: 'ngdp', config: {} }).returning();
    // Three senders of very different sizes (one group spans many pages, one is tiny), four subjects;
    // many letters share a second, so ties are broken by id as the plain query does.
    await db.execute(sql`insert into messages (org_id, mailbox_id, provider, cvr, memo_uuid, memo_version, label, sender_id, sender_id_type,
        sender_name, recipient_id, recipient_id_type, memo_created_at, received_at, status, raw_enc, search_text)
      select ${orgId}, ${mb.id}, 'ngdp', '12345674', gen_random_uuid(), '1.2',
        (array['Årsopgørelse', 'Påmindelse om moms', 'Rykker', 'Afgørelse'])[1 + g % 4],
        s.id, 'CVR', s.name, '12345674', 'CVR', now(), now() - (g / 3) * interval '1 minute', 'delivered', '\\x00'::bytea,
        lower((array['Årsopgørelse', 'Påmindelse om moms', 'Rykker', 'Afgørelse'])[1 + g % 4] || ' ' || s.name)
      from generate_series(1, ${LETTERS}) g
      cross join lateral (select case when g % 10 < 7 then '19552101' when g % 10 < 9 then '29189404' else '64942212' end as id,
        case when g % 10 < 7 then 'Skattestyrelsen' when g % 10 < 9 then 'Vejle Kommune' else 'Københavns Kommune' end as name) s`);
    await db.execute(sql`analyze messages`);
  }, 120_000);
  afterAll(async () => {
    await database?.close();
    await drop?.();
  });

  /** The page as a plain ORDER BY gives it: key, then newest first, then id. */
  async function plainPage(key: 'sender_name' | 'label', dir: 'asc' | 'desc', offset: number, limit: number, text?: string): Promise<string[]> {
    const where = text ? sql`and search_vector @@ websearch_to_tsquery('danish', ${text})` : sql``;
    const r = await database.db.execute(sql`select id from messages where org_id = ${orgId} ${where}
      order by ${sql.identifier(key)} ${sql.raw(dir)}, received_at desc, id desc limit ${limit} offset ${offset}`);
    return rowsOf(r).map((x) => String(x.id));
  }

  test.each([
    ['sender', 'asc', 0, undefined], ['sender', 'asc', 8_390, undefined], ['sender', 'desc', 0, undefined],
    ['sender', 'desc', 50, undefined], ['label', 'asc', 0, undefined], ['label', 'desc', 2_990, undefined],
    ['sender', 'asc', 0, 'moms'], ['label', 'asc', 100, 'skattestyrelsen'],
  ] as const)('sort by %s %s, offset %d, text %s: the plain ORDER BY\'s page', async (sort, dir, offset, text) => {
    const q = messageListQuerySchema.parse({ sort, dir, offset: String(offset), limit: '50', ...(text ? { q: text } : {}) });
    const got = await listMessages(database.db, orgScope(orgId), q);
    const want = await plainPage(sort === 'sender' ? 'sender_name' : 'label', dir, offset, 50, text);
    expect(got.items.map((m) => m.id)).toEqual(want);
    if (!text) {
      expect(got.totalCapped).toBe(true); // above the cap: the group walk is the path taken
      expect(want.length).toBe(50);
    }
  });

  test('the database holds more letters than the count cap', () => {
    expect(LETTERS).toBeGreaterThan(MESSAGE_COUNT_CAP);
  });
});
