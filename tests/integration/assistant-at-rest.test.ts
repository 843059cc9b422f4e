// What the assistant learns is not readable at rest (triage/assistant-store.ts): a letter's words —
// stems of its PDF text, of its label and document names — are stored in assistant_counts only as
// keyed hashes under the organisation's sealed key, so a dump of the database names none of them;
// yet suggestions and their sentences, made for the letter at hand, still name the words, and do so
// after a restart. Rows an earlier version stored in clear are converted once, when a store reads the
// organisation's model, also when two processes start at once.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo, minimalPdf } from '../../backend/src/demo/letters';
import { assistantCounts, destinations, messages, organisations } from '../../backend/src/store/schema';
import { AssistantStore, convertClearRows } from '../../backend/src/triage/assistant-store';
import { AssistantModel, targetOf } from '../../backend/src/assistant/model';
import { featuresOf } from '../../backend/src/assistant/features';
import { terms } from '../../backend/src/assistant/text';
import { routingInputOf } from '../../backend/src/routing/input';
import { MIGRATIONS_DIR } from '../../backend/src/paths';
import type { RoutingInput } from '../../backend/src/routing/types';
import type { Memo } from '../../backend/src/memo/types';
import { triageListSchema } from '../../shared/src/contracts';
import { callApi, receiveLetter } from '../helpers/app';
import { eventually, testDatabases } from '../helpers/databases';

const [cvrA, cvrB] = DEMO_ORGANISATION.cvrs;
const PDF_TEXT = 'Epikrise: paranoid skizofreni og hivinfektion, behandling med clozapin og lithiumbehandling.';
const TEXT_WORDS = ['epikrise', 'paranoid', 'skizofreni', 'hivinfektion', 'clozapin', 'lithiumbehandling'];
const LABEL = 'Psykiatrisk udskrivning bipolar affektiv sindslidelse';
const LABEL_WORDS = ['psykiatrisk', 'udskrivning', 'bipolar', 'affektiv', 'sindslidelse'];
const DOC_NAME = 'Skizoaffektiv anoreksi.pdf';
const DOC_WORDS = ['skizoaffektiv', 'anoreksi'];

/** Each word as written and its stem (what a clear feature key held). */
const wordsAndStems = (words: string[]) => [...new Set(words.flatMap((w) => [w, ...terms(w).map((t) => t.stem)]))];

const rowsOf = (r: unknown) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as Record<string, unknown>[];

