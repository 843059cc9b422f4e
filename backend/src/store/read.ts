// Read models for the API. Every function takes the caller's organisation id first and filters by
// it: no query here can see another organisation's letters.
import { and, asc, count, desc, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from './db';
import { displayFolderPath } from '../delivery/mailbox';
import { cvrNumbers, deliveries, destinations, documents, events, messages, letterColumns } from './schema';
import { destinationVisibleFor, limitedCvrs, mayUseDestinationFor, seesAllDeliveriesOf, visibleDeliveries, visibleLetters, type Scope } from './scope';
import { MESSAGE_COUNT_CAP, type DeliveryInfo, type MessageDetail, type MessageListQuery, type MessageListResponse, type MessageSummary, type TimelineEvent } from '../../../shared/src/contracts';

/**
 * Track & trace: the organisation's letters matching every given filter, one page, and how many match.
 * Built so each search is answered from an index at a million letters (bench/search.ts):
 * - the page is chosen on `messages` alone (order + limit); CVR names and document counts are then
 *   looked up for those ≤200 rows only, never joined and grouped over every match;
 * - words go through the GIN index on search_vector (Danish stemming); a sender name is matched against
 *   the organisation's few distinct sender names first (senderNamesLike), whose letters the
 *   (org, sender_name) index lists, then the name's words are tested on those letters as a prefix query;
 * - sorting a broad search by sender or subject follows the (org, key, received_at) indexes group by
 *   group (pageByGroups); words sorted by subject are looked up subject by subject in the label-lexeme
 *   index (groupsByLexemes); by CVR there is no index: every match is sorted (narrowed by any filter it is quick);
 * - the count stops at MESSAGE_COUNT_CAP + 1 rows (`totalCapped`): an exact count of a broad search
 *   would read every matching row (at a million letters, counting to 10,000 was 30–45 ms of each
 *   full-text search; to 1,000, 3–5 ms). Up to the cap it has read every match, and sorts them for the
 *   page on the way. Pages go on past the cap (to MESSAGE_OFFSET_MAX) as they come (cappedTotal);
 * - a destination filter is a semi-join the (org_id, id) / (org_id, provider, id) and
 *   (destination_id, message_id) indexes answer by merging message ids, without reading letters.
 * Indexes this relies on beyond migration 0008: messages (org_id, id), messages (org_id, provider, id)
 * and messages_label_lexeme_idx (see labelLexemes); without them every result is the same, only slower.
 */
export async function listMessages(db: Db, scope: Scope, q: MessageListQuery): Promise<MessageListResponse> {
  const { orgId } = scope;
  const { where, lexemes } = await listFilter(db, scope, q);
  const dir = q.dir ?? (q.sort === undefined || q.sort === 'receivedAt' ? 'desc' : 'asc');
  const by = dir === 'asc' ? asc : desc;
  // Count first: it decides the plan. Up to the cap, the matches are few (or sparse): a count that
  // reads the letters has read them all through the filters' indexes, so it sorts them too and keeps
  // the page's ids (a narrow search reads its matches once; then the page's letters by id). Fetched in order instead,
  // PostgreSQL may walk the received_at index hoping to meet matches soon (a search without hits took
  // 0.85 s that way at a million letters). Above the cap, matches are dense and walking the index in
  // order finds a page at once.
  // Words sorted by subject: the page's subjects are looked up subject by subject in the label-lexeme
  // index (groupsByLexemes), which gives the plain ORDER BY's page whatever the count. With words alone
  // that runs alongside the count; with other filters too (a subject's letters holding the words may
  // all fail them), only for a broad search, once counted.
  const words = q.sort === 'label' && lexemes ? { text: normaliseQuery(q.q!), lexemes } : undefined;
  const alone = !!words && scope.limits === null && !q.cvr && !q.provider && !q.status && !q.destinationId && !q.sender && !q.from && !q.to;
  const key = q.sort === 'sender' ? messages.senderName : q.sort === 'label' ? messages.label
    : q.sort === 'cvr' ? messages.cvr : q.sort === 'status' ? messages.status : undefined;
  // The same order as `order` below, over the matches' (id, r = received_at, k = sort key).
  const matchOrder = (t: string) => sql.raw(!key ? `${t}.r ${dir}, ${t}.id ${dir}` : q.sort === 'status'
    ? `${t}.k ${dir}, ${t}.r ${dir}, ${t}.id ${dir}` : `${t}.k ${dir}, ${t}.r desc, ${t}.id desc`);
  // Only where the matches are read from the letters anyway (words, a sender name: GIN rechecks and
  // the organisation test); a count of other filters is often answered by indexes alone. Not when the
  // subjects are looked up alongside (they give the page).
  const sortInCount = !!(q.q || q.sender) && !alone;
  const [counted, early] = await Promise.all([
    !sortInCount ? db.select({ n: sql<number>`count(*)::int`, id: sql<string | null>`null` })
      .from(db.select({ one: sql`1`.as('one') }).from(messages).where(where).limit(MESSAGE_COUNT_CAP + 1).as('matches'))
      .then((rows) => ({ rows })) :
    db.execute(sql`with m as materialized (select ${messages.id} as id, ${messages.receivedAt} as r, ${key ?? sql`null::text`} as k
        from ${messages} where ${where} limit ${MESSAGE_COUNT_CAP + 1}),
      c as (select count(*)::int as n from m)
      select c.n, p.id from c left join lateral (select m.id, m.k, m.r from m where c.n <= ${MESSAGE_COUNT_CAP}
        order by ${matchOrder('m')} limit ${q.limit} offset ${q.offset}) p on true
      order by ${matchOrder('p')}`),
    alone ? groupsByLexemes(db, scope, where, by, q.offset + q.limit, words!) : undefined,
  ]);
  const countRows = (counted as unknown as { rows: { n: number; id: string | null }[] }).rows;
  const total = Number(countRows[0].n);
  const few = total <= MESSAGE_COUNT_CAP;
  const lexemeGroups = alone ? early
    : words && !few && total > 0 ? await groupsByLexemes(db, scope, where, by, q.offset + q.limit, words) : undefined;
  // Few matches not sorted by the count: fetched through the filters' indexes and sorted, the sort keys
  // wrapped so the index order cannot be chosen.
  const received = few ? sql`${messages.receivedAt} + interval '0 s'` : messages.receivedAt;
  const order = q.sort === 'sender' ? [by(messages.senderName), desc(received), desc(messages.id)]
    : q.sort === 'label' ? [by(messages.label), desc(received), desc(messages.id)]
    : q.sort === 'cvr' ? [by(messages.cvr), desc(received), desc(messages.id)]
    // Status then time in the same direction: the (org, status, received_at) index serves both ways.
    : q.sort === 'status' ? [by(few ? sql`${messages.status} || ''` : messages.status), by(received), by(messages.id)]
    : [by(received), by(messages.id)];
  const rows = total === 0 || q.offset >= total && few ? []
    : lexemeGroups ? await pageOfGroups(db, where, messages.label, lexemeGroups, q.offset, q.limit)
    : few && sortInCount ? await lettersById(db, countRows.flatMap((r) => r.id === null ? [] : [String(r.id)]))
    : (!few && (key === messages.senderName || key === messages.label) && lexemeGroups !== null
      ? await pageByGroups(db, scope, where, key, by, q.offset, q.limit) : null)
      ?? await db.select(letterColumns).from(messages).where(where).orderBy(...order).limit(q.limit).offset(q.offset);
  const ids = rows.map((r) => r.id);
  const cvrs = [...new Set(rows.map((r) => r.cvr))];
  const [names, docs] = ids.length === 0 ? [[], []] : await Promise.all([
    db.select({ cvr: cvrNumbers.cvr, name: cvrNumbers.name }).from(cvrNumbers)
      .where(and(eq(cvrNumbers.orgId, orgId), inArray(cvrNumbers.cvr, cvrs))),
    db.select({ id: documents.messageId, n: count() }).from(documents)
      .where(inArray(documents.messageId, ids)).groupBy(documents.messageId),
  ]);
  const nameOf = new Map(names.map((c) => [c.cvr, c.name]));
  const docsOf = new Map(docs.map((d) => [d.id, Number(d.n)]));
  return {
    items: rows.map((m) => summary(m, nameOf.get(m.cvr) ?? null, docsOf.get(m.id) ?? 0)),
    ...cappedTotal(total, q.offset, q.limit, rows.length),
  };
}

/**
 * The total a page reports. Up to the cap the count is exact. Past it, only what is certain, never a
 * guess: a short page past the cap ends the matches (exact again); a full one shows at least that many
 * (offset + page, or the cap); an empty page past the end leaves only "more than the cap".
 */
export function cappedTotal(counted: number, offset: number, limit: number, shown: number): { total: number; totalCapped?: true } {
  if (counted <= MESSAGE_COUNT_CAP) return { total: counted };
  if (shown === 0) return { total: MESSAGE_COUNT_CAP, totalCapped: true };
  if (shown < limit && offset + shown > MESSAGE_COUNT_CAP) return { total: offset + shown };
  return { total: Math.max(MESSAGE_COUNT_CAP, offset + shown), totalCapped: true };
}

/** A page is gathered group by group from at most this many senders or subjects; more (small groups): one sorted query. */
const GROUP_WALK_MAX = 4;
/** How far along the sort index the first matches are looked for before they are taken from the filters' indexes. */
const WALK_ROWS = 20_000;

/**
 * A page of many matches sorted by sender or subject, newest first within each. The (org, key,
 * received_at) index gives the keys in order, but PostgreSQL still sorts the whole first group by
 * time in one of the two directions (30,000 letters of one sender: 80–190 ms at a million letters).
 * Instead: the keys of the first offset + limit matches, then each key's newest letters by walking
 * the index backwards, joined in key order. The keys are looked for along the index for WALK_ROWS
 * letters; matches of words or a sender may all lie further on ("påmindelse" sorted by subject: after
 * 650,000 letters, 7 s), and then they are taken from the filters' indexes and sorted instead.
 * Null when the page spans more than GROUP_WALK_MAX keys: the groups are small, one sorted query is quick.
 */
async function pageByGroups(db: Db, scope: Scope, where: SQL, key: typeof messages.senderName | typeof messages.label,
  by: typeof asc, offset: number, limit: number): Promise<Letter[] | null> {
  const need = offset + limit;
  // No ORDER BY outside: the walk's order comes through, and it stops as soon as `need` matches are found.
  const walk = db.select({ k: sql<string>`${key}`.as('k'), hit: sql<boolean>`${where}`.as('hit') }).from(messages)
    .where(visibleLetters(scope)).orderBy(by(key)).limit(WALK_ROWS).as('walk');
  let keys = (await db.select({ k: walk.k }).from(walk).where(sql`${walk.hit}`).limit(need)).map((r) => r.k);
  if (keys.length < need) {
    keys = (await db.select({ k: key }).from(messages).where(where).orderBy(by(sql`${key} || ''`)).limit(need)).map((r) => r.k);
  }
  const groups: { k: string; n: number }[] = [];
  for (const k of keys) {
    if (groups.length && groups[groups.length - 1].k === k) groups[groups.length - 1].n++;
    else groups.push({ k, n: 1 });
    if (groups.length > GROUP_WALK_MAX) return null;
  }
  return pageOfGroups(db, where, key, groups, offset, limit);
}

type Letter = Omit<typeof messages.$inferSelect, 'rawEnc' | 'searchVector'>;

/** These letters, in this order. */
async function lettersById(db: Db, ids: string[]): Promise<Letter[]> {
  if (ids.length === 0) return [];
  const got = new Map((await db.select(letterColumns).from(messages).where(inArray(messages.id, ids))).map((m) => [m.id, m]));
  return ids.flatMap((id) => got.get(id) ?? []);
}

/** The page from its groups in order (key, and how many of its matches), each group's newest first. */
async function pageOfGroups(db: Db, where: SQL, key: typeof messages.senderName | typeof messages.label,
  groups: { k: string; n: number }[], offset: number, limit: number): Promise<Letter[]> {
  const parts = await Promise.all(groups.map((g) => db.select(letterColumns).from(messages).where(and(where, eq(key, g.k)))
    .orderBy(desc(messages.receivedAt), desc(messages.id)).limit(g.n)));
  return parts.flat().slice(offset, offset + limit);
}

/**
 * Subjects looked up one by one for a search of words sorted by subject; more (free-text subjects, one
 * letter each): the walk. Listing them costs ≈ 0.05 ms each, spent in vain when there are more.
 */
const LEXEME_KEYS_MAX = 500;

/**
 * Each row's subject paired with each lexeme of its search vector ("subject\x1flexeme"), as the GIN
 * index messages_label_lexeme_idx holds it (written the same here and in the index, or the index is not used).
 * Built from the tsvector's text (one quoted lexeme after another, separated by a space), so the
 * elements of a row depend on each lexeme alone: a row holding lexemes A and B holds the elements
 * of [A, B] for its subject.
 */
export const labelLexemes = (label: SQL, vector: SQL) => sql`string_to_array(${label} || E'\\x1f' || replace(strip(${vector})::text, ' ', E'\\x1e' || ${label} || E'\\x1f'), E'\\x1e')`;
/** A text[] parameter (drizzle expands a JS array into a list). */
const textArray = (xs: string[]) => sql`${`{${xs.map((x) => `"${x.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`}::text[]`;

/**
 * The subjects of the first `need` matches of a search of words (every match holds each lexeme),
 * sorted by subject, and how many of each — without reading the letters of the subjects before them.
 * The organisation's subjects in order (a skip scan along the (org, label, received_at) index), then
 * for each, up to `need` matches, looked up in the label-lexeme index: a subject none of whose
 * letters holds the words has no index entry "subject + word" and costs one index probe. (A search of
 * "påmindelse" sorted by subject: 185 subjects, 650,000 letters before the first match.)
 * undefined when this cannot answer (too many subjects, or the lexemes do not reproduce the query):
 * the caller walks instead; null when the page spans more than GROUP_WALK_MAX subjects.
 */
async function groupsByLexemes(db: Db, scope: Scope, where: SQL, by: typeof asc, need: number,
  words: { text: string; lexemes: string[] }): Promise<{ k: string; n: number }[] | null | undefined> {
  const rowsOf = (r: unknown) => (r as { rows: Record<string, unknown>[] }).rows;
  const [cmp, dir] = by === asc ? [sql.raw('>'), sql.raw('asc')] : [sql.raw('<'), sql.raw('desc')];
  const lexemes = textArray(words.lexemes);
  // Scope limits beyond the organisation are part of `where`, tested per subject below.
  const keys = rowsOf(await db.execute(sql`with recursive k(v) as (
      (select ${messages.label} from ${messages} where ${messages.orgId} = ${scope.orgId} order by ${messages.label} ${dir} limit 1)
      union all
      select (select ${messages.label} from ${messages} where ${messages.orgId} = ${scope.orgId} and ${messages.label} ${cmp} k.v
        order by ${messages.label} ${dir} limit 1) from k where k.v is not null)
    select v, array_to_tsvector(${lexemes}) @@ websearch_to_tsquery('danish', ${words.text}) as ok
    from k where v is not null limit ${LEXEME_KEYS_MAX + 1}`));
  if (keys.length === 0) return [];
  // The lexemes must reproduce the query (every match holds each of them), or the index would miss matches.
  if (keys.length > LEXEME_KEYS_MAX || keys[0].ok !== true) return undefined;
  // The next subject with matches, and how many (up to what the page still needs); one query each.
  const groups: { k: string; n: number }[] = [];
  let rest = keys.map((r) => String(r.v));
  for (let sum = 0; sum < need && rest.length > 0;) {
    const [hit] = rowsOf(await db.execute(sql`select l.v, l.i, c.n from unnest(${textArray(rest)}) with ordinality l(v, i)
      cross join lateral (select count(*)::int as n from (select 1 from ${messages} where ${where} and ${messages.label} = l.v
        and ${labelLexemes(sql`${messages.label}`, sql`${messages.searchVector}`)} @> ${labelLexemes(sql`l.v`, sql`array_to_tsvector(${lexemes})`)}
        limit ${need - sum}) x) c
      where c.n > 0 order by l.i limit 1`));
    if (!hit) break;
    if (groups.length === GROUP_WALK_MAX) return null;
    groups.push({ k: String(hit.v), n: Number(hit.n) });
    sum += Number(hit.n);
    rest = rest.slice(Number(hit.i));
  }
  return groups;
}

const DIGITS_QUERY = /^[\d\s-]+$/;
const COPENHAGEN = 'Europe/Copenhagen';
const isDay = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v);

/** The WHERE of a track & trace search; always within the caller's scope (organisation and role limits). */
async function listFilter(db: Db, scope: Scope, q: MessageListQuery): Promise<{ where: SQL; lexemes?: string[] }> {
  const text = q.q ? normaliseQuery(q.q) : undefined;
  const senderWords = q.sender && !/^\d+$/.test(q.sender) ? wordsOf(q.sender) : [];
  const senderPrefix = senderWords.map((w) => `${w}:*`).join(' & ');
  // Stop words only ("og", "for") make an empty tsquery, which matches nothing; ask PostgreSQL (its
  // Danish stop-word list is the one that counts) and fall back to a substring match for those.
  let textHasWords = true;
  let senderHasWords = senderPrefix !== '';
  let tsquery = '';
  const byName = q.sender !== undefined && !/^\d+$/.test(q.sender);
  const [words, names] = await Promise.all([
    text || senderHasWords ? db.execute(sql`select numnode(websearch_to_tsquery('danish', ${text ?? ''})) as t,
      numnode(to_tsquery('danish', ${senderPrefix})) as s, websearch_to_tsquery('danish', ${text ?? ''})::text as tq`) : undefined,
    byName ? senderNamesLike(db, scope, `%${escapeLike(q.sender!)}%`) : undefined,
  ]);
  if (words) {
    const r = words as unknown as { rows: { t: number; s: number; tq: string }[] };
    textHasWords = Number(r.rows[0].t) > 0;
    senderHasWords = senderHasWords && Number(r.rows[0].s) > 0;
    tsquery = String(r.rows[0].tq ?? '');
  }
  let textCond: SQL | undefined;
  if (text) {
    const words = textHasWords
      ? sql`${messages.searchVector} @@ websearch_to_tsquery('danish', ${text})`
      : ilike(messages.searchText, `%${escapeLike(text.toLowerCase())}%`);
    // A CVR or sender id typed with spaces or dashes ("12 34 56 78") is still that number.
    textCond = DIGITS_QUERY.test(text) ? or(words, eq(messages.senderId, text)) : words;
  }
  let senderCond: SQL | undefined;
  if (q.sender) {
    // The organisation's sender names that contain the text, when they are few: the (org, sender_name)
    // index then finds their letters (the same letters as the ILIKE on each; a prefix query on the GIN
    // index took ≈ 25 ms to list a big sender's 49,000 letters at a million).
    const nameCond = names ? (names.length ? inArray(messages.senderName, names) : sql`false`)
      : ilike(messages.senderName, `%${escapeLike(q.sender)}%`);
    senderCond = /^\d+$/.test(q.sender) ? eq(messages.senderId, q.sender)
      : or(eq(messages.senderId, q.sender), senderHasWords
        // With the names known, the words are tested on those letters only (`|| ''` keeps the GIN index out).
        ? and(names ? sql`(${messages.searchVector} || ''::tsvector) @@ to_tsquery('danish', ${senderPrefix})`
          : sql`${messages.searchVector} @@ to_tsquery('danish', ${senderPrefix})`, nameCond)
        : nameCond);
  }
  // The words as a plain conjunction of lexemes, when the text condition is exactly that (no OR, NOT,
  // phrase, prefix or weight; not a number that may also be a sender id): every match then holds
  // each of them, which the label-lexeme index can look up per subject (pageByGroups).
  const lexemes = text && textHasWords && !DIGITS_QUERY.test(text) ? conjunctionLexemes(tsquery) : undefined;
  const where = and(
    visibleLetters(scope),
    q.cvr ? eq(messages.cvr, q.cvr) : undefined,
    q.provider ? eq(messages.provider, q.provider) : undefined,
    q.status ? eq(messages.status, q.status) : undefined,
    textCond,
    senderCond,
    // No org_id test on deliveries: the letter is the organisation's already, and without it the
    // (destination_id, message_id) index answers alone, without reading a row per delivery.
    q.destinationId ? sql`exists (select 1 from ${deliveries}
      where ${deliveries.destinationId} = ${q.destinationId} and ${deliveries.messageId} = ${messages.id})` : undefined,
    // A limited caller finds letters by a destination only where it may see their deliveries there.
    q.destinationId && scope.limits !== null ? destinationVisibleFor(scope, sql`${messages.cvr}`, sql`${q.destinationId}::uuid`) : undefined,
    // A day is a Copenhagen calendar day; `to` includes its whole day.
    q.from ? (isDay(q.from)
      ? sql`${messages.receivedAt} >= (${q.from}::date)::timestamp at time zone ${COPENHAGEN}`
      : sql`${messages.receivedAt} >= ${q.from}::timestamptz`) : undefined,
    q.to ? (isDay(q.to)
      ? sql`${messages.receivedAt} < (${q.to}::date + 1)::timestamp at time zone ${COPENHAGEN}`
      : sql`${messages.receivedAt} < ${q.to}::timestamptz`) : undefined,
  )!;
  return { where, lexemes };
}

/** `'a' & 'b'` (a tsquery's text) → ['a', 'b']; undefined for anything but an AND of plain lexemes. */
export function conjunctionLexemes(tsquery: string): string[] | undefined {
  const lexeme = String.raw`'((?:[^'\\]|''|\\\\)*)'`;
  if (!new RegExp(`^${lexeme}(?: & ${lexeme})*$`).test(tsquery)) return undefined;
  // tsquery output doubles quotes and backslashes; pageByGroups checks the result against the query.
  return [...tsquery.matchAll(new RegExp(lexeme, 'g'))].map((m) => m[1].replace(/''|\\\\/g, (e) => e[0]));
}

