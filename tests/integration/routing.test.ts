// Routing end to end against each test database: the rules API (validation, versions, audit),
// priority/continue/templates with the why on the timeline, rules on the documents' text, the dry
// run, and the triage queue with the assistant learning from placements and auto-placing.
import { and, eq } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo, minimalPdf } from '../../backend/src/demo/letters';
import { deliveries, destinations, mailboxes, messages, rules } from '../../backend/src/store/schema';
import { storeLetter } from '../../backend/src/store/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { AssistantStore } from '../../backend/src/triage/assistant-store';
import { routingInputOf } from '../../backend/src/routing/input';
import type { Memo } from '../../backend/src/memo/types';
import { dryRunResponseSchema, messageDetailSchema, ruleViewSchema, triageListSchema } from '../../shared/src/contracts';
import { eventually, testDatabases } from '../helpers/databases';
import { callApi, receiveLetter } from '../helpers/app';

const [cvrA, cvrB] = DEMO_ORGANISATION.cvrs;
const SKAT = { id: '19552101', name: 'Skattestyrelsen' };
const KBH = { id: '64942212', name: 'Københavns Kommune' };

describe.each(testDatabases)('routing on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let dest: { finance: string; teams: string; folder: string[] };

  const start = async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, pollIntervalMs: 60_000, processEveryMs: 100 });
    const all = await app.database.db.select().from(destinations).where(eq(destinations.orgId, app.demoOrgId!));
    dest = {
      finance: all.find((x) => x.displayName === 'Økonomi – fælles postkasse')!.id,
      teams: all.find((x) => x.kind === 'teams_channel')!.id,
      folder: all.filter((x) => x.displayName.endsWith('– Digital Post')).map((x) => x.id),
    };
  };
  afterEach(async () => {
    await app?.stop();
    await drop?.();
  });

  const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => callApi(app, method, path, body, headers);
  const letter = (sender: { id: string; name: string }, label: string, cvr = cvrA.cvr, pdfText?: string): Memo => {
    const m = demoMemo({ recipientCvr: cvr, label });
    m.sender = { id: sender.id, idType: 'CVR', label: sender.name };
    if (pdfText) m.body.mainDocument!.files[0].content = minimalPdf(pdfText);
    return m;
  };
  const receive = (memo: Memo) => receiveLetter(app, memo);
  const statusOf = async (id: string) => (await app.database.db.select({ s: messages.status }).from(messages).where(eq(messages.id, id)))[0].s;
  const settledStatus = (id: string) => eventually(async () => { const s = await statusOf(id); return s !== 'received' && s; }, 20_000, 'a routing decision');
  const detail = async (id: string) => messageDetailSchema.parse((await api('GET', `/messages/${id}`)).body);
  /** Only the given rules: the demo's catch-alls are removed through the API. */
  const replaceRules = async (...inputs: unknown[]) => {
    for (const r of (await api('GET', '/admin/rules')).body.items) expect((await api('DELETE', `/admin/rules/${r.id}`)).status).toBe(204);
    const out = [];
    for (const i of inputs) {
      const res = await api('POST', '/admin/rules', i);
      expect(res.status).toBe(201);
      out.push(ruleViewSchema.parse(res.body));
    }
    return out;
  };

  test('rules are validated, versioned and audited with who and when', async () => {
    await start();
    const created = await api('POST', '/admin/rules', {
      name: 'Moms til Økonomi', priority: 10, conditions: { all: [{ senderId: SKAT.id }, { text: { field: 'label', words: ['moms'] } }] },
      action: { kind: 'destinations', destinationIds: [dest.finance] },
    });
    expect(created.status).toBe(201);
    const rule = ruleViewSchema.parse(created.body);
    expect(rule.version).toBe(1);
    expect(rule.updatedBy).toBe('Demo-bruger');
    expect(rule.description).toMatch(/19552101/);

    const bad = async (body: unknown, status: number, re: RegExp) => {
      const r = await api('POST', '/admin/rules', body);
      expect(r.status).toBe(status);
      expect(r.body.error.message).toMatch(re);
    };
    const base = { name: 'x', priority: 5, action: { kind: 'destinations', destinationIds: [dest.finance] } };
    await bad({ ...base, conditions: { text: { field: 'label', regex: { pattern: '(a+)+$' } } } }, 422, /catastroph|exponential|backtrack/i);
    await bad({ ...base, conditions: { text: { field: 'label', regex: { pattern: '([a-z' } } } }, 422, /regular expression|regex/i);
    await bad({ ...base, conditions: { all: [{ recipientCvr: cvrA.cvr }, { recipientCvr: cvrB.cvr }] } }, 422, /never match/i);
    await bad({ ...base, conditions: { recipientCvr: '12345674' } }, 422, /12345674/);
    await bad({ ...base, conditions: { always: true }, action: { kind: 'destinations', destinationIds: ['00000000-0000-4000-8000-000000000000'] } }, 422, /destination/i);
    await bad({ ...base, conditions: { bogus: 1 } }, 400, /conditions/i);

    const upd = await api('PATCH', `/admin/rules/${rule.id}`, { priority: 7 }, { 'If-Match': '1' });
    expect(upd.status).toBe(200);
    expect(upd.body.version).toBe(2);
    const stale = await api('PATCH', `/admin/rules/${rule.id}`, { priority: 8 }, { 'If-Match': '1' });
    expect(stale.status).toBe(409);
    expect((await api('DELETE', `/admin/rules/${rule.id}`)).status).toBe(204);
    const history = (await api('GET', `/admin/rules/${rule.id}/versions`)).body.items;
    expect(history.map((h: { change: string }) => h.change)).toEqual(['created', 'updated', 'deleted']);
    expect(history.every((h: { changedBy: string; changedAt: string }) => h.changedBy === 'Demo-bruger' && Date.parse(h.changedAt) > 0)).toBe(true);
    expect((await api('GET', '/admin/rules')).body.items.map((r: { id: string }) => r.id)).not.toContain(rule.id);
  });

  test('priority, continue and folder templates; the timeline says which rules matched and why', async () => {
    await start();
    await replaceRules(
      { name: 'Alt fra Skat til Teams', priority: 10, continue: true, conditions: { senderId: SKAT.id }, action: { kind: 'destinations', destinationIds: [dest.teams] } },
      { name: 'Moms til Økonomi', priority: 20, conditions: { text: { field: 'label', words: ['moms'] } }, action: { kind: 'destinations', destinationIds: [dest.finance], folderTemplate: 'Digital Post/{sender}/{year}' } },
      { name: 'Resten til triage', priority: 30, conditions: { always: true }, action: { kind: 'triage' } },
    );
    const id = await receive(letter(SKAT, 'Momsangivelse: moms for 3. kvartal'));
    expect(await settledStatus(id)).not.toBe('triage');
    const ds = await app.database.db.select().from(deliveries).where(eq(deliveries.messageId, id));
    expect(ds.map((d) => d.destinationId).sort()).toEqual([dest.finance, dest.teams].sort());
    expect(ds.find((d) => d.destinationId === dest.finance)!.folderPath).toBe(`Digital Post/Skattestyrelsen/${new Date().getUTCFullYear()}`);
    const routed = (await detail(id)).timeline.find((e) => e.type === 'routed')!;
    expect(routed.text).toContain('Alt fra Skat til Teams');
    expect(routed.text).toContain('Moms til Økonomi');
    expect(routed.text).toMatch(/moms/);
    // The same as data the task pane says in the reader's language: rules by name, the conditions that held, places by name.
    expect(routed.data.explanation).toEqual({
      outcome: { code: 'routed' },
      matched: [
        { rule: 'Alt fra Skat til Teams', held: [{ condition: { senderId: SKAT.id }, found: SKAT.name }] },
        { rule: 'Moms til Økonomi', held: [{ condition: { text: { field: 'label', words: ['moms'] } } }] },
      ],
    });
    expect((routed.data.places as { name: string }[]).map((p) => p.name).sort()).toEqual(
      (await app.database.db.select().from(destinations).where(eq(destinations.orgId, app.demoOrgId!))).filter((d) => [dest.finance, dest.teams].includes(d.id)).map((d) => d.displayName).sort());

    // A letter that only the last rule takes goes to triage, and says so.
    const other = await receive(letter(KBH, 'Partshøring om byggetilladelse'));
    expect(await settledStatus(other)).toBe('triage');
    expect((await detail(other)).timeline.find((e) => e.type === 'triage')!.text).toContain('Resten til triage');
    expect((await detail(other)).timeline.find((e) => e.type === 'triage')!.data.explanation).toEqual({
      outcome: { code: 'rule_sends_to_triage', params: { rule: 'Resten til triage' } },
      matched: [{ rule: 'Resten til triage', held: [{ condition: { always: true } }] }],
    });
    const fetched = (await detail(other)).timeline.find((e) => e.type === 'fetched')!;
    expect(fetched.data).toMatchObject({ provider: expect.any(String), cvr: cvrA.cvr });
  });

  test('a folder template with a company name "A/S" and a label with ":" and "?" delivers to a mailbox and to Teams alike', async () => {
    await start();
    await replaceRules({
      name: 'Skat til Økonomi og Teams', priority: 1, conditions: { senderId: SKAT.id },
      action: { kind: 'destinations', destinationIds: [dest.finance, dest.teams], folderTemplate: 'Digital Post/{cvrName}/{label}' },
    });
    expect(cvrA.name).toMatch(/A\/S$/);
    const id = await receive(letter(SKAT, 'Afgørelse: moms?', cvrA.cvr));
    await settledStatus(id);
    const ds = await eventually(async () => {
      const rows = await app.database.db.select().from(deliveries).where(eq(deliveries.messageId, id));
      return rows.length === 2 && rows.every((d) => d.status === 'delivered') && rows;
    }, 20_000, 'both deliveries');
    const folder = `Digital Post/${cvrA.name.replace('/', '-')}/Afgørelse - moms`;
    expect(ds.map((d) => d.folderPath)).toEqual([folder, folder]);
  });

  test('a rule on the text of the PDF document', async () => {
    await start();
    await replaceRules({ name: 'Betalingsfrist til Økonomi', priority: 1, conditions: { text: { field: 'documents', words: ['betalingsfrist'] } }, action: { kind: 'destinations', destinationIds: [dest.finance] } });
    const hit = await receive(letter(KBH, 'Opkrævning', cvrA.cvr, 'Betalingsfrist: 1. december. Beløbet skal betales.'));
    const miss = await receive(letter(KBH, 'Opkrævning', cvrA.cvr, 'Ingen frister her.'));
    expect(['routed', 'delivered']).toContain(await settledStatus(hit));
    expect(await settledStatus(miss)).toBe('triage');
    expect((await detail(hit)).timeline.find((e) => e.type === 'routed')!.text).toMatch(/betalingsfrist/i);
  });

  test('dry run shows what a draft rule set would change, and refuses an invalid draft', async () => {
    await start();
    const ids = [await receive(letter(SKAT, 'Moms 1', cvrA.cvr)), await receive(letter(KBH, 'Affald', cvrB.cvr))];
    for (const id of ids) await settledStatus(id);
    const draft = {
      days: 7,
      rules: [
        { name: 'Skat til Økonomi', priority: 1, conditions: { senderId: SKAT.id }, action: { kind: 'destinations', destinationIds: [dest.finance] } },
        { name: 'Resten til triage', priority: 2, conditions: { always: true }, action: { kind: 'triage' } },
      ],
    };
    const r = dryRunResponseSchema.parse((await api('POST', '/admin/rules/dry-run', draft)).body);
    expect(r.letters).toBe(2);
    expect(r.changed).toBe(2);
    expect(r.toTriageBefore).toBe(0);
    expect(r.toTriageAfter).toBe(1);
    const skat = r.changes.find((c) => c.messageId === ids[0])!;
    expect(skat.after.destinations).toEqual(['Økonomi – fælles postkasse']);
    expect(skat.after.rules).toEqual(['Skat til Økonomi']);
    // Nothing was changed by the dry run.
    expect((await api('GET', '/admin/rules')).body.items).toHaveLength(DEMO_ORGANISATION.cvrs.length);
    const invalid = dryRunResponseSchema.parse((await api('POST', '/admin/rules/dry-run', { days: 7, rules: [{ ...draft.rules[0], conditions: { text: { field: 'label', regex: { pattern: '(x+x+)+y' } } } }] })).body);
    expect(invalid.problems[0].rule).toBe('Skat til Økonomi');
  });

  test('dry run names the earlier rules that still take the edited rule\'s letters (the demo\'s "Alt til <CVR>")', async () => {
    await start();
    const ids = [await receive(letter(SKAT, 'Moms 1', cvrA.cvr)), await receive(letter(SKAT, 'Moms 2', cvrB.cvr)), await receive(letter(KBH, 'Affald', cvrA.cvr))];
    for (const id of ids) await settledStatus(id);
    const demo = (await api('GET', '/admin/rules')).body.items.map((r: Record<string, unknown>) => ruleViewSchema.parse(r))
      .map((r: { id: string; name: string; priority: number; enabled: boolean; conditions: unknown; action: unknown; continue: boolean }) => ({
        id: r.id, name: r.name, priority: r.priority, enabled: r.enabled, conditions: r.conditions, action: r.action, continue: r.continue,
      }));
    const moms = { name: 'Moms til Økonomi', enabled: true, conditions: { text: { field: 'label', regex: { pattern: 'moms', flags: 'i' } } }, action: { kind: 'destinations', destinationIds: [dest.finance] } };
    const run = async (rule: object, extra: object = {}) => {
      const res = await api('POST', '/admin/rules/dry-run', { days: 7, rules: [...demo, rule], draft: demo.length, ...extra });
      expect(res.status).toBe(200);
      return dryRunResponseSchema.parse(res.body);
    };

    // Last, behind a catch-all per CVR: nothing changes, and the answer says who takes its letters.
    const last = await run({ ...moms, priority: 1_000_000 });
    expect(last.changed).toBe(0);
    expect(last.draft!.matching).toBe(2);
    expect(last.draft!.placedBy).toEqual([{ rule: `Alt til ${cvrA.name}`, letters: 1 }, { rule: `Alt til ${cvrB.name}`, letters: 1 }]);

    // First: both letters change, and no earlier rule takes them.
    const first = await run({ ...moms, priority: 0 });
    expect(first.changed).toBe(2);
    expect(first.draft).toEqual({ matching: 2, placedBy: [] });

    // Off, or no rule named: no count; a rule index that is not there is refused.
    expect((await run({ ...moms, priority: 0, enabled: false })).draft).toBeUndefined();
    expect((await run({ ...moms, priority: 0 }, { draft: undefined })).draft).toBeUndefined();
    expect((await api('POST', '/admin/rules/dry-run', { days: 7, rules: [moms], draft: 1 })).status).toBe(400);
  });

  test('dry run: a rule that files the same letters in other folders is a change, shown with the folders', async () => {
    await start();
    const skatRule = (folderTemplate: string) => ({
      name: 'Skat til Økonomi', priority: 1, conditions: { senderId: SKAT.id }, action: { kind: 'destinations', destinationIds: [dest.finance], folderTemplate },
    });
    const catchAll = { name: 'Resten til triage', priority: 2, conditions: { always: true }, action: { kind: 'triage' } };
    await replaceRules(skatRule('Skat/{sender}'), catchAll);
    const id = await receive(letter(SKAT, 'Moms', cvrA.cvr));
    await settledStatus(id);
    const run = async (template: string) => dryRunResponseSchema.parse((await api('POST', '/admin/rules/dry-run', { days: 7, rules: [skatRule(template), catchAll] })).body);

    expect((await run('Skat/{sender}')).changed).toBe(0); // the rules in force, as a draft: nothing changes
    const r = await run('Andet/{year}/{kle}');
    expect(r.changed).toBe(1);
    const c = r.changes.find((x) => x.messageId === id)!;
    expect(c.before.places).toEqual([{ destination: 'Økonomi – fælles postkasse', folder: 'Skat/Skattestyrelsen' }]);
    expect(c.after.places).toEqual([{ destination: 'Økonomi – fælles postkasse', folder: expect.stringMatching(/^Andet\/\d{4}\/.+$/) }]);
    expect(c.after.destinations).toEqual(c.before.destinations);
  });

  test('triage: people place letters, the assistant learns, suggests with reasons, survives a restart, and does not auto-place on a handful of placements', async () => {
    await start();
    await replaceRules({ name: 'Alt til triage', priority: 1, conditions: { always: true }, action: { kind: 'triage' } });
    const first = await receive(letter(SKAT, 'Afgørelse om moms for 2. kvartal'));
    expect(await settledStatus(first)).toBe('triage');
    const queue = triageListSchema.parse((await api('GET', '/triage')).body);
    expect(queue.items.map((i) => i.message.id)).toContain(first);
    expect(queue.items[0].why.join(' ')).toContain('Alt til triage');
    expect(queue.items.find((i) => i.message.id === first)!.explanation).toEqual({
      outcome: { code: 'rule_sends_to_triage', params: { rule: 'Alt til triage' } },
      matched: [{ rule: 'Alt til triage', held: [{ condition: { always: true } }] }],
    });

    // A person places letters from Skattestyrelsen about moms in Økonomi, a few times.
    const placed = [first];
    for (let i = 0; i < 4; i++) placed.push(await receive(letter(SKAT, `Rykker: moms for ${i + 1}. kvartal`)));
    for (const id of placed) {
      await settledStatus(id);
      const p = await api('POST', `/triage/${id}/place`, { destinationIds: [dest.finance] });
      expect(p.status).toBe(202);
    }
    const placedTwice = await api('POST', `/triage/${first}/place`, { destinationIds: [dest.finance] });
    expect(placedTwice.status).toBe(409);
    expect(placedTwice.body.error.code).toBe('not_in_triage');
    expect((await detail(first)).timeline.find((e) => e.type === 'placed')!.actor).toBe('Demo-bruger');
    expect((await detail(first)).timeline.find((e) => e.type === 'placed')!.data.destinations).toEqual(['Økonomi – fælles postkasse']);
    await eventually(async () => (await app.database.db.select().from(deliveries).where(eq(deliveries.destinationId, dest.finance))).filter((d) => d.status === 'delivered').length === 5, 20_000, 'placements delivered');

    // The next such letter waits in triage with Økonomi suggested first, and the reason given.
    const next = await receive(letter(SKAT, 'Moms: foreløbig fastsættelse'));
    await settledStatus(next);
    const item = triageListSchema.parse((await api('GET', '/triage')).body).items.find((i) => i.message.id === next)!;
    expect(item.suggestions[0].destinationIds).toEqual([dest.finance]);
    expect(item.suggestions[0].destinations).toEqual(['Økonomi – fælles postkasse']);
    expect(item.suggestions[0].explanation.da).toMatch(/Skattestyrelsen|moms/);
    expect(item.suggestions.length).toBeLessThanOrEqual(3);

    // What it learnt is in the database: a fresh store (as after a restart) suggests the same.
    const [msg] = await app.database.db.select().from(messages).where(eq(messages.id, next));
    await app.ctx.assistant.flush(); // learning is written within a second; now, for the test
    const fresh = new AssistantStore(app.database.db, app.ctx.sealer);
    const again = await fresh.suggest(app.demoOrgId!, await routingInputOf(app.ctx, msg as never), [dest.finance, dest.teams, ...dest.folder], new Map());
    expect(again[0].destinationIds).toEqual([dest.finance]);
    expect(again[0].confidence).toBeCloseTo(item.suggestions[0].confidence, 5);

    // Above the admin's threshold, but five placements are too few to trust its confidence: the letter
    // waits for a person, and the timeline says why (routing-autoplace.test.ts: enough of them, and it places).
    expect((await api('PUT', '/admin/routing-settings', { autoPlaceThreshold: 0.3 })).status).toBe(400);
    expect((await api('PUT', '/admin/routing-settings', { autoPlaceThreshold: 0.5 })).status).toBe(200);
    const held = await receive(letter(SKAT, 'Kontrol af moms'));
    expect(await settledStatus(held)).toBe('triage');
    const suggested = await eventually(async () => (await detail(held)).timeline.find((e) => e.type === 'suggested'), 20_000, 'the suggestion');
    expect(suggested.text).toMatch(/not placed automatically: people have placed only \d+ letters at this confidence/);
    expect((await detail(held)).timeline.some((e) => e.type === 'auto_placed')).toBe(false);
  }, 90_000);

  test('placing refuses destinations outside the registry', async () => {
    await start();
    await replaceRules({ name: 'Alt til triage', priority: 1, conditions: { always: true }, action: { kind: 'triage' } });
    const id = await receive(letter(KBH, 'Varsel'));
    await settledStatus(id);
    const r = await api('POST', `/triage/${id}/place`, { destinationIds: ['00000000-0000-4000-8000-000000000000'] });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/registry/);
    expect((await api('POST', `/triage/${id}/place`, { destinationIds: [] })).status).toBe(400);
    expect(await statusOf(id)).toBe('triage');
    expect((await app.database.db.select().from(rules).where(eq(rules.orgId, app.demoOrgId!))).length).toBeGreaterThan(0);
  });
});
