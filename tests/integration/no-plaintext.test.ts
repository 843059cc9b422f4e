// Nothing readable at rest: letters carrying a known CPR number (label, notification, file name,
// document) and a phrase only in the document go through the whole pipeline (store, text extraction,
// routing, the assistant, delivery); then every table of the database is dumped (row_to_json, and
// bytea columns as raw bytes) and neither the phrase nor the CPR number, with or without the hyphen,
// may appear anywhere. The log lines written meanwhile are checked the same way.
import { and, eq, inArray, sql } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo, minimalPdf } from '../../backend/src/demo/letters';
import { destinations, messages } from '../../backend/src/store/schema';
import { receiveLetter, callApi } from '../helpers/app';
import { eventually, testDatabases } from '../helpers/databases';
import { terms } from '../../backend/src/assistant/text';

const CPR_DASH = '050378-4417';
const CPR_PLAIN = '0503784417';
const PHRASE = 'Glimmerkvarts diagnose';

function needles(): { name: string; bytes: Buffer }[] {
  const out: { name: string; bytes: Buffer }[] = [];
  // The stems too: what the assistant would count of the phrase ("diagnose" → "diagnos").
  for (const s of new Set([CPR_DASH, CPR_PLAIN, PHRASE, PHRASE.toLowerCase(), 'glimmerkvarts', ...terms(PHRASE).map((t) => t.stem)])) {
    out.push({ name: s, bytes: Buffer.from(s, 'utf8') });
    out.push({ name: `${s} (UTF-16)`, bytes: Buffer.from(s, 'utf16le') });
  }
  return out;
}

describe.each(testDatabases)('no plaintext at rest on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  const logLines: string[] = [];

  beforeAll(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, processEveryMs: 100, log: (l) => { logLines.push(l); } });
  });
  afterAll(async () => {
    await app.stop();
    await drop();
  });

  test('a dump of every table holds neither the document phrase nor the CPR number', async () => {
    const ids: string[] = [];
    for (const cvr of DEMO_ORGANISATION.cvrs.slice(0, 2)) {
      const memo = demoMemo({ recipientCvr: cvr.cvr, label: `Journaludskrift for ${CPR_DASH}`, notification: `Vedrørende ${CPR_PLAIN}` });
      const f = memo.body.mainDocument!.files[0];
      f.filename = `Journal ${CPR_DASH}.pdf`;
      f.content = minimalPdf(`${PHRASE} hos patient ${CPR_DASH}`);
      memo.body.mainDocument!.label = 'Journal';
      ids.push(await receiveLetter(app, memo));
    }
    await eventually(async () => {
      const rows = await app.database.db.select({ s: messages.status }).from(messages).where(inArray(messages.id, ids));
      return rows.every((r) => r.s === 'delivered' || r.s === 'triage') && rows;
    }, 30_000, 'letters routed');
    // Views and DSR audit entries, too.
    expect((await callApi(app, 'GET', `/messages/${ids[0]}`)).status).toBe(200);
    expect((await callApi(app, 'POST', '/admin/dsr/search', { cpr: CPR_DASH })).body.letters).toHaveLength(2);
    // The text was extracted (sealed), so the pipeline did see the phrase.
    const extracted = await app.database.db.execute(sql`select count(*)::int as n from documents where text_status = 'ok' and message_id in (${sql.join(ids.map((i) => sql`${i}::uuid`), sql`, `)})`);
    expect(Number(((Array.isArray(extracted) ? extracted : (extracted as { rows: unknown[] }).rows)[0] as { n: number }).n)).toBe(2);
    // A person places a letter waiting in triage: the assistant learns from it (its PDF text too).
    const waiting = await app.database.db.select({ id: messages.id }).from(messages).where(and(inArray(messages.id, ids), eq(messages.status, 'triage')));
    if (waiting.length > 0) {
      const [dest] = await app.database.db.select({ id: destinations.id }).from(destinations).where(eq(destinations.orgId, app.demoOrgId!)).limit(1);
      expect((await callApi(app, 'POST', `/triage/${waiting[0].id}/place`, { destinationIds: [dest.id] })).status).toBe(202);
      await eventually(async () => (await app.ctx.assistant.model(app.demoOrgId!)).count('', dest.id) >= 1 || undefined, 20_000, 'the placement to teach the assistant');
    }
    await new Promise((r) => setTimeout(r, 500)); // let fire-and-forget audit writes land
    await app.ctx.assistant.flush(); // what the assistant learnt from them is in the dump too

    const db = app.database.db;
    const rowsOf = (r: unknown) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as Record<string, unknown>[];
    const tables = rowsOf(await db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`)).map((r) => String(r.table_name));
    expect(tables).toEqual(expect.arrayContaining(['messages', 'documents', 'events', 'deliveries', 'audit_log', 'cpr_mentions', 'assistant_counts', 'agenda_jobs']));
    const findings: string[] = [];
    for (const t of tables) {
      const json = rowsOf(await db.execute(sql`select row_to_json(t)::text as j from ${sql.identifier(t)} t`));
      for (const { j } of json) {
        const text = String(j);
        for (const n of needles()) if (Buffer.from(text, 'utf8').includes(n.bytes)) findings.push(`${t}: "${n.name}" in ${text.slice(0, 200)}`);
      }
      const byteaCols = rowsOf(await db.execute(sql`select column_name from information_schema.columns where table_schema = 'public' and table_name = ${t} and data_type = 'bytea'`)).map((r) => String(r.column_name));
      for (const c of byteaCols) {
        for (const { v } of rowsOf(await db.execute(sql`select ${sql.identifier(c)} as v from ${sql.identifier(t)} where ${sql.identifier(c)} is not null`))) {
          const raw = Buffer.from(v as Uint8Array);
          for (const n of needles()) if (raw.includes(n.bytes)) findings.push(`${t}.${c}: "${n.name}" in the raw bytes`);
        }
      }
    }
    expect(findings).toEqual([]);
    const logLeaks = logLines.filter((l) => needles().some((n) => l.includes(n.bytes.toString('utf8'))));
    expect(logLeaks).toEqual([]);
    // Masked, not dropped: the label keeps the birth date for people.
    const [m] = await db.select({ label: messages.label }).from(messages).where(and(eq(messages.id, ids[0])));
    expect(m.label).toBe('Journaludskrift for 050378-XXXX');
  });
});