/** Sender names looked up for a sender filter; more (an organisation with very many senders): ILIKE per letter. */
const SENDER_NAMES_MAX = 1_000;

/**
 * The distinct sender names of the organisation's letters that match `pattern` (ILIKE), by a skip scan
 * along the (org, sender_name, received_at) index: one probe per name. undefined when there are more
 * than SENDER_NAMES_MAX names.
 */
async function senderNamesLike(db: Db, scope: Scope, pattern: string): Promise<string[] | undefined> {
  const r = await db.execute(sql`with recursive k(v) as (
      (select ${messages.senderName} from ${messages} where ${messages.orgId} = ${scope.orgId} order by ${messages.senderName} limit 1)
      union all
      select (select ${messages.senderName} from ${messages} where ${messages.orgId} = ${scope.orgId} and ${messages.senderName} > k.v
        order by ${messages.senderName} limit 1) from k where k.v is not null)
    select v, v ilike ${pattern} as hit from (select v from k where v is not null limit ${SENDER_NAMES_MAX + 1}) n`);
  const rows = (r as unknown as { rows: { v: string; hit: boolean }[] }).rows;
  return rows.length > SENDER_NAMES_MAX ? undefined : rows.filter((x) => x.hit).map((x) => String(x.v));
}

/** Digits typed with separators become the number; anything else is passed to websearch_to_tsquery as is. */
function normaliseQuery(text: string): string {
  const digits = text.replace(/[\s-]/g, '');
  return DIGITS_QUERY.test(text) && digits.length > 0 ? digits : text;
}

