// Replying to Digital Post through the whole app (demo mode, NgDP simulator): the simulator receives a
// valid reply MeMo with the ReplyData chain; refusals say why and send nothing; the reply row is
// stored before the send and a retry sends the same messageUUID; the timeline shows who replied.
import { and, eq } from 'drizzle-orm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../backend/src/cli/main';
import { auditLog } from '../../backend/src/store/schema';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { demoMemo, DEMO_ORGANISATION, DEMO_SENDERS, minimalPdf } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { parseMemo } from '../../backend/src/memo/parse';
import type { Memo } from '../../backend/src/memo/types';
import { storeLetter } from '../../backend/src/store/letters';
import { documents, events, mailboxes, messages, replies } from '../../backend/src/store/schema';
import { isSkeleton } from '../../backend/src/memo/original';
import { openOriginal } from '../../backend/src/store/original';
import { apiErrorSchema, messageDetailSchema, replyInfoSchema, replyListSchema } from '../../shared/src/contracts';
import { eventually, testDatabases } from '../helpers/databases';
import { eventDetail } from '../../addin/src/codes';
import { paneLanguages, tr } from '../helpers/i18n';

const [cvrA, , cvrEboks] = DEMO_ORGANISATION.cvrs;
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex'), Buffer.alloc(32)]);
const EXE = Buffer.concat([Buffer.from('4d5a90000300000004000000ffff0000', 'hex'), Buffer.alloc(100)]);