/** Every table's rows (row_to_json) and bytea columns (raw bytes) that hold one of the needles: "table: needle". */
async function findInDump(db: Brevdue['database']['db'], needles: string[]): Promise<string[]> {
  const bytes = needles.flatMap((n) => [{ n, b: Buffer.from(n, 'utf8') }, { n: `${n} (UTF-16)`, b: Buffer.from(n, 'utf16le') }]);
  const tables = rowsOf(await db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`)).map((r) => String(r.table_name));
  expect(tables).toEqual(expect.arrayContaining(['assistant_counts', 'assistant_keys', 'events', 'documents']));
  const found: string[] = [];
  for (const t of tables) {
    for (const { j } of rowsOf(await db.execute(sql`select row_to_json(t)::text as j from ${sql.identifier(t)} t`))) {
      const text = Buffer.from(String(j), 'utf8');
      for (const x of bytes) if (text.includes(x.b)) found.push(`${t}: "${x.n}" in ${String(j).slice(0, 160)}`);
    }
    const byteaCols = rowsOf(await db.execute(sql`select column_name from information_schema.columns where table_schema = 'public' and table_name = ${t} and data_type = 'bytea'`)).map((r) => String(r.column_name));
    for (const c of byteaCols) {
      for (const { v } of rowsOf(await db.execute(sql`select ${sql.identifier(c)} as v from ${sql.identifier(t)} where ${sql.identifier(c)} is not null`))) {
        const raw = Buffer.from(v as Uint8Array);
        for (const x of bytes) if (raw.includes(x.b)) found.push(`${t}.${c}: "${x.n}" in the raw bytes`);
      }
    }
  }
  return found;
}

describe.each(testDatabases)('the assistant at rest on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let finance = '';
  let registry: string[] = [];

  beforeAll(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, pollIntervalMs: 60_000, processEveryMs: 100 });
    const all = await app.database.db.select().from(destinations).where(eq(destinations.orgId, app.demoOrgId!));
    finance = all.find((x) => x.displayName === 'Økonomi – fælles postkasse')!.id;
    registry = all.map((x) => x.id);
  });
  afterAll(async () => {
    await app?.stop();
    await drop?.();
  });

  const api = (method: string, path: string, body?: unknown) => callApi(app, method, path, body);
  const letter = (o: { sender: { id: string; name: string }; label: string; cvr: string; docName: string }): Memo => {
    const m = demoMemo({ recipientCvr: o.cvr, label: o.label });
    m.sender = { id: o.sender.id, idType: 'CVR', label: o.sender.name };
    const f = m.body.mainDocument!.files[0];
    f.filename = o.docName;
    f.content = minimalPdf(PDF_TEXT);
    return m;
  };
  const inTriage = async (ids: string[]) => eventually(async () => {
    const rows = await app.database.db.select({ s: messages.status }).from(messages).where(inArray(messages.id, ids));
    return rows.length === ids.length && rows.every((r) => r.s === 'triage') && rows;
  }, 30_000, 'letters in triage');
  const inputOf = async (id: string): Promise<RoutingInput> =>
    routingInputOf(app.ctx, (await app.database.db.select().from(messages).where(eq(messages.id, id)))[0] as never);

  test('no word of a letter the assistant learnt from is stored readable; suggestions still name them, also after a restart', async () => {
    const orgId = app.demoOrgId!;
    for (const r of (await api('GET', '/admin/rules')).body.items) expect((await api('DELETE', `/admin/rules/${r.id}`)).status).toBe(204);
    expect((await api('POST', '/admin/rules', { name: 'Alt til triage', priority: 1, conditions: { always: true }, action: { kind: 'triage' } })).status).toBe(201);

    // A person places the first letter: the assistant learns its sender, label, document name and PDF text.
    const region = { id: '29190925', name: 'Region Hovedstaden' };
    const teacher = await receiveLetter(app, letter({ sender: region, label: LABEL, cvr: cvrA.cvr, docName: DOC_NAME }));
    await inTriage([teacher]);
    expect((await api('POST', `/triage/${teacher}/place`, { destinationIds: [finance] })).status).toBeLessThan(300);
    await eventually(async () => (await app.ctx.assistant.model(orgId)).count('', finance) === 1 || undefined, 20_000, 'the placement to teach the assistant');

    // Like it: the same sender and label; and one that shares only the PDF's words (another sender,
    // label, document name and recipient).
    const alike = await receiveLetter(app, letter({ sender: region, label: LABEL, cvr: cvrA.cvr, docName: DOC_NAME }));
    const textOnly = await receiveLetter(app, letter({ sender: { id: '11223344', name: 'Privathospital Øresund' }, label: 'Kopi til orientering', cvr: cvrB.cvr, docName: 'Bilag.pdf' }));
    await inTriage([alike, textOnly]);
    const items = triageListSchema.parse((await api('GET', '/triage')).body).items;
    const shown = (id: string) => items.find((i) => i.message.id === id)!.suggestions[0];
    expect(shown(alike).destinationIds).toEqual([finance]);
    expect(shown(alike).explanation.da).toMatch(new RegExp(`Region Hovedstaden|${[...LABEL_WORDS, ...DOC_WORDS].join('|')}`));
    expect(shown(textOnly).destinationIds).toEqual([finance]);
    // The sentence names a word of the letter's own PDF text, as written.
    expect(shown(textOnly).explanation.da).toMatch(new RegExp(`Breve, hvis dokumenter nævner »(${TEXT_WORDS.join('|')})«`));
    expect(shown(textOnly).explanation.en).toMatch(new RegExp(`Letters whose documents mention ‘(${TEXT_WORDS.join('|')})’`));
    // Its timeline (in clear, as labels are) keeps the suggestion without naming the word.
    const [suggested] = await eventually(async () => {
      const r = rowsOf(await app.database.db.execute(sql`select text, data::text as data from events where message_id = ${textOnly}::uuid and type = 'suggested'`));
      return r.length > 0 && r;
    }, 20_000, 'the suggested event');
    expect(String(suggested.data)).toContain('Breve med samme ord i dokumenterne gik til Økonomi – fælles postkasse 1 af 1 gang.');
    expect(String(suggested.data)).toContain('Letters with the same word in their documents went to Økonomi – fælles postkasse 1 of 1 time.');

    await app.ctx.assistant.flush();
    const stored = await app.database.db.select().from(assistantCounts).where(eq(assistantCounts.orgId, orgId));
    expect(stored.length).toBeGreaterThan(20);
    // Every feature row is keyed: "~<kind prefix>:<22 base64url characters>"; the others are the model's own aggregates.
    for (const r of stored) expect(r.feature).toMatch(/^(~[a-z]+:[A-Za-z0-9_-]{22}|#(k|cal|succ):.*|)$/);
    const counted = stored.map((r) => `${r.feature} ${r.target}`.toLowerCase());
    for (const w of wordsAndStems([...TEXT_WORDS, ...LABEL_WORDS, ...DOC_WORDS, 'region', 'hovedstaden'])) {
      expect(counted.filter((c) => c.includes(w))).toEqual([]);
    }
    // The PDF's words and stems are nowhere in the database (labels and file names are in clear by design: docs/SECURITY.md).
    expect(await findInDump(app.database.db, wordsAndStems(TEXT_WORDS))).toEqual([]);

    // A restart: a new store reads the keyed counts and suggests the same, with the same sentence.
    const restarted = new AssistantStore(app.database.db, app.ctx.sealer);
    const names = new Map((await app.database.db.select().from(destinations).where(eq(destinations.orgId, orgId))).map((d) => [d.id, d.displayName]));
    for (const id of [alike, textOnly]) {
      const [again] = await restarted.suggest(orgId, await inputOf(id), registry, names);
      expect(again.destinationIds).toEqual(shown(id).destinationIds);
      expect(again.explanation).toEqual(shown(id).explanation);
    }
    await restarted.close();
  }, 90_000);

  test('clear rows stored by an earlier version are converted once, merged with keyed ones, also by two stores at once', async () => {
    const db = app.database.db;
    const [{ id: orgId }] = await db.insert(organisations).values({ name: `Overgang ${randomUUID().slice(0, 8)} A/S` }).returning();
    const input: RoutingInput = {
      provider: 'ngdp', senderId: '29190925', senderName: 'Region Hovedstaden', recipientCvr: cvrA.cvr, label: LABEL,
      kle: [], caseIds: [], cprPresent: false, replyRequired: false, documentNames: [DOC_NAME], documentText: PDF_TEXT,
    };
    const target = targetOf([finance]);

    // Learnt once by this version (keyed)…
    const current = new AssistantStore(db, app.ctx.sealer);
    await current.learn(orgId, input, [finance], 'placement', registry);
    await current.close();
    // …and once by an earlier one, which stored the clear keys.
    const legacy = new AssistantModel();
    const clearRows = legacy.learn(featuresOf(input), target, { source: 'placement' });
    const json = JSON.stringify(clearRows.map((d) => ({ f: d.feature, t: d.target, c: d.delta })));
    await db.execute(sql`INSERT INTO assistant_counts (org_id, feature, target, count)
      SELECT ${orgId}::uuid, u.f, u.t, u.c FROM json_to_recordset(${json}::json) AS u(f text, t text, c float8)
      ON CONFLICT (org_id, feature, target) DO UPDATE SET count = assistant_counts.count + excluded.count`);
    const clearNow = async () => (await db.select().from(assistantCounts).where(eq(assistantCounts.orgId, orgId)))
      .filter((r) => r.feature !== '' && !r.feature.startsWith('#') && !r.feature.startsWith('~'));
    expect((await clearNow()).map((r) => r.feature)).toEqual(expect.arrayContaining(['t:skizofreni', 'l:bipolar']));

    // Two processes start at once: both read the model and see clear rows; one converts, the other finds nothing left.
    const [a, b] = [new AssistantStore(db, app.ctx.sealer), new AssistantStore(db, app.ctx.sealer)];
    const [ma, mb] = await Promise.all([a.model(orgId), b.model(orgId)]);
    expect(await clearNow()).toEqual([]);
    const keyed = await a.features(orgId, input);
    const skizo = keyed.find((f) => f.kind === 'text' && f.display === 'skizofreni')!;
    expect(skizo.key).toMatch(/^~t:[A-Za-z0-9_-]{22}$/);
    for (const m of [ma, mb]) {
      expect(m.count('', target)).toBe(2);
      expect(m.count(skizo.key, target)).toBe(2); // the clear row's count merged into the keyed one
    }
    const [row] = await db.select().from(assistantCounts).where(and(eq(assistantCounts.orgId, orgId), eq(assistantCounts.feature, skizo.key), eq(assistantCounts.target, target)));
    expect(row.count).toBe(2);
    // Run again: nothing to do, nothing changed.
    expect(await convertClearRows(db, orgId, (k) => k)).toBe(0);
    const [s] = await a.suggest(orgId, input, registry, new Map([[finance, 'Økonomi']]));
    expect(s.destinationIds).toEqual([finance]);
    expect(s.explanation.da).toMatch(/gik til Økonomi 2 af 2 gange/);
    const counted = (await db.select().from(assistantCounts).where(eq(assistantCounts.orgId, orgId))).map((r) => r.feature.toLowerCase());
    for (const w of wordsAndStems([...TEXT_WORDS, ...LABEL_WORDS, ...DOC_WORDS])) expect(counted.filter((c) => c.includes(w))).toEqual([]);
    await a.close();
    await b.close();
  }, 60_000);

  test('timeline sentences written before that named a word of the document text are rewritten by migration 0019', async () => {
    const db = app.database.db;
    const [m] = await db.select({ id: messages.id, orgId: messages.orgId }).from(messages).limit(1);
    const da = 'Breve, hvis dokumenter nævner »skizofreni«, gik til Økonomi 3 af 4 gange.';
    const en = 'Letters whose documents mention ‘skizofreni’ went to Økonomi 3 of 4 times.';
    await db.execute(sql`insert into events (org_id, message_id, type, actor, text, data) values (${m.orgId}::uuid, ${m.id}::uuid, 'auto_placed', 'assistant',
      ${`The assistant placed the letter automatically (91 % sure): Økonomi. ${en}`}, ${JSON.stringify({ explanation: { da, en }, destinations: ['Økonomi'] })}::jsonb)`);
    const migration = readFileSync(path.join(MIGRATIONS_DIR, '0019_assistant_keys.sql'), 'utf8').split('--> statement-breakpoint');
    const update = migration.find((st) => st.includes('UPDATE events'))!;
    for (let i = 0; i < 2; i++) await db.execute(sql.raw(update)); // twice: idempotent
    const [ev] = rowsOf(await db.execute(sql`select text, data from events where message_id = ${m.id}::uuid and type = 'auto_placed' order by id desc limit 1`));
    expect(ev.text).toBe('The assistant placed the letter automatically (91 % sure): Økonomi. Letters with the same word in their documents went to Økonomi 3 of 4 times.');
    expect(ev.data).toEqual({ explanation: { da: 'Breve med samme ord i dokumenterne gik til Økonomi 3 af 4 gange.', en: 'Letters with the same word in their documents went to Økonomi 3 of 4 times.' }, destinations: ['Økonomi'] });
    expect(await findInDump(db, ['skizofreni'])).toEqual([]);
  });
});