/** Lower-case letters-and-digits words: safe to put into to_tsquery syntax. */
function wordsOf(s: string): string[] {
  return s.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean).slice(0, 10);
}

export async function getMessage(db: Db, scope: Scope, id: string): Promise<MessageDetail | null> {
  const [row] = await db.select({ m: letterColumns, cvrName: cvrNumbers.name }).from(messages)
    .leftJoin(cvrNumbers, and(eq(cvrNumbers.orgId, messages.orgId), eq(cvrNumbers.cvr, messages.cvr)))
    .where(and(visibleLetters(scope), eq(messages.id, id)));
  if (!row) return null;
  const { orgId } = scope;
  const [docs, allDels, allEvs] = await Promise.all([
    db.select({ id: documents.id, role: documents.role, filename: documents.filename, mimeType: documents.mimeType, size: documents.size })
      .from(documents).where(eq(documents.messageId, id)).orderBy(asc(documents.position)),
    db.select({ d: deliveries, dest: destinations }).from(deliveries)
      .innerJoin(destinations, eq(destinations.id, deliveries.destinationId))
      .where(and(eq(deliveries.orgId, orgId), eq(deliveries.messageId, id))).orderBy(asc(deliveries.createdAt)),
    db.select().from(events).where(and(eq(events.orgId, orgId), eq(events.messageId, id))).orderBy(asc(events.at), asc(events.id)),
  ]);
  // A caller limited to destinations sees the letter through one of its deliveries, and of the trace
  // only what concerns the destinations its limits admit with the letter (store/scope.ts).
  const all = seesAllDeliveriesOf(scope, row.m.cvr);
  const destinationSeen = (destinationId: string) => all || mayUseDestinationFor(scope, row.m.cvr, destinationId);
  const dels = all ? allDels : allDels.filter(({ d }) => destinationSeen(d.destinationId));
  const evs = all ? allEvs : scopedTimeline(allEvs, destinationSeen, new Map(allDels.map(({ d }) => [d.id, d.destinationId])));
  return {
    ...summary(row.m, row.cvrName, docs.length),
    recipientId: row.m.recipientId,
    recipientIdType: row.m.recipientIdType,
    createdAt: row.m.memoCreatedAt.toISOString(),
    notification: row.m.notification,
    documents: docs.map((d) => ({ ...d, role: d.role as 'main' | 'additional' | 'technical' })),
    deliveries: dels.map(({ d, dest }): DeliveryInfo => ({
      id: d.id, status: d.status as DeliveryInfo['status'], attempts: d.attempts, graphMessageId: d.graphMessageId,
      deliveredAt: d.deliveredAt?.toISOString() ?? null, lastError: d.lastError,
      reason: d.reason as DeliveryInfo['reason'], requestedBy: d.requestedBy,
      destination: {
        id: dest.id, kind: dest.kind as DeliveryInfo['destination']['kind'], displayName: dest.displayName, mailbox: dest.mailbox,
        folderPath: dest.kind === 'teams_channel' ? dest.folderPath : displayFolderPath(dest.folderPath),
      },
    })),
    timeline: evs.map((e): TimelineEvent => ({
      at: e.at.toISOString(), type: e.type as TimelineEvent['type'], actor: e.actor, text: e.text, data: e.data,
    })),
    purgedAt: row.m.purgedAt?.toISOString() ?? null,
    legalHold: row.m.legalHold,
  };
}

