// Auto-placement end to end: routing a letter with the assistant's threshold set. A letter the
// assistant only guesses at (one known destination, nothing of its own in common with what it
// learnt) waits for a person; one whose sender people have placed often enough is placed by it.
import { eq } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { destinations, messages } from '../../backend/src/store/schema';
import { routingInputOf } from '../../backend/src/routing/input';
import type { Memo } from '../../backend/src/memo/types';
import { messageDetailSchema, triageListSchema } from '../../shared/src/contracts';
import { eventually, testDatabases } from '../helpers/databases';
import { callApi, receiveLetter } from '../helpers/app';

const [cvrA, cvrB] = DEMO_ORGANISATION.cvrs;
const SKAT = { id: '19552101', name: 'Skattestyrelsen' };
const KBH = { id: '64942212', name: 'Københavns Kommune' };

describe.each(testDatabases)('auto-placement on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let finance = '';
  let registry: string[] = [];

  beforeEach(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, pollIntervalMs: 60_000, processEveryMs: 100 });
    const all = await app.database.db.select().from(destinations).where(eq(destinations.orgId, app.demoOrgId!));
    finance = all.find((x) => x.displayName === 'Økonomi – fælles postkasse')!.id;
    registry = all.map((x) => x.id);
  });
  afterEach(async () => {
    await app?.stop();
    await drop?.();
  });

  const api = (method: string, path: string, body?: unknown) => callApi(app, method, path, body);
  const letter = (sender: { id: string; name: string }, label: string, cvr: string): Memo => {
    const m = demoMemo({ recipientCvr: cvr, label });
    m.sender = { id: sender.id, idType: 'CVR', label: sender.name };
    return m;
  };
  const statusOf = async (id: string) => (await app.database.db.select({ s: messages.status }).from(messages).where(eq(messages.id, id)))[0].s;
  const settled = (id: string) => eventually(async () => { const s = await statusOf(id); return s !== 'received' && s; }, 20_000, 'a routing decision');
  const timeline = async (id: string) => messageDetailSchema.parse((await api('GET', `/messages/${id}`)).body).timeline;
  const replaceRules = async (...inputs: unknown[]) => {
    for (const r of (await api('GET', '/admin/rules')).body.items) expect((await api('DELETE', `/admin/rules/${r.id}`)).status).toBe(204);
    for (const i of inputs) expect((await api('POST', '/admin/rules', i)).status).toBe(201);
  };
  const knows = (n: number) => eventually(async () => (await app.ctx.assistant.model(app.demoOrgId!)).targets().length >= n || undefined, 20_000, 'the assistant to learn');

  test('one rule delivery does not make the assistant place an unrelated letter "100 % sure"', async () => {
    await replaceRules(
      { name: 'Skat til Økonomi', priority: 1, conditions: { senderId: SKAT.id }, action: { kind: 'destinations', destinationIds: [finance] } },
      { name: 'Resten til triage', priority: 2, conditions: { always: true }, action: { kind: 'triage' } },
    );
    expect((await api('PUT', '/admin/routing-settings', { autoPlaceThreshold: 0.95 })).status).toBe(200);
    const skat = await receiveLetter(app, letter(SKAT, 'Afgørelse om moms', cvrA.cvr));
    expect(['routed', 'delivered']).toContain(await settled(skat));
    await knows(1); // the rule's delivery taught it Økonomi, and nothing else

    const carport = await receiveLetter(app, letter(KBH, 'Byggetilladelse til carport', cvrB.cvr));
    expect(await settled(carport)).toBe('triage');
    // Routing has had its say (the suggestion is on the timeline), and the letter still waits.
    const events = await eventually(async () => { const t = await timeline(carport); return t.some((e) => e.type === 'suggested') && t; }, 20_000, 'the suggestion');
    expect(events.some((e) => e.type === 'auto_placed')).toBe(false);
    expect(await statusOf(carport)).toBe('triage');
    const item = triageListSchema.parse((await api('GET', '/triage')).body).items.find((i) => i.message.id === carport)!;
    expect(item.suggestions[0].destinationIds).toEqual([finance]); // still suggested for a person to judge
    expect(item.suggestions[0].confidence).toBeLessThan(0.95);
  }, 60_000);

  test('letters from a sender people have placed often enough are placed by the assistant, and say so', async () => {
    await replaceRules({ name: 'Alt til triage', priority: 1, conditions: { always: true }, action: { kind: 'triage' } });
    const teacher = await receiveLetter(app, letter(SKAT, 'Rykker for moms', cvrA.cvr));
    expect(await settled(teacher)).toBe('triage');
    const other = await receiveLetter(app, letter(KBH, 'Partshøring om byggesag', cvrB.cvr));
    expect(await settled(other)).toBe('triage');
    // People's placements, as the triage view makes them (each calibrates the confidence first).
    const input = async (id: string) => routingInputOf(app.ctx, (await app.database.db.select().from(messages).where(eq(messages.id, id)))[0] as never);
    const [skatInput, kbhInput] = [await input(teacher), await input(other)];
    const jura = registry.find((id) => id !== finance)!;
    for (let i = 0; i < 40; i++) {
      await app.ctx.assistant.learn(app.demoOrgId!, skatInput, [finance], 'placement', registry);
      await app.ctx.assistant.learn(app.demoOrgId!, kbhInput, [jura], 'placement', registry);
    }
    expect((await api('PUT', '/admin/routing-settings', { autoPlaceThreshold: 0.9 })).status).toBe(200);
    const auto = await receiveLetter(app, letter(SKAT, 'Rykker for moms', cvrA.cvr));
    await eventually(async () => ['routed', 'delivered'].includes(await statusOf(auto)), 20_000, 'auto-placement');
    const ev = (await timeline(auto)).find((e) => e.type === 'auto_placed')!;
    expect(ev.actor).toBe('assistant');
    expect(ev.data.destinationIds).toEqual([finance]);
    expect(Number(ev.data.confidence)).toBeGreaterThanOrEqual(0.9);
    expect(ev.text).not.toContain('100 %');
  }, 60_000);
});
