// A CVR number belongs to at most one organisation of the installation. Before, each organisation
// could add any CVR number (they are public), also another organisation's, with a push-mode Digital
// Post mailbox: Digital Post's pushes for it were then refused (404) or stored in the claimant's
// organisation. Now the API refuses a taken CVR number with a 409 that does not say who holds it, the
// database holds one active row per CVR number (cvr_numbers_cvr_active_uq, migration 0020), and the
// push receiver resolves a CVR number to the mailbox of the organisation holding it or refuses; it
// never chooses between organisations.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Brevdue } from '../../backend/src/app';
import { cvrNumbers, mailboxes, messages, organisations } from '../../backend/src/store/schema';
import { ngdpPushDepsFromContext } from '../../backend/src/ingest/ngdp/push-store';
import { ngdpPushRouter } from '../../backend/src/ingest/ngdp/push';
import { demoMemo } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { startIdp, startProductionBrevdue, type TestIdp } from '../helpers/entra';
import { testDatabases } from '../helpers/databases';

// Valid CVR numbers (modulus 11).
const CVR_B = '12345674';
const CVR_RACE = '55133018';
const CVR_MOVES = '17150413';
const NGDP = 'https://api.digitalpost.dk/apis/v1';

describe.each(testDatabases)('one organisation per CVR number on $name', (tdb) => {
  let idp: TestIdp; let app: Brevdue; let drop: () => Promise<void>;
  const tenantA = randomUUID(); const tenantB = randomUUID();
  let orgA = ''; let orgB = ''; let pushBase = ''; let close: () => void = () => {};
  const tokens: Record<'A' | 'B', string> = { A: '', B: '' };
  const orgName = { A: `Attacker A ${randomUUID().slice(0, 8)}`, B: `Victim B ${randomUUID().slice(0, 8)}` };

  beforeAll(async () => {
    idp = await startIdp();
    const d = await tdb.create(); drop = d.drop;
    app = await startProductionBrevdue(idp, { databaseUrl: d.databaseUrl, security: { ipLimit: 100_000, userLimit: 100_000 } });
    const db = app.database.db;
    [{ id: orgA }] = await db.insert(organisations).values({ name: orgName.A, entraTenantId: tenantA }).returning();
    [{ id: orgB }] = await db.insert(organisations).values({ name: orgName.B, entraTenantId: tenantB }).returning();
    tokens.A = await idp.token({ tid: tenantA, claims: { oid: randomUUID(), roles: ['admin'] } });
    tokens.B = await idp.token({ tid: tenantB, claims: { oid: randomUUID(), roles: ['admin'] } });
    // The push receiver as the app wires it, with the certificate check passed (the test plays Digital Post).
    const deps = ngdpPushDepsFromContext(app.ctx, { source: 'insecure-none' }, { sendReceipt: async () => undefined });
    const router = ngdpPushRouter({ ...deps, verifyClientCert: () => ({ ok: true, subject: 'NgDP', thumbprint: '' }) });
    const srv = express().use('/ngdp/push', router).listen(0, '127.0.0.1');
    await new Promise((r) => srv.once('listening', r));
    pushBase = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/ngdp/push`;
    close = () => { router.close(); deps.close(); srv.close(); };
  }, 60_000);
  afterAll(async () => { close(); await app?.stop(); await idp?.close(); await drop?.(); });

  const api = async (who: 'A' | 'B', method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.url}/api${path}`, {
      method, headers: { Authorization: `Bearer ${tokens[who]}`, ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, text, body: text ? JSON.parse(text) as { error?: { code: string; message: string } } : null };
  };
  const push = async (cvr: string, label: string) => {
    const memo = demoMemo({ recipientCvr: cvr, label });
    const form = new FormData();
    form.append('file', new Blob([buildMemoXml(memo)], { type: 'application/xml' }), memo.messageUUID);
    const res = await fetch(`${pushBase}/${cvr}`, { method: 'POST', body: form });
    return { status: res.status, text: await res.text() };
  };
  const ownerOf = async (label: string) => {
    const rows = await app.database.db.select({ org: messages.orgId }).from(messages).where(eq(messages.label, label));
    return rows.map((r) => (r.org === orgA ? 'A' : r.org === orgB ? 'B' : '?'));
  };
  const pushMailbox = { provider: 'ngdp', config: { baseUrl: NGDP, systemUsername: 'sys', mode: 'push' }, credentials: { systemPassword: 'pw' } };

  test('a CVR number another organisation holds is refused with a 409 that does not say who holds it; its pushes stay with the holder', async () => {
    expect((await api('B', 'POST', '/admin/cvrs', { cvr: CVR_B, name: 'B A/S' })).status).toBe(201);
    expect((await api('B', 'POST', `/admin/cvrs/${CVR_B}/mailboxes`, pushMailbox)).status).toBe(201);
    const before = await push(CVR_B, 'Brev til B #1');
    expect(before.status).toBe(200);

    const claim = await api('A', 'POST', '/admin/cvrs', { cvr: CVR_B, name: 'Not ours' });
    expect(claim.status).toBe(409);
    expect(claim.body!.error!.code).toBe('cvr_taken');
    expect(claim.body!.error!.message).toMatch(/^CVR 12345674 is already connected to another organisation in this Brevdue installation/);
    for (const leak of [orgB, orgName.B, 'B A/S', tenantB]) expect(claim.text).not.toContain(leak);
    // Nor a mailbox for it: the number is not A's.
    expect((await api('A', 'POST', `/admin/cvrs/${CVR_B}/mailboxes`, pushMailbox)).status).toBe(404);
    expect((await api('A', 'GET', '/admin/cvrs')).text).not.toContain(CVR_B);

    expect((await push(CVR_B, 'Brev til B #2 (helbred)')).status).toBe(200);
    expect(await ownerOf('Brev til B #1')).toEqual(['B']);
    expect(await ownerOf('Brev til B #2 (helbred)')).toEqual(['B']);
    // B adding it again is B's own "exists", not "taken".
    expect((await api('B', 'POST', '/admin/cvrs', { cvr: CVR_B, name: 'B' })).body!.error!.code).toBe('cvr_exists');
  });

  test('the database holds one active row per CVR number; a removed one frees it', async () => {
    const db = app.database.db;
    await expect(db.insert(cvrNumbers).values({ orgId: orgA, cvr: CVR_B, name: 'direct' })).rejects.toThrow();
    // A removed row of another organisation does not hold the number: it moves.
    expect((await api('B', 'POST', '/admin/cvrs', { cvr: CVR_MOVES, name: 'Solgt ApS' })).status).toBe(201);
    expect((await api('A', 'POST', '/admin/cvrs', { cvr: CVR_MOVES, name: 'Købt ApS' })).status).toBe(409);
    expect((await api('B', 'DELETE', `/admin/cvrs/${CVR_MOVES}`)).status).toBe(204);
    expect((await api('A', 'POST', '/admin/cvrs', { cvr: CVR_MOVES, name: 'Købt ApS' })).status).toBe(201);
    // …and B's removed row cannot come back while A holds it (the re-add path, an UPDATE of B's own row).
    const back = await api('B', 'POST', '/admin/cvrs', { cvr: CVR_MOVES, name: 'Solgt ApS' });
    expect([back.status, back.body!.error!.code]).toEqual([409, 'cvr_taken']);
    const active = await db.select().from(cvrNumbers).where(and(eq(cvrNumbers.cvr, CVR_MOVES), isNull(cvrNumbers.removedAt)));
    expect(active.map((r) => r.orgId)).toEqual([orgA]);
  });

  test('two organisations adding the same CVR number at once: one gets it, the other a 409', async () => {
    const results = await Promise.all([
      api('A', 'POST', '/admin/cvrs', { cvr: CVR_RACE, name: 'A' }),
      api('B', 'POST', '/admin/cvrs', { cvr: CVR_RACE, name: 'B' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.status === 409)!.body!.error!.code).toBe('cvr_taken');
    const active = await app.database.db.select().from(cvrNumbers).where(and(eq(cvrNumbers.cvr, CVR_RACE), isNull(cvrNumbers.removedAt)));
    expect(active).toHaveLength(1);
  });

  test('the push receiver never chooses between organisations: only the holder\'s mailbox, else refused', async () => {
    const db = app.database.db;
    // A mailbox row of A for B's number, as one saved before the fix could be: never used.
    await db.insert(mailboxes).values({ orgId: orgA, cvr: CVR_B, provider: 'ngdp', config: { baseUrl: NGDP, systemUsername: 'x', mode: 'push' },
      secretEnc: app.ctx.sealer.seal(JSON.stringify({ systemPassword: 'x' })) });
    expect((await push(CVR_B, 'Brev til B #3')).status).toBe(200);
    // B's mailbox in pull mode does not hand B's pushes to A's push-mode one (the old tie-break did).
    await db.update(mailboxes).set({ config: { baseUrl: NGDP, systemUsername: 'sys', mode: 'pull' } }).where(and(eq(mailboxes.orgId, orgB), eq(mailboxes.cvr, CVR_B)));
    expect((await push(CVR_B, 'Brev til B #4')).status).toBe(200);
    expect(await ownerOf('Brev til B #3')).toEqual(['B']);
    expect(await ownerOf('Brev til B #4')).toEqual(['B']);
    // Nobody holds the number any more: refused, stored nowhere.
    await db.update(cvrNumbers).set({ removedAt: new Date() }).where(and(eq(cvrNumbers.orgId, orgB), eq(cvrNumbers.cvr, CVR_B)));
    const orphan = await push(CVR_B, 'Brev til ingen');
    expect(orphan.status).toBe(404);
    expect(await ownerOf('Brev til ingen')).toEqual([]);
  });

  test('migration 0020 stops with the CVR numbers several organisations hold, and creates the index otherwise', async () => {
    const [check, index] = readFileSync(new URL('../../backend/drizzle/0020_cvr_one_organisation.sql', import.meta.url), 'utf8').split('--> statement-breakpoint');
    const db = app.database.db;
    await db.execute(sql`DROP INDEX cvr_numbers_cvr_active_uq`);
    try {
      await db.insert(cvrNumbers).values([{ orgId: orgA, cvr: '64942212', name: 'A' }, { orgId: orgB, cvr: '64942212', name: 'B' }]);
      const refused = await db.execute(sql.raw(check)).then(() => null, (e: Error & { cause?: Error }) => `${e.message} ${e.cause?.message ?? ''}`);
      expect(refused).toMatch(/CVR numbers held by more than one organisation: 64942212/);
      await db.update(cvrNumbers).set({ removedAt: new Date() }).where(and(eq(cvrNumbers.orgId, orgA), eq(cvrNumbers.cvr, '64942212')));
      await db.execute(sql.raw(check));
    } finally {
      // Whatever happened above, the index comes back (no other test's rows hold a number twice).
      await db.delete(cvrNumbers).where(and(eq(cvrNumbers.orgId, orgB), eq(cvrNumbers.cvr, '64942212'), isNull(cvrNumbers.removedAt)));
      await db.execute(sql.raw(index));
    }
    // The index is back: one organisation may hold the number again, a second may not.
    await db.insert(cvrNumbers).values({ orgId: orgB, cvr: '64942212', name: 'B' });
    const [{ id: orgC }] = await db.insert(organisations).values({ name: 'C' }).returning();
    await expect(db.insert(cvrNumbers).values({ orgId: orgC, cvr: '64942212', name: 'C' })).rejects.toThrow();
  });
});