/** What a timeline event shows when it concerns destinations the caller may see and others it may not. */
export const REDACTED_EVENT_TEXT = 'Details not shown: this step also concerns destinations outside what your role lets you see.';

/**
 * The timeline as a caller who sees only some of the letter's deliveries may see it: an event naming
 * no destination or delivery stays; one about destinations it sees only stays; one about destinations
 * it does not see only is left out; one about both keeps its type, time and actor, its sentence
 * replaced by REDACTED_EVENT_TEXT and its data by `{ redacted: true }` (its names and addresses are
 * in both). A delivery id unknown to the letter counts as not seen. What an event names is read
 * from its data at any depth (destinationsNamed): a reroute's new copy names the earlier copy it
 * moved, removed or left (`delivered`'s `oldCopy.deliveryId`), so it is redacted like
 * `old_copy_removed` for a caller who does not see that earlier copy.
 */
function scopedTimeline<E extends { data: unknown; text: string }>(evs: E[], seen: (destinationId: string) => boolean, deliveryDestination: Map<string, string>): E[] {
  return evs.flatMap((e) => {
    const refs = destinationsNamed(e.data, deliveryDestination);
    if (refs.length === 0) return [e];
    const visible = refs.filter((r) => r !== null && seen(r)).length;
    if (visible === refs.length) return [e];
    if (visible === 0) return [];
    return [{ ...e, text: REDACTED_EVENT_TEXT, data: { redacted: true } }];
  });
}

