// A person's CPR number where MeMo puts an id, and in a reply's attachment name: never stored, listed,
// counted or shown in clear. A citizen may write to the company (Sender idType CPR); the letter's row,
// its routing facts, search text, the statistics' tables and the API show DDMMYY-XXXX, and only the
// sealed original keeps the full id (a reply reads it from there). Rules can match persons only in
// that masked form; a rule naming a full CPR number is refused (it could never match, and would keep
// the number in clear).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { and, eq, sql } from 'drizzle-orm';
import type { Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, DEMO_SENDERS, demoMemo, minimalPdf } from '../../backend/src/demo/letters';
import { destinations, events, mailboxes, messages, replies } from '../../backend/src/store/schema';
import { storeLetter } from '../../backend/src/store/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import type { Memo } from '../../backend/src/memo/types';
import { callApi, demoAppForSuite, receiveLetter } from '../helpers/app';
import { eventually, testDatabases } from '../helpers/databases';

const CPR = '0503784417'; // a person writing to the company
const CPR_HYPHEN = '050378-4417';
const ODD_CPR = '3113781234'; // idType CPR, but month 13: no date maskCpr would find, masked all the same
const CVR = DEMO_ORGANISATION.cvrs[0].cvr;
const MIGRATIONS = fileURLToPath(new URL('../../backend/drizzle', import.meta.url));

const rowsOf = (r: unknown) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as Record<string, unknown>[];

