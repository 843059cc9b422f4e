// A reroute is a person saying "this letter belongs there instead": it teaches the assistant the new
// destinations and takes back what the letter taught before (a rule's delivery, the assistant's own
// placement, an earlier reroute), in the counts that survive a restart. A wrong automatic placement
// counts as a miss in the calibration. A resend, or a reroute to where the letter was taught to go,
// teaches nothing.
import { eq } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { destinations, messages } from '../../backend/src/store/schema';
import { routingInputOf } from '../../backend/src/routing/input';
import { AssistantStore } from '../../backend/src/triage/assistant-store';
import { lessonOf } from '../../backend/src/triage/lesson';
import type { AssistantModel } from '../../backend/src/assistant/model';
import type { Memo } from '../../backend/src/memo/types';
import { messageDetailSchema } from '../../shared/src/contracts';
import { eventually, testDatabases } from '../helpers/databases';
import { callApi, receiveLetter } from '../helpers/app';

const [cvrA, cvrB] = DEMO_ORGANISATION.cvrs;
const SKAT = { id: '19552101', name: 'Skattestyrelsen' };
const KBH = { id: '64942212', name: 'Københavns Kommune' };

describe.each(testDatabases)('the assistant learns from reroutes on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let orgId = '';
  let finance = '';
  let jura = '';
  let third = '';
  let registry: string[] = [];

  beforeEach(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, pollIntervalMs: 60_000, processEveryMs: 100 });
    orgId = app.demoOrgId!;
    const all = await app.database.db.select().from(destinations).where(eq(destinations.orgId, orgId));
    finance = all.find((x) => x.displayName === 'Økonomi – fælles postkasse')!.id;
    registry = all.map((x) => x.id);
    [jura, third] = registry.filter((id) => id !== finance);
    expect(third).toBeDefined();
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
  const inputOf = async (id: string) => routingInputOf(app.ctx, (await app.database.db.select().from(messages).where(eq(messages.id, id)))[0] as never);
  const model = () => app.ctx.assistant.model(orgId);
  /** Examples learnt per target (the '' rows), the zero ones left out. */
  const examples = (m: AssistantModel) => Object.fromEntries(m.targets().map((t) => [t, m.count('', t)]));
  const calibration = (m: AssistantModel) => m.calibrationTable().reduce((s, b) => ({ all: s.all + b.all, hit: s.hit + b.hit }), { all: 0, hit: 0 });
  const top = async (m: AssistantModel, id: string) => m.suggest(await app.ctx.assistant.features(orgId, await inputOf(id)), { allowedTargets: registry })[0];
  const replaceRules = async (...inputs: unknown[]) => {
    for (const r of (await api('GET', '/admin/rules')).body.items) expect((await api('DELETE', `/admin/rules/${r.id}`)).status).toBe(204);
    for (const i of inputs) expect((await api('POST', '/admin/rules', i)).status).toBe(201);
  };
  const reroute = async (id: string, destinationIds: string[]) => {
    const r = await api('POST', `/messages/${id}/reroute`, { destinationIds });
    expect(r.status).toBe(202);
  };
  /** A letter the rule "Skat til Økonomi" delivers, once the assistant has learnt from it. */
  const ruleLetter = async (label: string) => {
    const id = await receiveLetter(app, letter(SKAT, label, cvrA.cvr));
    expect(['routed', 'delivered']).toContain(await settled(id));
    await eventually(async () => (await model()).count('', finance) >= 1 || undefined, 20_000, 'the rule delivery to teach the assistant');
    return id;
  };
  const skatToFinance = () => replaceRules(
    { name: 'Skat til Økonomi', priority: 1, conditions: { senderId: SKAT.id }, action: { kind: 'destinations', destinationIds: [finance] } },
    { name: 'Resten til triage', priority: 2, conditions: { always: true }, action: { kind: 'triage' } },
  );

  test('a reroute takes back the rule delivery\'s lesson and teaches the new place; a fresh store reads the same after a restart', async () => {
    await skatToFinance();
    const id = await ruleLetter('Afgørelse om moms');
    expect(examples(await model())).toEqual({ [finance]: 1 });
    expect((await top(await model(), id)).destinationIds).toEqual([finance]);

    await reroute(id, [jura]);
    const after = await model();
    expect(examples(after)).toEqual({ [jura]: 1 });
    // No feature is left counting the rule's place, and a letter like it is now suggested the new one.
    expect([...after.rows()].filter((r) => r.target === finance && r.delta !== 0)).toEqual([]);
    expect((await top(after, id)).destinationIds).toEqual([jura]);
    expect((await timeline(id)).find((e) => e.type === 'reroute_requested')!.data.taught).toBe(jura);

    // What survives a restart: the counts in the database, read by a new store.
    await app.ctx.assistant.flush();
    const restarted = await new AssistantStore(app.database.db, app.ctx.sealer).model(orgId);
    expect(examples(restarted)).toEqual({ [jura]: 1 });
    expect((await top(restarted, id)).destinationIds).toEqual([jura]);
  }, 60_000);

  test('a letter the assistant placed itself and a person rerouted: its lesson is taken back and it counts as a wrong placement', async () => {
    await replaceRules({ name: 'Alt til triage', priority: 1, conditions: { always: true }, action: { kind: 'triage' } });
    const teacher = await receiveLetter(app, letter(SKAT, 'Rykker for moms', cvrA.cvr));
    const other = await receiveLetter(app, letter(KBH, 'Partshøring om byggesag', cvrB.cvr));
    expect(await settled(teacher)).toBe('triage');
    expect(await settled(other)).toBe('triage');
    const [skatInput, kbhInput] = [await inputOf(teacher), await inputOf(other)];
    for (let i = 0; i < 40; i++) {
      await app.ctx.assistant.learn(orgId, skatInput, [finance], 'placement', registry);
      await app.ctx.assistant.learn(orgId, kbhInput, [jura], 'placement', registry);
    }
    expect((await api('PUT', '/admin/routing-settings', { autoPlaceThreshold: 0.9 })).status).toBe(200);
    const auto = await receiveLetter(app, letter(SKAT, 'Rykker for moms', cvrA.cvr));
    await eventually(async () => (await timeline(auto)).some((e) => e.type === 'auto_placed') || undefined, 20_000, 'auto-placement');
    await eventually(async () => (await model()).count('', finance) === 41 || undefined, 20_000, 'the auto-placement to teach the assistant');
    const before = calibration(await model());

    await reroute(auto, [third]);
    const after = await model();
    expect(examples(after)).toEqual({ [finance]: 40, [jura]: 40, [third]: 1 });
    // The person's verdict on the assistant's top suggestion: one more outcome, not a hit.
    expect(calibration(after)).toEqual({ all: before.all + 1, hit: before.hit });

    await app.ctx.assistant.flush();
    const restarted = await new AssistantStore(app.database.db, app.ctx.sealer).model(orgId);
    expect(examples(restarted)).toEqual({ [finance]: 40, [jura]: 40, [third]: 1 });
    expect(calibration(restarted)).toEqual({ all: before.all + 1, hit: before.hit });

    // A second reroute takes back the first reroute's lesson (not the placement's again), and is no
    // second verdict on the assistant.
    await reroute(auto, [jura]);
    expect(examples(await model())).toEqual({ [finance]: 40, [jura]: 41 });
    expect(calibration(await model())).toEqual({ all: before.all + 1, hit: before.hit });
  }, 60_000);

  test('a resend, and a reroute to where the letter was taught to go, teach nothing; a person\'s placement is taken back too', async () => {
    await skatToFinance();
    const id = await ruleLetter('Afgørelse om moms');
    await eventually(async () => (await statusOf(id)) === 'delivered' || undefined, 20_000, 'the delivery');
    const snapshot = async () => [...(await model()).rows()].map((r) => `${r.feature}|${r.target}|${r.delta}`).sort();
    const was = await snapshot();

    expect((await api('POST', `/messages/${id}/resend`, {})).status).toBe(202);
    await reroute(id, [finance]);
    expect(await snapshot()).toEqual(was);
    expect((await timeline(id)).find((e) => e.type === 'reroute_requested')!.data.taught).toBeUndefined();

    // A letter in triage taught nothing: a person's placement teaches, and a reroute then takes it back.
    const triaged = await receiveLetter(app, letter(KBH, 'Partshøring om byggesag', cvrB.cvr));
    expect(await settled(triaged)).toBe('triage');
    expect((await api('POST', `/triage/${triaged}/place`, { destinationIds: [jura] })).status).toBeLessThan(300);
    await eventually(async () => (await model()).count('', jura) === 1 || undefined, 20_000, 'the placement to teach the assistant');
    await reroute(triaged, [third, jura]);
    expect(examples(await model())).toEqual({ [finance]: 1, [[third, jura].sort().join('+')]: 1 });
  }, 60_000);

  test('concurrent reroutes of one letter: each takes back the lesson of the one before it', async () => {
    await skatToFinance();
    const id = await ruleLetter('Afgørelse om moms');
    await Promise.all([reroute(id, [jura]), reroute(id, [third])]);
    // Whichever came second took back the first one's lesson: one example, where the letter went last.
    const last = (await lessonOf(app.database.db, orgId, id))!;
    expect([jura, third]).toContain(last.target);
    expect(examples(await model())).toEqual({ [last.target]: 1 });
    await app.ctx.assistant.flush();
    expect(examples(await new AssistantStore(app.database.db, app.ctx.sealer).model(orgId))).toEqual({ [last.target]: 1 });
  }, 60_000);
});