/** Keys that name destinations (`destinationId`, `destinationIds`, `…DestinationId(s)`) or deliveries (`deliveryId`, `earlierDeliveryId`, `…DeliveryIds`). */
const DESTINATION_KEY = /^(?:destinationIds?|[a-z]\w*DestinationIds?)$/;
const DELIVERY_KEY = /^(?:deliveryIds?|[a-z]\w*DeliveryIds?)$/;

/**
 * The destinations an event's data names, directly or through a delivery of the letter (null: a
 * delivery not of this letter), wherever in the data (`suggestions[].destinationIds`,
 * `oldCopy.deliveryId`): one rule for every event type, so an id nested in a new one is not missed.
 */
function destinationsNamed(data: unknown, deliveryDestination: Map<string, string>): (string | null)[] {
  const out: (string | null)[] = [];
  const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : x === undefined || x === null ? [] : [x]);
  const walk = (v: unknown, depth: number): void => {
    if (!v || typeof v !== 'object') return;
    // Deeper than any event writes: counted as naming a delivery no one sees (redacted, never shown whole).
    if (depth > 8) { out.push(null); return; }
    if (Array.isArray(v)) { for (const x of v) walk(x, depth + 1); return; }
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (DESTINATION_KEY.test(k)) { for (const id of list(x)) if (typeof id === 'string') out.push(id); }
      else if (DELIVERY_KEY.test(k)) { for (const id of list(x)) if (typeof id === 'string') out.push(deliveryDestination.get(id) ?? null); }
      else walk(x, depth + 1);
    }
  };
  walk(data, 0);
  return out;
}