/** Every row of every table, as JSON, that holds one of the needles. */
async function tablesHolding(app: Brevdue, needles: string[]): Promise<string[]> {
  const db = app.database.db;
  const tables = rowsOf(await db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`))
    .map((r) => String(r.table_name));
  const hits: string[] = [];
  for (const t of tables) {
    for (const { j } of rowsOf(await db.execute(sql`select row_to_json(t)::text as j from ${sql.identifier(t)} t`))) {
      for (const n of needles) if (String(j).includes(n)) hits.push(`${t}: ${n}`);
    }
  }
  return hits;
}

describe.each(testDatabases)('CPR numbers in clear on $name', (tdb) => {
  const app = demoAppForSuite(tdb, { runJobs: true, processEveryMs: 100 });

  /** Stored as ingest would, with the Sender's label left out of the parsed letter (as a converted letter may have it). */
  async function storeUnlabelled(memo: Memo): Promise<string> {
    const [mb] = await app().database.db.select().from(mailboxes)
      .where(and(eq(mailboxes.orgId, app().demoOrgId!), eq(mailboxes.cvr, CVR), eq(mailboxes.provider, 'ngdp')));
    // The sealed original is not what this test reads: one with a sender MeMo's schema accepts.
    const raw = Buffer.from(buildMemoXml({ ...memo, sender: { id: DEMO_SENDERS.erst.cvr, idType: 'CVR', label: DEMO_SENDERS.erst.name } }));
    const r = await storeLetter(app().database.db, app().ctx.sealer, mb, { ...memo, sender: { id: memo.sender.id, idType: memo.sender.idType } }, raw);
    await app().ctx.jobs.routeSoon(r.messageId);
    return r.messageId;
  }

  test('a person as Sender: stored, listed and counted as DDMMYY-XXXX; rules match that form only', async () => {
    const [dest] = await app().database.db.select().from(destinations).where(eq(destinations.orgId, app().demoOrgId!)).limit(1);
    // A full CPR number in a rule is refused, and the answer does not repeat it.
    const refused = await callApi(app(), 'POST', '/admin/rules', {
      name: 'Jens', priority: 0, conditions: { senderId: CPR }, action: { kind: 'destinations', destinationIds: [dest.id] },
    });
    expect(refused.status).toBe(422); // a rule with problems, as validate.ts refuses it
    expect(JSON.stringify(refused.body)).toContain('050378-XXXX');
    expect(JSON.stringify(refused.body)).not.toContain(CPR);
    // The masked form is what a rule can match.
    const rule = await callApi(app(), 'POST', '/admin/rules', {
      name: 'Personer født 5. marts 1978', priority: 0, conditions: { senderId: '050378-XXXX' },
      action: { kind: 'destinations', destinationIds: [dest.id] },
    });
    expect(rule.status).toBe(201);

    const withLabel = await receiveLetter(app(), demoMemo({ recipientCvr: CVR, label: 'Henvendelse', sender: { id: CPR, idType: 'CPR', label: 'Jens Hansen' } }));
    // A MeMo Sender has a label; a converted e-Boks or mit.dk letter may not (the id is the name then).
    const noLabel = await storeUnlabelled(demoMemo({ recipientCvr: CVR, label: 'Klage', sender: { id: CPR_HYPHEN, idType: 'CPR', label: 'x' } }));
    const odd = await storeUnlabelled(demoMemo({ recipientCvr: CVR, label: 'Spørgsmål', sender: { id: ODD_CPR, idType: 'CPR', label: 'x' } }));
    for (const id of [withLabel, noLabel, odd]) {
      await eventually(async () => {
        const [m] = await app().database.db.select({ s: messages.status }).from(messages).where(eq(messages.id, id));
        return m.s !== 'received';
      }, 30_000, 'routed');
    }
    await app().ctx.assistant.flush();

    const rowOf = async (id: string) => (await app().database.db.select({
      senderId: messages.senderId, senderName: messages.senderName, searchText: messages.searchText, facts: messages.routingFacts,
    }).from(messages).where(eq(messages.id, id)))[0];
    const a = await rowOf(withLabel);
    expect(a).toMatchObject({ senderId: '050378-XXXX', senderName: 'Jens Hansen' });
    expect(a.facts).toMatchObject({ senderId: '050378-XXXX' });
    const b = await rowOf(noLabel);
    expect(b).toMatchObject({ senderId: '050378-XXXX', senderName: '050378-XXXX' });
    expect(b.facts).toMatchObject({ senderId: '050378-XXXX', senderName: '050378-XXXX' });
    const c = await rowOf(odd);
    expect(c).toMatchObject({ senderId: '311378-XXXX', senderName: '311378-XXXX' });
    expect(c.facts).toMatchObject({ senderId: '311378-XXXX' });
    expect(c.searchText).not.toContain(ODD_CPR);

    // The rule on the masked form placed both letters from persons born that day.
    for (const id of [withLabel, noLabel]) {
      const [routed] = await app().database.db.select({ text: events.text }).from(events)
        .where(sql`${events.messageId} = ${id} and ${events.type} = 'routed'`);
      expect(routed?.text).toContain('Personer født 5. marts 1978');
    }

    const list = await callApi(app(), 'GET', '/messages?limit=200');
    const senders = (list.body.items as { id: string; senderId: string; senderName: string }[]).filter((i) => [withLabel, noLabel, odd].includes(i.id));
    expect(senders.map((s) => s.senderId).sort()).toEqual(['050378-XXXX', '050378-XXXX', '311378-XXXX']);
    // The masked id finds them (the pane filters by the id it shows).
    const bySender = await callApi(app(), 'GET', `/messages?sender=${encodeURIComponent('050378-XXXX')}`);
    expect((bySender.body.items as { id: string }[]).map((i) => i.id).sort()).toEqual([withLabel, noLabel].sort());

    const detail = await callApi(app(), 'GET', `/messages/${noLabel}`);
    expect(JSON.stringify(detail.body)).not.toMatch(/0503784417|050378-4417|3113781234/);

    const stats = await callApi(app(), 'GET', '/stats?by=sender');
    const keys = (stats.body.breakdown as { key: string | null }[]).map((r) => r.key);
    expect(keys).toContain('050378-XXXX');
    expect(keys).toContain('311378-XXXX');
    expect(JSON.stringify(stats.body)).not.toMatch(/0503784417|050378-4417|3113781234/);
    const csv = await fetch(`${app().url}/api/stats.csv?by=sender`);
    expect(await csv.text()).not.toMatch(/0503784417|050378-4417|3113781234/);

    // Nowhere in the database in clear (the sealed original is bytes, not text).
    expect(await tablesHolding(app(), [CPR, CPR_HYPHEN, ODD_CPR])).toEqual([]);
  });

  test('a reply attachment named with a CPR number: stored and listed masked, sent to Digital Post as named', async () => {
    const memo = demoMemo({
      reply: true, replyByDateTime: `${new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 19)}Z`, messageID: 'ERST-1', recipientCvr: CVR,
      sender: { id: DEMO_SENDERS.erst.cvr, idType: 'CVR', label: DEMO_SENDERS.erst.name },
    });
    const id = await receiveLetter(app(), memo);
    const form = new FormData();
    form.append('text', 'Hermed journal');
    form.append('attachments', new Blob([new Uint8Array(minimalPdf('journal'))]), `Journal ${CPR_HYPHEN}.pdf`);
    const res = await fetch(`${app().url}/api/messages/${id}/reply`, { method: 'POST', body: form });
    const created = await res.json() as { id: string; attachments: { filename: string }[] };
    expect(res.status).toBe(201);
    expect(created.attachments.map((a) => a.filename)).toEqual(['Journal 050378-XXXX.pdf']);

    const list = await (await fetch(`${app().url}/api/messages/${id}/replies`)).json() as { items: { attachments: { filename: string }[] }[] };
    expect(list.items[0].attachments.map((a) => a.filename)).toEqual(['Journal 050378-XXXX.pdf']);

    const [row] = await app().database.db.select().from(replies).where(eq(replies.id, created.id));
    expect(JSON.stringify(row.attachments)).not.toContain(CPR_HYPHEN);
    // What went to Digital Post is the file as the person named it.
    expect(app().ctx.sealer.open(row.memoEnc).toString('utf8')).toContain(`Journal ${CPR_HYPHEN}.pdf`);

    // A row stored before names were masked is listed masked too.
    await app().database.db.update(replies).set({ attachments: [{ filename: `Journal ${CPR_HYPHEN}.pdf`, mimeType: 'application/pdf', size: 1 }] })
      .where(eq(replies.id, created.id));
    const again = await (await fetch(`${app().url}/api/messages/${id}/replies`)).json() as { items: { attachments: { filename: string }[] }[] };
    expect(again.items[0].attachments.map((a) => a.filename)).toEqual(['Journal 050378-XXXX.pdf']);
  });

  test('migration 0018 masks what was stored in clear before (letters, statistics, reply attachments)', async () => {
    const db = app().database.db;
    const id = await receiveLetter(app(), demoMemo({ recipientCvr: CVR, label: 'Gammelt brev', sender: { id: CPR, idType: 'CPR', label: 'Jens Hansen' } }));
    await eventually(async () => (await db.select({ s: messages.status }).from(messages).where(eq(messages.id, id)))[0].s !== 'received', 30_000, 'routed');
    // As it was stored before: the id in clear, also as the name and in the facts; the statistics'
    // triggers carry it into stats_letters and stats_deltas, the fold into stats_counts.
    await db.update(messages).set({
      senderId: CPR, senderName: CPR, searchText: `gammelt brev ${CPR}`,
      routingFacts: sql`${messages.routingFacts} || jsonb_build_object('senderId', ${CPR}::text, 'senderName', ${CPR}::text)`,
    }).where(eq(messages.id, id));
    await db.execute(sql`select brevdue_stats_compact(null)`);
    const [reply] = await db.select({ id: replies.id }).from(replies).limit(1);
    expect(reply).toBeDefined(); // the test above sent one
    if (reply) {
      await db.update(replies).set({ attachments: [{ filename: `Journal ${CPR_HYPHEN}.pdf`, mimeType: 'application/pdf', size: 1 }, { filename: 'Faktura 12345678.pdf', mimeType: 'application/pdf', size: 1 }] })
        .where(eq(replies.id, reply.id));
    }
    expect((await tablesHolding(app(), [CPR, CPR_HYPHEN])).length).toBeGreaterThan(0);

    const file = readdirSync(MIGRATIONS).find((f) => /^\d{4}_mask_cpr_party_ids\.sql$/.test(f))!;
    const statements = readFileSync(join(MIGRATIONS, file), 'utf8').split('--> statement-breakpoint');
    for (let run = 0; run < 2; run++) for (const st of statements) await db.execute(sql.raw(st)); // twice: idempotent

    expect(await tablesHolding(app(), [CPR, CPR_HYPHEN])).toEqual([]);
    const [row] = await db.select({ senderId: messages.senderId, senderName: messages.senderName, facts: messages.routingFacts, searchText: messages.searchText })
      .from(messages).where(eq(messages.id, id));
    expect(row).toMatchObject({ senderId: '050378-XXXX', senderName: '050378-XXXX', searchText: 'gammelt brev 050378-xxxx' });
    expect(row.facts).toMatchObject({ senderId: '050378-XXXX', senderName: '050378-XXXX' });
    if (reply) {
      const [r] = await db.select({ a: replies.attachments }).from(replies).where(eq(replies.id, reply.id));
      expect(r.a.map((a) => a.filename)).toEqual(['Journal 050378-XXXX.pdf', 'Faktura 12345678.pdf']);
    }
    // Counted again, exactly: the rollup equals the live count, under the masked key.
    const stats = await callApi(app(), 'GET', '/stats?by=sender');
    const persons = (stats.body.breakdown as { key: string; fetched: number }[]).find((b) => b.key === '050378-XXXX');
    const [{ n }] = rowsOf(await db.execute(sql`select count(*)::int as n from messages where sender_id = '050378-XXXX'`)) as { n: number }[];
    expect(persons?.fetched).toBe(Number(n));
  });
});
