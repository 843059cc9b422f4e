// Key rotation on a real database: `brevdue keys rewrap` re-wraps every sealed column's data keys
// under the new KEK (content ciphertext unchanged), re-indexes the CPR hashes, and afterwards
// everything opens, and every letter is found, with the new key alone.
import { randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { demoMemo, minimalPdf } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { storeLetter } from '../../backend/src/store/letters';
import { destinations, documents, mailboxes, messages } from '../../backend/src/store/schema';
import { routingInputOf } from '../../backend/src/routing/input';
import { AssistantStore } from '../../backend/src/triage/assistant-store';
import { documentTextOf } from '../../backend/src/routing/document-text';
import { createSealer, type Sealer } from '../../backend/src/crypto/envelope';
import { countNotCurrent, SEALED_COLUMNS } from '../../backend/src/crypto/rewrap';
import { lettersMentioning } from '../../backend/src/dsr/cpr-index';
import { main } from '../../backend/src/cli/main';
import { testDatabases } from '../helpers/databases';

describe.each(testDatabases)('key rotation on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);

  beforeAll(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false, kek: k1.toString('base64') });
  });
  afterAll(async () => {
    await app.stop();
    await drop();
  });

  const sealedValues = async () => {
    const out: { where: string; value: Buffer }[] = [];
    for (const { table, column } of SEALED_COLUMNS) {
      const r = await app.database.db.execute(sql`select id::text as id, ${sql.identifier(column)} as v from ${sql.identifier(table)} where ${sql.identifier(column)} is not null order by id`);
      const rows = (Array.isArray(r) ? r : (r as { rows: { id: string; v: Uint8Array }[] }).rows) as { id: string; v: Uint8Array }[];
      for (const row of rows) out.push({ where: `${table}.${column} ${row.id}`, value: Buffer.from(row.v) });
    }
    return out;
  };
  const openAll = async (s: Sealer) => { for (const v of await sealedValues()) s.open(v.value); };

  test('rewrap moves every value to the new key; afterwards the old key is not needed', async () => {
    const memo = demoMemo({ notification: 'Vedr. 010190-1234' });
    memo.body.mainDocument!.files[0].content = minimalPdf('Tekst om 020285-4321');
    const [mb] = await app.database.db.select().from(mailboxes).where(and(eq(mailboxes.orgId, app.demoOrgId!), eq(mailboxes.cvr, memo.recipient.id), eq(mailboxes.provider, 'ngdp')));
    const { messageId } = await storeLetter(app.database.db, app.ctx.sealer, mb, memo, Buffer.from(buildMemoXml(memo)));
    await documentTextOf(app.ctx, messageId);
    // The assistant learns from it: its counts are keyed hashes under the organisation's sealed key.
    const input = await routingInputOf(app.ctx, (await app.database.db.select().from(messages).where(eq(messages.id, messageId)))[0] as never);
    const [dest] = await app.database.db.select({ id: destinations.id }).from(destinations).where(eq(destinations.orgId, app.demoOrgId!)).limit(1);
    await app.ctx.assistant.learn(app.demoOrgId!, input, [dest.id], 'placement');
    await app.ctx.assistant.flush();

    const before = await sealedValues();
    const columns = new Set(before.map((v) => v.where.split(' ')[0]));
    expect(columns).toEqual(new Set(['messages.raw_enc', 'documents.content_enc', 'documents.text_enc', 'mailboxes.secret_enc', 'destinations.webhook_url_enc', 'assistant_keys.key_enc']));
    const [docBefore] = await app.database.db.select().from(documents).where(eq(documents.messageId, messageId));

    const during = createSealer([{ id: 'k2', key: k2 }, { id: 'k1', key: k1 }]);
    const after = createSealer([{ id: 'k2', key: k2 }]);
    await expect(openAll(after)).rejects.toThrow(/key "k1"/);
    expect(await countNotCurrent(app.database.db, during)).toBe(before.length);

    let out = '';
    const code = await main(['keys', 'rewrap'], { out: (t) => { out += t; }, err: (t) => { out += t; } },
      { openStore: async () => ({ db: app.database.db, sealer: during, close: async () => undefined }) });
    expect(out).toContain('every sealed value now uses key "k2"');
    expect(out).toMatch(/CPR index: 1 letters re-indexed/);
    expect(code).toBe(0);

    await openAll(after);
    expect(await countNotCurrent(app.database.db, after)).toBe(0);
    // Only the header changed: the content ciphertext is byte for byte the same.
    const [docAfter] = await app.database.db.select().from(documents).where(eq(documents.messageId, messageId));
    expect(docAfter.contentEnc.subarray(64).equals(docBefore.contentEnc.subarray(64))).toBe(true);
    expect(docAfter.contentEnc.subarray(0, 64).equals(docBefore.contentEnc.subarray(0, 64))).toBe(false);
    expect(after.open(docAfter.contentEnc).equals(memo.body.mainDocument!.files[0].content)).toBe(true);
    // The CPR index now uses the new key: both numbers (MeMo and PDF text) are still found.
    expect(await lettersMentioning(app.database.db, after, app.demoOrgId!, '0101901234')).toEqual([messageId]);
    expect(await lettersMentioning(app.database.db, after, app.demoOrgId!, '0202854321')).toEqual([messageId]);
    // The assistant still knows what it learnt: its key was re-wrapped, so the stored hashes still match.
    const [s] = await new AssistantStore(app.database.db, after).suggest(app.demoOrgId!, input, [dest.id], new Map());
    expect(s?.destinationIds).toEqual([dest.id]);

    // A second run has nothing to do.
    out = '';
    expect(await main(['keys', 'rewrap'], { out: (t) => { out += t; }, err: (t) => { out += t; } },
      { openStore: async () => ({ db: app.database.db, sealer: during, close: async () => undefined }) })).toBe(0);
    expect(out).toContain('messages.raw_enc: 0 re-wrapped, 1 already current');
  });
});