/**
 * The letter one of whose deliveries created the Graph message with this id, in this organisation;
 * null when none did. Deliveries store the *immutable* id Graph returned (we send
 * `Prefer: IdType="ImmutableId"`); a reroute that moved a copy keeps the id, so several deliveries
 * of the same letter can share it — the newest wins. Exact match only: see GET /messages/by-graph-id
 * in api/router.ts for what callers must send. (Reads deliveries by organisation without an index on
 * graph_message_id; one is worth adding once organisations hold many deliveries.)
 */
export async function messageIdByGraphMessageId(db: Db, scope: Scope, graphMessageId: string, internetMessageId?: string): Promise<string | null> {
  // Through a delivery the scope sees: a copy in a mailbox beyond the caller's limits does not lead to the letter.
  const find = async (cond: ReturnType<typeof eq>) => (await db.select({ id: deliveries.messageId }).from(deliveries)
    .innerJoin(messages, and(eq(messages.id, deliveries.messageId), visibleLetters(scope)))
    .where(and(eq(deliveries.orgId, scope.orgId), visibleDeliveries(scope), cond))
    .orderBy(desc(deliveries.createdAt)).limit(1))[0]?.id ?? null;
  // We store Graph's immutable ids; Outlook gives the regular REST id, which differs in Exchange
  // Online. The Internet message id is the same in both worlds, so it is the fallback.
  return (await find(eq(deliveries.graphMessageId, graphMessageId)))
    ?? (internetMessageId ? await find(eq(deliveries.internetMessageId, internetMessageId)) : null);
}

