// Administration of CVR numbers and mailboxes, end to end with the job runner and the NgDP simulator:
// validation, secrets never returned, pause/resume, health with backoff and recovery, removal.
import { eq } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { demoMemo } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { DEMO_SYSTEM } from '../../backend/src/demo/seed';
import { mailboxes, messages } from '../../backend/src/store/schema';
import { apiErrorSchema, cvrViewSchema, mailboxViewSchema } from '../../shared/src/contracts';
import { eventually, testDatabases } from '../helpers/databases';

const NEW_CVR = '12345674'; // passes modulus 11
const SECRET = 'b3f1c2d4-0000-4000-8000-00000000abcd';

describe.each(testDatabases)('administration on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, pollIntervalMs: 500, processEveryMs: 100 });
  });
  afterAll(async () => {
    await app.stop();
    await drop();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.url}/api/admin${path}`, {
      method, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, text };
  };
  const ngdp = () => ({ baseUrl: `${app.url}/sim/ngdp/apis/v1`, systemUsername: DEMO_SYSTEM.username });

  test('CVR numbers are validated: format, modulus 11, duplicates', async () => {
    const short = await call('POST', '/cvrs', { cvr: '1234', name: 'X' });
    expect(short.status).toBe(400);
    expect(apiErrorSchema.parse(short.body).error.message).toMatch(/^cvr: a CVR number has exactly 8 digits/);
    const mod = await call('POST', '/cvrs', { cvr: '12345678', name: 'X' });
    expect(mod.status).toBe(400);
    expect(mod.body.error.message).toMatch(/modulus 11/);
    const ok = await call('POST', '/cvrs', { cvr: NEW_CVR, name: 'Fjordkraft A/S' });
    expect(ok.status).toBe(201);
    const dup = await call('POST', '/cvrs', { cvr: NEW_CVR, name: 'Again' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toContain('Fjordkraft A/S');
    const unknownField = await call('POST', '/cvrs', { cvr: NEW_CVR, name: 'x', extra: 1 });
    expect(unknownField.status).toBe(400);
  });

  test('a mailbox is attached with validated settings; credentials are stored encrypted and never returned', async () => {
    const bad = await call('POST', `/cvrs/${NEW_CVR}/mailboxes`, { provider: 'ngdp', config: { baseUrl: 'not a url', systemUsername: 'x' }, credentials: { systemPassword: SECRET } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^Digital Post settings: baseUrl: /);
    const noSecret = await call('POST', `/cvrs/${NEW_CVR}/mailboxes`, { provider: 'ngdp', config: ngdp(), credentials: {} });
    expect(noSecret.status).toBe(400);
    expect(noSecret.body.error.message).toMatch(/credentials: systemPassword/);
    const unknownCvr = await call('POST', '/cvrs/87654321/mailboxes', { provider: 'ngdp', config: ngdp(), credentials: { systemPassword: SECRET } });
    expect(unknownCvr.status).toBe(404);

    const ok = await call('POST', `/cvrs/${NEW_CVR}/mailboxes`, { provider: 'ngdp', config: ngdp(), credentials: { systemPassword: SECRET } });
    expect(ok.status).toBe(201);
    const mb = mailboxViewSchema.parse(ok.body);
    expect(mb.hasCredentials).toBe(true);
    expect(ok.text).not.toContain(SECRET);
    const list = await call('GET', '/cvrs');
    expect(list.text).not.toContain(SECRET);
    const [row] = await app.database.db.select().from(mailboxes).where(eq(mailboxes.id, mb.id));
    expect(row.secretEnc!.includes(Buffer.from(SECRET))).toBe(false);
    const again = await call('POST', `/cvrs/${NEW_CVR}/mailboxes`, { provider: 'ngdp', config: ngdp(), credentials: { systemPassword: SECRET } });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'exists', params: { what: 'mailbox', cvr: NEW_CVR, provider: 'ngdp' } });
  });

  test('the new mailbox is polled; its letter waits in triage since no rule names the CVR', async () => {
    const m = demoMemo({ recipientCvr: NEW_CVR });
    await app.sims!.ngdp.api.inject(NEW_CVR, buildMemoXml(m));
    // The simulator accepts any system credential it knows; the mailbox uses the demo system's user with another password.
    const mbId = (await call('GET', '/cvrs')).body.items.find((c: { cvr: string }) => c.cvr === NEW_CVR).mailboxes[0].id;
    const health = await eventually(async () => {
      const r = mailboxViewSchema.parse((await call('GET', `/mailboxes/${mbId}`)).body);
      return r.health.lastError ? r : null;
    }, 15_000, 'a failed poll with wrong credentials');
    expect(health.health.lastError).toMatch(/401.*check the system credentials/);
    expect(health.health.lastErrorKind).toBe('credentials_refused');
    expect(['backing_off', 'failing']).toContain(health.health.state);

    const fixed = await call('PATCH', `/mailboxes/${mbId}`, { credentials: { systemPassword: DEMO_SYSTEM.password } });
    expect(fixed.status).toBe(200);
    const row = await eventually(async () => {
      const [r] = await app.database.db.select().from(messages).where(eq(messages.memoUuid, m.messageUUID));
      return r?.status === 'triage' ? r : null;
    }, 20_000, 'the letter in triage');
    expect(row.cvr).toBe(NEW_CVR);
    // Health is written when the poll that stored the letter finishes.
    const ok = await eventually(async () => {
      const v = mailboxViewSchema.parse((await call('GET', `/mailboxes/${mbId}`)).body);
      return v.health.state === 'ok' ? v : null;
    }, 10_000, 'healthy mailbox');
    expect(ok.health).toMatchObject({ state: 'ok', lastError: null, lastErrorKind: null, consecutiveFailures: 0 });
    expect(ok.health.lastFetchAt).not.toBeNull();
  });

  test('a paused mailbox is not fetched until resumed', async () => {
    const cvr = (await call('GET', '/cvrs')).body.items.find((c: { cvr: string }) => c.cvr !== NEW_CVR);
    const mbId = cvr.mailboxes[0].id;
    expect((await call('PATCH', `/mailboxes/${mbId}`, { paused: true })).body.health.state).toBe('paused');
    await new Promise((r) => setTimeout(r, 1000)); // a poll already under way may finish
    const m = demoMemo({ recipientCvr: cvr.cvr });
    await app.sims!.ngdp.api.inject(cvr.cvr, buildMemoXml(m));
    await new Promise((r) => setTimeout(r, 2500)); // five poll intervals
    expect(app.sims!.ngdp.api.waiting(cvr.cvr)).toHaveLength(1);
    await call('PATCH', `/mailboxes/${mbId}`, { paused: false });
    await eventually(async () => app.sims!.ngdp.api.waiting(cvr.cvr).length === 0, 15_000, 'fetched after resume');
  });

  test('a provider outage shows in health with a human sentence, backs off, and recovers by itself', async () => {
    const cvr = (await call('GET', '/cvrs')).body.items.find((c: { cvr: string }) => c.cvr !== NEW_CVR);
    const mbId = cvr.mailboxes[0].id;
    app.sims!.ngdp.api.setFaults({ outage: true });
    const down = await eventually(async () => {
      const r = mailboxViewSchema.parse((await call('GET', `/mailboxes/${mbId}`)).body);
      return r.health.state === 'backing_off' ? r : null;
    }, 15_000, 'backing off');
    expect(down.health.lastError).toMatch(/Digital Post answered 503/);
    expect(down.health.lastErrorKind).toBe('provider_unavailable');
    expect(down.health.nextAttemptAfter).not.toBeNull();
    app.sims!.ngdp.api.setFaults({});
    const m = demoMemo({ recipientCvr: cvr.cvr });
    await app.sims!.ngdp.api.inject(cvr.cvr, buildMemoXml(m));
    await eventually(async () => {
      const r = mailboxViewSchema.parse((await call('GET', `/mailboxes/${mbId}`)).body);
      return r.health.state === 'ok';
    }, 30_000, 'recovery after the outage');
    expect(app.sims!.ngdp.api.waiting(cvr.cvr)).toHaveLength(0);
  });

  test('removing a CVR number stops its mailboxes and keeps its letters', async () => {
    const before = await app.database.db.select().from(messages).where(eq(messages.cvr, NEW_CVR));
    expect((await call('DELETE', `/cvrs/${NEW_CVR}`)).status).toBe(204);
    await new Promise((r) => setTimeout(r, 1000)); // a poll already under way may finish
    const list = (await call('GET', '/cvrs')).body.items.map((c: unknown) => cvrViewSchema.parse(c).cvr);
    expect(list).not.toContain(NEW_CVR);
    await app.sims!.ngdp.api.inject(NEW_CVR, buildMemoXml(demoMemo({ recipientCvr: NEW_CVR })));
    await new Promise((r) => setTimeout(r, 2000));
    expect(app.sims!.ngdp.api.waiting(NEW_CVR)).toHaveLength(1);
    expect(await app.database.db.select().from(messages).where(eq(messages.cvr, NEW_CVR))).toHaveLength(before.length);
    expect((await call('DELETE', `/cvrs/${NEW_CVR}`)).status).toBe(404);
  });
});