describe.each(testDatabases)('replies on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false });
  });
  afterAll(async () => {
    await app.stop();
    await drop();
  });
  beforeEach(() => app.sims!.ngdp.api.reset());

  const future = () => `${new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 19)}Z`;

  function letter(over: Partial<Memo> & { recipientCvr?: string } = {}): Memo {
    return demoMemo({
      reply: true, replyByDateTime: future(), messageID: 'ERST-1', recipientCvr: cvrA.cvr,
      sender: {
        id: DEMO_SENDERS.erst.cvr, idType: 'CVR', label: DEMO_SENDERS.erst.name,
        contactPoint: { contactPointID: 'erst-regnskab', label: 'Regnskab', contactInfo: [{ label: 'Telefon', value: '35291000' }] },
      },
      contentData: { caseID: [{ caseID: '24-0000001', caseSystem: 'ESDH' }] },
      ...over,
    });
  }

  async function store(memo: Memo, provider = 'ngdp'): Promise<string> {
    const [mb] = await app.database.db.select().from(mailboxes)
      .where(and(eq(mailboxes.orgId, app.demoOrgId!), eq(mailboxes.cvr, memo.recipient.id), eq(mailboxes.provider, provider)));
    return (await storeLetter(app.database.db, app.ctx.sealer, mb, memo, Buffer.from(buildMemoXml(memo)))).messageId;
  }

  /** As ingest does: the letter parsed from the bytes stored (that is when the skeleton can be cut). */
  async function storeAsIngest(memo: Memo): Promise<string> {
    const [mb] = await app.database.db.select().from(mailboxes)
      .where(and(eq(mailboxes.orgId, app.demoOrgId!), eq(mailboxes.cvr, memo.recipient.id), eq(mailboxes.provider, 'ngdp')));
    const raw = Buffer.from(buildMemoXml(memo));
    return (await storeLetter(app.database.db, app.ctx.sealer, mb, parseMemo(raw), raw)).messageId;
  }

  async function reply(id: string, text: string | null, files: { name: string; data: Buffer }[] = [], extra: Record<string, string> = {}, headers: Record<string, string> = {}) {
    const form = new FormData();
    for (const [k, v] of Object.entries(extra)) form.append(k, v);
    if (text !== null) form.append('text', text);
    for (const f of files) form.append('attachments', new Blob([new Uint8Array(f.data)]), f.name);
    const res = await fetch(`${app.url}/api/messages/${id}/reply`, { method: 'POST', body: form, headers });
    return { status: res.status, body: await res.json() as unknown };
  }
  const api = async (method: string, path: string) => {
    const res = await fetch(`${app.url}/api${path}`, { method });
    return { status: res.status, body: await res.json() as unknown };
  };
  const errorOf = (body: unknown) => apiErrorSchema.parse(body).error;
  const rowsOf = (messageId: string) => app.database.db.select().from(replies).where(eq(replies.messageId, messageId));

  test('a reply with an attachment reaches Digital Post as a valid MeMo naming the original, and shows on the timeline', async () => {
    const original = letter();
    const id = await store(original);
    const pdf = minimalPdf('Bilag');
    const r = await reply(id, 'Kære Erhvervsstyrelse\n\nÅrsrapporten er vedhæftet.', [{ name: 'Årsrapport 2024.pdf', data: pdf }, { name: 'foto.png', data: PNG }]);
    expect(r.status).toBe(201);
    const info = replyInfoSchema.parse(r.body);
    expect(info).toMatchObject({ status: 'sent', error: null, requestedBy: 'Demo-bruger', label: `Re: ${original.label}` });
    expect(info.attachments).toEqual([
      { filename: 'Årsrapport 2024.pdf', mimeType: 'application/pdf', size: pdf.length },
      { filename: 'foto.png', mimeType: 'image/png', size: PNG.length },
    ]);

    const sent = app.sims!.ngdp.api.sent();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ transmissionId: info.transmissionId, messageUUID: info.memoUuid, senderCvr: cvrA.cvr, recipientId: DEMO_SENDERS.erst.cvr });
    const memo = parseMemo(sent[0].xml);
    expect(memo.messageUUID).toBe(info.memoUuid);
    expect(memo.sender.id).toBe(cvrA.cvr);
    expect(memo.recipient).toMatchObject({ id: DEMO_SENDERS.erst.cvr, contactPoint: original.sender.contactPoint });
    expect(memo.replyData).toEqual([expect.objectContaining({
      messageUUID: original.messageUUID, messageID: 'ERST-1', replyUUID: info.memoUuid, caseID: '24-0000001', contactPointID: 'erst-regnskab',
    })]);
    expect(memo.body.mainDocument?.files[0]).toMatchObject({ encodingFormat: 'application/pdf', filename: 'Svar.pdf' });
    expect(memo.body.additionalDocuments.map((d) => d.files[0].filename)).toEqual(['Årsrapport 2024.pdf', 'foto.png']);
    expect(memo.body.additionalDocuments[0].files[0].content.equals(pdf)).toBe(true);

    // Stored sealed: what was sent, byte for byte.
    const [row] = await rowsOf(id);
    expect(row.memoEnc.toString('utf8')).not.toContain('<Message');
    expect(app.ctx.sealer.open(row.memoEnc).toString('utf8')).toBe(sent[0].xml);

    const detail = messageDetailSchema.parse((await api('GET', `/messages/${id}`)).body);
    const ev = detail.timeline.find((e) => e.type === 'reply_sent');
    expect(ev).toMatchObject({ actor: 'Demo-bruger', data: expect.objectContaining({ transmissionId: info.transmissionId, replyId: info.id }) });
    expect(ev!.text).toContain(`Digital Post received the reply (transmission ${info.transmissionId})`);
    expect(replyListSchema.parse((await api('GET', `/messages/${id}/replies`)).body).items).toEqual([info]);
  });

  test('a letter with a large document keeps its original as a skeleton, rebuilt exactly for the reply; a missing document is named', async () => {
    const original = letter();
    original.body.mainDocument!.files[0].content = randomBytes(300_000); // base64 cut out of the kept original
    const xml = Buffer.from(buildMemoXml(original));
    const id = await storeAsIngest(original);
    const [m] = await app.database.db.select({ rawEnc: messages.rawEnc }).from(messages).where(eq(messages.id, id));
    const kept = app.ctx.sealer.open(m.rawEnc);
    expect(isSkeleton(kept)).toBe(true);
    expect(kept.length).toBeLessThan(20_000); // not the 400 KB of the original
    expect((await openOriginal(app.database.db, app.ctx.sealer, id, m.rawEnc)).equals(xml)).toBe(true);

    const r = await reply(id, 'Tak for brevet.');
    expect(r.status).toBe(201);
    expect(parseMemo(app.sims!.ngdp.api.sent()[0].xml).replyData).toEqual([expect.objectContaining({ messageUUID: original.messageUUID, messageID: 'ERST-1' })]);

    // Without the stored document the original cannot be rebuilt: the reply is refused with the reason.
    const other = letter();
    other.body.mainDocument!.files[0].content = randomBytes(300_000);
    const otherId = await storeAsIngest(other);
    await app.database.db.delete(documents).where(eq(documents.messageId, otherId));
    const refused = await reply(otherId, 'Tak.');
    expect(refused.status).toBe(409);
    expect(errorOf(refused.body)).toMatchObject({ code: 'reply_original_unreadable' });
    expect(errorOf(refused.body).message).toContain('needs document 1, which is missing');
  });

  test('`brevdue memo original` writes the original byte for byte to a new file, audited; refusals say why', async () => {
    const original = letter();
    original.body.mainDocument!.files[0].content = randomBytes(200_000);
    const xml = Buffer.from(buildMemoXml(original));
    const id = await storeAsIngest(original);
    const dir = mkdtempSync(path.join(tmpdir(), 'brevdue-original-'));
    const env = { openStore: async () => ({ db: app.database.db, sealer: app.ctx.sealer, close: async () => undefined }) };
    const run = async (...argv: string[]) => {
      let out = '';
      const code = await main(['memo', 'original', ...argv], { out: (t) => { out += t; }, err: (t) => { out += t; } }, env);
      return { code, out };
    };
    try {
      const file = path.join(dir, 'original.xml');
      const ok = await run(id, '--out', file);
      expect(ok.code).toBe(0);
      const sha = createHash('sha256').update(xml).digest('hex');
      expect(ok.out).toContain(`wrote ${xml.length} bytes (sha256 ${sha})`);
      expect(readFileSync(file).equals(xml)).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const audited = await app.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'letter.original_exported'), eq(auditLog.targetId, id)));
      expect(audited).toHaveLength(1);
      expect(audited[0].details).toEqual({ bytes: xml.length, sha256: sha });

      writeFileSync(path.join(dir, 'taken.xml'), 'x');
      const refusals: [string[], number, string][] = [
        [[id, '--out', path.join(dir, 'taken.xml')], 3, 'exists already'],
        [[randomUUID(), '--out', path.join(dir, 'none.xml')], 3, 'no letter with id'],
        [['not-an-id', '--out', path.join(dir, 'x.xml')], 2, 'MESSAGE-ID must be a letter id'],
        [[id], 2, 'expected MESSAGE-ID --out FILE'],
      ];
      for (const [argv, code, says] of refusals) {
        const r = await run(...argv);
        expect({ argv, code: r.code }).toEqual({ argv, code });
        expect(r.out).toContain(says);
      }
      expect(readFileSync(path.join(dir, 'taken.xml'), 'utf8')).toBe('x');
      expect(existsSync(path.join(dir, 'none.xml'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('refusals say why and send nothing: not allowed, deadline passed, e-Boks, bad text, bad files, no such letter, reader', async () => {
    const cases: [string, Promise<{ status: number; body: unknown }>, number, RegExp][] = [];
    const noReply = await store(letter({ reply: false, replyByDateTime: undefined }));
    const late = await store(letter({ replyByDateTime: '2020-01-01T00:00:00Z' }));
    const eboks = await store(letter({ recipientCvr: cvrEboks.cvr }), 'eboks');
    const ok = await store(letter());
    cases.push(
      ['reply=false', reply(noReply, 'Hej'), 409, /does not accept replies/],
      ['deadline', reply(late, 'Hej'), 409, /deadline for replying to this letter passed on 2020-01-01 00:00 UTC/],
      ['e-Boks', reply(eboks, 'Hej'), 409, /came through e-Boks; replies can only be sent to Digital Post letters/],
      ['no text', reply(ok, null), 400, /Write the reply text/],
      ['long text', reply(ok, 'a'.repeat(10_001)), 400, /at most 10,000/],
      ['program', reply(ok, 'Hej', [{ name: 'faktura.pdf', data: EXE }]), 422, /"faktura.pdf" is not a file type Digital Post replies accept/],
      ['too big', reply(ok, 'Hej', [{ name: 'stor.png', data: Buffer.concat([PNG, Buffer.alloc(10 * 1024 * 1024)]) }]), 422, /"stor.png" is larger than 10 MB/],
      ['too many', reply(ok, 'Hej', Array.from({ length: 11 }, (_, i) => ({ name: `${i}.png`, data: PNG }))), 422, /at most 10 attachments/],
      ['unknown letter', reply(randomUUID(), 'Hej'), 404, /No letter with that id/],
      ['reader', reply(ok, 'Hej', [], {}, { 'X-Brevdue-Demo-Role': 'reader' }), 403, /admin or operator role/],
    );
    for (const [what, p, status, message] of cases) {
      const r = await p;
      expect({ what, status: r.status }).toEqual({ what, status });
      expect(errorOf(r.body).message).toMatch(message);
    }
    const json = await fetch(`${app.url}/api/messages/${ok}/reply`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"text":"Hej"}' });
    expect(json.status).toBe(400);
    expect(errorOf(await json.json()).message).toMatch(/multipart\/form-data/);
    expect(app.sims!.ngdp.api.sent()).toEqual([]);
    for (const id of [noReply, late, eboks, ok]) expect(await rowsOf(id)).toEqual([]);
  });

  test('the row is stored (sending) before Digital Post is called; a failed send is kept and a retry sends the same UUID', async () => {
    const sim = app.sims!.ngdp.api;
    const id = await store(letter());
    // Slow Digital Post: the row must exist, sealed and "sending", while the request is still on its way.
    sim.setFaults({ latencyMs: 1500 });
    const pending = reply(id, 'Svar under forsendelse');
    const during = await eventually(async () => (await rowsOf(id))[0], 5000, 'the reply row');
    expect(during.status).toBe('sending');
    expect(sim.sent()).toEqual([]);
    expect(parseMemo(app.ctx.sealer.open(during.memoEnc)).messageUUID).toBe(during.memoUuid);
    const first = replyInfoSchema.parse((await pending).body);
    expect(first.status).toBe('sent');
    expect(sim.sent().map((s) => s.messageUUID)).toEqual([during.memoUuid]);

    // Digital Post down: the reply is kept as failed with a sentence, and the timeline says so.
    sim.reset();
    sim.setFaults({ outage: true });
    const r = await reply(id, 'Andet svar', [{ name: 'foto.png', data: PNG }]);
    expect(r.status).toBe(201);
    const failed = replyInfoSchema.parse(r.body);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/Digital Post answered 503 .*Nothing was received; try again in a few minutes/);
    const ev = (await app.database.db.select().from(events).where(and(eq(events.messageId, id), eq(events.type, 'reply_failed'))));
    expect(ev).toHaveLength(1);
    expect(ev[0].actor).toBe('Demo-bruger');

    // Back up: the retry sends the stored memo, same UUID, byte for byte.
    sim.setFaults({});
    const retried = await fetch(`${app.url}/api/messages/${id}/replies/${failed.id}/retry`, { method: 'POST' });
    expect(retried.status).toBe(200);
    const ok = replyInfoSchema.parse(await retried.json());
    expect(ok).toMatchObject({ id: failed.id, memoUuid: failed.memoUuid, status: 'sent' });
    expect(sim.sent()).toHaveLength(1);
    expect(sim.sent()[0].messageUUID).toBe(failed.memoUuid);
    const [row] = (await rowsOf(id)).filter((x) => x.id === failed.id);
    expect(sim.sent()[0].xml).toBe(app.ctx.sealer.open(row.memoEnc).toString('utf8'));
    // A sent reply is not sent again.
    const again = await fetch(`${app.url}/api/messages/${id}/replies/${failed.id}/retry`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(errorOf(await again.json()).message).toMatch(/already received by Digital Post/);
  });

  test('Digital Post answering 503: the failure\'s code and status in the answer, the list and the timeline event; the pane says it in Danish', async () => {
    const sim = app.sims!.ngdp.api;
    const id = await store(letter());
    sim.setFaults({ outage: true });
    const r = await reply(id, 'Svar mens Digital Post er nede');
    sim.setFaults({});
    expect(r.status).toBe(201);
    const failed = replyInfoSchema.parse(r.body);
    expect(failed.status).toBe('failed');
    expect(failed.failure).toEqual({
      code: 'reply_provider_unavailable', params: { status: 503 },
      detail: expect.stringMatching(/^Digital Post answered 503 to POST \/memos\/: SERVICE_UNAVAILABLE: /),
    });
    // The English sentence stays for readers that do not know the codes.
    expect(failed.error).toMatch(/Nothing was received; try again in a few minutes/);
    expect(replyListSchema.parse((await api('GET', `/messages/${id}/replies`)).body).items).toEqual([failed]);

    // Stored in the event's data (no column for it), and answered with the letter's timeline.
    const detail = messageDetailSchema.parse((await api('GET', `/messages/${id}`)).body);
    const ev = detail.timeline.find((e) => e.type === 'reply_failed');
    expect(ev?.data).toMatchObject({ replyId: failed.id, failure: failed.failure });
    const [da] = await paneLanguages();
    const said = eventDetail(ev!, tr(da), 'da');
    expect(said).toMatch(/^Demo-brugers svar til .* blev ikke sendt: Digital Post kunne ikke tage imod svaret lige nu/);
    expect(said).not.toMatch(/answered 503|Nothing was received/);

    // A retry that fails again is listed with its new failure; once sent, none.
    sim.setFaults({ outage: true });
    const again = await fetch(`${app.url}/api/messages/${id}/replies/${failed.id}/retry`, { method: 'POST' });
    sim.setFaults({});
    expect(replyInfoSchema.parse(await again.json()).failure?.code).toBe('reply_provider_unavailable');
    const ok = replyInfoSchema.parse(await (await fetch(`${app.url}/api/messages/${id}/replies/${failed.id}/retry`, { method: 'POST' })).json());
    expect(ok).toMatchObject({ status: 'sent', failure: null });
    expect(replyListSchema.parse((await api('GET', `/messages/${id}/replies`)).body).items[0].failure).toBeNull();
  });

  test('the same memoUuid twice (a lost answer, sent again) is one reply, sent once', async () => {
    const id = await store(letter());
    const memoUuid = randomUUID();
    const a = await reply(id, 'Hej', [], { memoUuid });
    const b = await reply(id, 'Hej', [], { memoUuid });
    expect(a.status).toBe(201);
    expect(b.status).toBe(200);
    expect(replyInfoSchema.parse(b.body)).toEqual(replyInfoSchema.parse(a.body));
    expect(app.sims!.ngdp.api.sent().map((s) => s.messageUUID)).toEqual([memoUuid]);
    expect(await rowsOf(id)).toHaveLength(1);
  });
});