/** The document's metadata and sealed content, if it belongs to a letter the scope may see. */
export async function getDocument(db: Db, scope: Scope, messageId: string, documentId: string) {
  const [row] = await db.select({ d: documents }).from(documents)
    .innerJoin(messages, eq(messages.id, documents.messageId))
    .where(and(visibleLetters(scope), eq(documents.messageId, messageId), eq(documents.id, documentId)));
  return row?.d ?? null;
}

/** The organisation's CVR numbers the scope may see (a limit to destinations alone leaves them all). */
export async function orgCvrNumbers(db: Db, scope: Scope) {
  const cvrs = limitedCvrs(scope);
  return db.select({ cvr: cvrNumbers.cvr, name: cvrNumbers.name }).from(cvrNumbers)
    .where(and(eq(cvrNumbers.orgId, scope.orgId), cvrs ? (cvrs.length ? inArray(cvrNumbers.cvr, cvrs) : sql`false`) : undefined))
    .orderBy(asc(cvrNumbers.name));
}

export async function messageIdsByStatus(db: Db, orgId: string, statuses: string[]) {
  return db.select({ id: messages.id, status: messages.status }).from(messages)
    .where(and(eq(messages.orgId, orgId), inArray(messages.status, statuses)));
}

/** A letter as lists show it. */
export function summary(m: Omit<typeof messages.$inferSelect, 'rawEnc' | 'searchVector'>, cvrName: string | null, documentCount: number): MessageSummary {
  return {
    id: m.id, memoUuid: m.memoUuid, provider: m.provider as MessageSummary['provider'], cvr: m.cvr, cvrName: cvrName ?? m.cvr,
    label: m.label, senderId: m.senderId, senderName: m.senderName, receivedAt: m.receivedAt.toISOString(),
    status: m.status as MessageSummary['status'], documentCount, replyAllowed: m.replyAllowed,
    replyBy: m.replyBy?.toISOString() ?? null,
  };
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}
