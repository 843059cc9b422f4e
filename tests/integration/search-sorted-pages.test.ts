// Track & trace above the count cap (more than MESSAGE_COUNT_CAP matches), sorted by sender or subject: pages are
// gathered sender by sender along the index (store/read.ts pageByGroups), and a search of words sorted
// by subject subject by subject through the label-lexeme index (groupsByLexemes). Whatever the path, a
// page must be exactly the page of the plain ORDER BY. 12,000 letters written with generate_series,
// plus a few with more subjects.
import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../../backend/src/store/db';
import { conjunctionLexemes, labelLexemes, listMessages } from '../../backend/src/store/read';
import { orgScope, type Scope } from '../../backend/src/store/scope';
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
    // Twelve more subjects, 30 letters each, all holding "særlig": a page of them spans more subjects
    // than are gathered one by one; half from a second CVR number, for the filters.
    await db.execute(sql`insert into messages (org_id, mailbox_id, provider, cvr, memo_uuid, memo_version, label, sender_id, sender_id_type,
        sender_name, recipient_id, recipient_id_type, memo_created_at, received_at, status, raw_enc, search_text)
      select ${orgId}, ${mb.id}, 'ngdp', case when g % 2 = 0 then '12345674' else '87654321' end, gen_random_uuid(), '1.2',
        'Særlig sag ' || lpad((g % 12)::text, 2, '0'), '19552101', 'CVR', 'Skattestyrelsen', '12345674', 'CVR', now(),
        now() - (g / 2) * interval '1 minute', case when g % 3 = 0 then 'failed' else 'delivered' end, '\\x00'::bytea,
        lower('Særlig sag ' || lpad((g % 12)::text, 2, '0') || ' skattestyrelsen')
      from generate_series(1, 360) g`);
    await db.execute(sql`analyze messages`);
  }, 120_000);
  afterAll(async () => {
    await database?.close();
    await drop?.();
  });

  /** The page as a plain ORDER BY gives it: key, then newest first, then id. */
  async function plainPage(key: 'sender_name' | 'label', dir: 'asc' | 'desc', offset: number, limit: number, text?: string,
    extra = sql``): Promise<string[]> {
    const where = sql.join([text ? sql`and search_vector @@ websearch_to_tsquery('danish', ${text})` : sql``, extra], sql` `);
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

  // Words sorted by subject: looked up subject by subject (groupsByLexemes) when the words are a plain
  // AND of lexemes, else walked or sorted; a page of more than 4 subjects is sorted.
  test.each([
    ['skattestyrelsen', 'asc', 0], ['skattestyrelsen', 'desc', 0], ['skattestyrelsen', 'desc', 2_080],
    ['skattestyrelsen', 'asc', 8_390], ['moms', 'asc', 0], ['moms', 'desc', 1_180], ['vejle kommune', 'asc', 590],
    ['københavns kommune afgørelse', 'desc', 0], ['særlig', 'asc', 0], ['særlig', 'desc', 100], ['særlig sag', 'asc', 20],
    ['solcellepark', 'asc', 0], ['moms -vejle', 'asc', 0], ['moms or rykker', 'desc', 2_990], ['"påmindelse om moms"', 'asc', 10],
    ['vejle*', 'asc', 0],
  ] as const)('words %s sorted by subject %s, offset %d: the plain ORDER BY\'s page', async (text, dir, offset) => {
    const q = messageListQuerySchema.parse({ sort: 'label', dir, offset: String(offset), limit: '50', q: text });
    const got = await listMessages(database.db, orgScope(orgId), q);
    expect(got.items.map((m) => m.id)).toEqual(await plainPage('label', dir, offset, 50, text));
  });

  test.each([
    ['skattestyrelsen', 'asc', 0, { cvr: '87654321' }, sql`and cvr = '87654321'`],
    ['særlig', 'desc', 0, { status: 'failed' }, sql`and status = 'failed'`],
    ['skattestyrelsen', 'asc', 50, { status: 'failed' }, sql`and status = 'failed'`],
    ['skattestyrelsen', 'desc', 0, { sender: '19552101' }, sql`and sender_id = '19552101'`],
  ] as const)('words %s sorted by subject %s, offset %d, with a filter: the plain ORDER BY\'s page', async (text, dir, offset, filter, extra) => {
    const q = messageListQuerySchema.parse({ sort: 'label', dir, offset: String(offset), limit: '50', q: text, ...filter });
    const got = await listMessages(database.db, orgScope(orgId), q);
    expect(got.items.map((m) => m.id)).toEqual(await plainPage('label', dir, offset, 50, text, extra));
  });

  test('words sorted by subject for a reader limited to a CVR number: the plain ORDER BY\'s page', async () => {
    const scope: Scope = { orgId, limits: [{ cvrs: ['87654321'], destinationIds: null }] };
    const q = messageListQuerySchema.parse({ sort: 'label', dir: 'asc', limit: '50', q: 'særlig' });
    const got = await listMessages(database.db, scope, q);
    expect(got.items.map((m) => m.id)).toEqual(await plainPage('label', 'asc', 0, 50, 'særlig', sql`and cvr = '87654321'`));
    expect(got.total).toBe(180);
  });

  // Up to the count cap, the count sorts the matches it read and keeps the page's ids (listMessages).
  const orderOf: Record<string, (dir: string) => string> = {
    receivedAt: (d) => `received_at ${d}, id ${d}`, status: (d) => `status ${d}, received_at ${d}, id ${d}`,
    sender: (d) => `sender_name ${d}, received_at desc, id desc`, label: (d) => `label ${d}, received_at desc, id desc`,
    cvr: (d) => `cvr ${d}, received_at desc, id desc`,
  };
  test.each([
    ['receivedAt', 'desc', 0], ['receivedAt', 'asc', 30], ['status', 'asc', 100], ['status', 'desc', 0], ['sender', 'asc', 10],
    ['label', 'asc', 0], ['label', 'desc', 155], ['cvr', 'asc', 0], ['cvr', 'desc', 150], ['receivedAt', 'desc', 170],
  ] as const)('a narrow search sorted by %s %s, offset %d: the plain ORDER BY\'s page and count', async (sort, dir, offset) => {
    // "særlig" from one CVR number: 180 letters (not alone, so subjects are not looked up one by one).
    const q = messageListQuerySchema.parse({ sort, dir, offset: String(offset), limit: '50', q: 'særlig', cvr: '87654321' });
    const got = await listMessages(database.db, orgScope(orgId), q);
    const want = rowsOf(await database.db.execute(sql`select id from messages where org_id = ${orgId} and cvr = '87654321'
      and search_vector @@ websearch_to_tsquery('danish', 'særlig') order by ${sql.raw(orderOf[sort](dir))} limit 50 offset ${offset}`));
    expect(got.items.map((m) => m.id)).toEqual(want.map((x) => String(x.id)));
    expect(got.total).toBe(180);
    expect(got.totalCapped).toBeUndefined();
    // Without words the count does not sort: the matches are fetched and sorted afterwards.
    const q2 = messageListQuerySchema.parse({ sort, dir, offset: String(offset), limit: '50', cvr: '87654321' });
    const got2 = await listMessages(database.db, orgScope(orgId), q2);
    const want2 = rowsOf(await database.db.execute(sql`select id from messages where org_id = ${orgId} and cvr = '87654321'
      order by ${sql.raw(orderOf[sort](dir))} limit 50 offset ${offset}`));
    expect(got2.items.map((m) => m.id)).toEqual(want2.map((x) => String(x.id)));
    expect(got2.total).toBe(180);
  });

  // A sender name is looked up among the organisation's sender names first: the same letters as the
  // name's words as prefixes in the full text and the text in the name (ILIKE).
  test.each(['Kommune', 'vejle', 'styrelsen', 'skat', 'Københavns Kommune', 'og'])('sender %s: the same letters and count as ILIKE on each letter', async (name) => {
    const q = messageListQuerySchema.parse({ sender: name, limit: '50', offset: '20' });
    const got = await listMessages(database.db, orgScope(orgId), q);
    const words = name.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean).map((w) => `${w}:*`).join(' & ');
    const cond = sql`(sender_id = ${name} or (search_vector @@ to_tsquery('danish', ${words}) and sender_name ilike ${`%${name}%`}))`;
    const stopWordsOnly = Number(rowsOf(await database.db.execute(sql`select numnode(to_tsquery('danish', ${words})) as n`))[0].n) === 0;
    const where = stopWordsOnly ? sql`(sender_id = ${name} or sender_name ilike ${`%${name}%`})` : cond;
    const want = rowsOf(await database.db.execute(sql`select id from messages where org_id = ${orgId} and ${where}
      order by received_at desc, id desc limit 50 offset 20`));
    const n = Number(rowsOf(await database.db.execute(sql`select count(*) as n from messages where org_id = ${orgId} and ${where}`))[0].n);
    expect(got.items.map((m) => m.id)).toEqual(want.map((x) => String(x.id)));
    expect(got.total).toBe(Math.min(n, MESSAGE_COUNT_CAP));
  });

  test('migration 0011\'s subject-lexeme index is the one the search\'s expression can use', async () => {
    // The index expression and labelLexemes() must be the same expression, or the lookup is a scan.
    const plan = await database.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      return (await tx.execute(sql`explain select 1 from messages
        where ${labelLexemes(sql`label`, sql`search_vector`)} @> ${labelLexemes(sql`${'Særlig sag 01'}::text`, sql`array_to_tsvector(array['sag'])`)}`)) as unknown as { rows: Record<string, string>[] };
    });
    expect(plan.rows.map((r) => Object.values(r)[0]).join('\n')).toContain('messages_label_lexeme_idx');
  });

  test('a tsquery is taken apart into its lexemes only when it is an AND of plain lexemes', () => {
    expect(conjunctionLexemes(`'påmind'`)).toEqual(['påmind']);
    expect(conjunctionLexemes(`'afgør' & 'tilskud'`)).toEqual(['afgør', 'tilskud']);
    expect(conjunctionLexemes(`'it''s' & 'a\\\\b'`)).toEqual([`it's`, 'a\\b']);
    for (const q of [`'a' | 'b'`, `'a' & !'b'`, `'a' <-> 'b'`, `'a':*`, `'a':AB`, `( 'a' | 'b' ) & 'c'`, '', `'a' & 'b' | 'c'`]) {
      expect(conjunctionLexemes(q)).toBeUndefined();
    }
  });

  test('the database holds more letters than the count cap', () => {
    expect(LETTERS).toBeGreaterThan(MESSAGE_COUNT_CAP);
  });
});
