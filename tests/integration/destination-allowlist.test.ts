// Cross-organisation destinations: one installation serves several organisations, whose mailboxes
// (and teams) the one Entra app may all reach. An organisation's admin must not register another
// organisation's mailbox (its CEO's, say) as an approved recipient, nor learn from the save's
// "checked against Graph" answer which of the other's mailboxes exist; a destination saved before
// the operator's allow-list (DESTINATIONS_ALLOWED, delivery/registry/allowed.ts) receives nothing.
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Brevdue } from '../../backend/src/app';
import { readEnv } from '../../backend/src/config';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { DEMO_FINANCE_MAILBOX, DEMO_TEAM } from '../../backend/src/demo/delivery-seed';
import { deliveries, destinations, events, mailboxes, organisations } from '../../backend/src/store/schema';
import { storeLetter } from '../../backend/src/store/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { runDelivery } from '../../backend/src/delivery/deliver';
import { destinationPolicy, mailboxRefusal, teamRefusal, CLOSED_POLICY } from '../../backend/src/delivery/registry/allowed';
import { startBrevdue } from '../../backend/src/app';
import { testDatabases } from '../helpers/databases';
import { callApi } from '../helpers/app';

const RIVAL_CEO = 'direktor@rival.example';
const RIVAL_GHOST = 'findes-ikke@rival.example';
const RIVAL_TEAM = '0d6f6c1e-2b7a-4f59-8d0e-5a4b3c2d1e0f';

describe.each(testDatabases)('destinations allowed per organisation on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let orgA = '';
  let orgB = '';

  beforeAll(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({
      databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false,
      delivery: { maxAttempts: 3, backoffMs: () => 100 },
      // The wiring from the operator's setting: every organisation not named may use the demo's domain and team.
      destinationsAllowed: { '*': { mailDomains: ['nordlys.example', '*.nordlys.example'], teams: [DEMO_TEAM.id] } },
    });
    orgA = app.demoOrgId!;
    // Organisation B of the same installation, whose CEO mailbox and team the same Graph app reaches.
    const [b] = await app.database.db.insert(organisations).values({ name: 'Rival A/S', entraTenantId: randomUUID() }).returning();
    orgB = b.id;
    app.sims!.graph.api.addMailbox({ id: RIVAL_CEO, displayName: 'Direktør, Rival', kind: 'user' });
    app.sims!.graph.api.addTeam({ id: RIVAL_TEAM, displayName: 'Rival bestyrelse', channels: [{ id: '19:aa11bb22cc33@thread.tacv2', displayName: 'Bestyrelse' }] });
  });
  afterAll(async () => {
    await app?.stop();
    await drop?.();
  });

  const api = (method: string, path: string, body?: unknown) => callApi(app, method, path, body);
  /** Graph requests that touched organisation B's mailbox or team (or a look-alike domain). */
  const rivalRequests = () => app.sims!.graph.api.requests()
    .filter((r) => /rival|evilnordlys|nordlys\.example\.|0d6f6c1e/i.test(decodeURIComponent(r.path)));

  test('another organisation\'s mailbox or team is refused when saved, before Graph is asked: the answer is the same whether it exists', async () => {
    app.sims!.graph.api.clearRequests();
    const save = (mailbox: string) => api('POST', '/admin/destinations', { kind: 'user_mailbox', displayName: `Til ${mailbox}`, mailbox, folderPath: 'Digital Post' });

    const existing = await save(RIVAL_CEO);
    expect(existing.status).toBe(400);
    expect(existing.body.error.code).toBe('mailbox_domain_not_allowed');
    expect(existing.body.error.params).toEqual({ domain: 'rival.example', allowed: 'nordlys.example, *.nordlys.example' });
    expect(existing.body.error.message).toContain('may not deliver to mailboxes in rival.example');
    expect(existing.body.error.message).toContain('DESTINATIONS_ALLOWED');
    // A mailbox that does not exist gets the very same answer: no probing of B's mailboxes.
    const ghost = await save(RIVAL_GHOST);
    expect(ghost).toEqual(existing);

    // Look-alikes of the allowed domain.
    for (const mailbox of ['post@evilnordlys.example', 'post@nordlys.example.rival.example']) {
      const r = await save(mailbox);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('mailbox_domain_not_allowed');
    }

    // Changing an existing destination to B's mailbox: refused, the row unchanged.
    const [finance] = await app.database.db.select().from(destinations)
      .where(and(eq(destinations.orgId, orgA), eq(destinations.mailbox, DEMO_FINANCE_MAILBOX)));
    const patched = await api('PATCH', `/admin/destinations/${finance.id}`, { mailbox: RIVAL_CEO });
    expect(patched.status).toBe(400);
    expect(patched.body.error.code).toBe('mailbox_domain_not_allowed');
    const [after] = await app.database.db.select().from(destinations).where(eq(destinations.id, finance.id));
    expect(after.mailbox).toBe(DEMO_FINANCE_MAILBOX);

    // B's team: refused the same way, whatever Graph would say.
    const team = await api('POST', '/admin/destinations', {
      kind: 'teams_channel', displayName: 'Bestyrelsen', teamId: RIVAL_TEAM, channelId: '19:aa11bb22cc33@thread.tacv2',
      webhookUrl: 'https://prod-01.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=x',
    });
    expect(team.status).toBe(400);
    expect(team.body.error.code).toBe('team_not_allowed');
    expect(team.body.error.message).toContain('DESTINATIONS_ALLOWED');

    // Dead-letter notices are sent as the organisation's own mailbox too.
    const notices = await api('PUT', '/admin/delivery-settings', { notifyAddress: 'it@nordlys.example', notifySender: RIVAL_CEO });
    expect(notices.status).toBe(400);
    expect(notices.body.error.code).toBe('mailbox_domain_not_allowed');

    expect(rivalRequests()).toEqual([]);

    // The organisation's own domain (and its subdomains) still goes on to Graph's check.
    const own = await api('POST', '/admin/destinations', { kind: 'shared_mailbox', displayName: 'Økonomi – løn', mailbox: DEMO_FINANCE_MAILBOX, folderPath: 'Digital Post/Løn' });
    expect(own.status).toBe(201);
    const sub = await save('post@afdeling.nordlys.example');
    expect(sub.status).toBe(422); // allowed domain; Graph does not know this mailbox
    expect(sub.body.error.code).toBe('destination_check_failed');
  });

  test('a destination saved before the rule receives nothing: the delivery gives up saying why, re-check and reroute refuse it', async () => {
    const db = app.database.db;
    // Saved before the operator's list existed (an older version, or a row written by hand).
    const [ceo] = await db.insert(destinations).values({
      orgId: orgA, kind: 'user_mailbox', displayName: 'Direktøren (gammel)', mailbox: RIVAL_CEO, folderPath: 'Digital Post', checkedAt: new Date(),
    }).returning();
    app.sims!.graph.api.clearRequests();

    // The registry shows the problem; a re-check records it without asking Graph.
    const view = await api('GET', `/admin/destinations/${ceo.id}`);
    expect(view.body.checkProblems[0]).toContain('may not deliver to mailboxes in rival.example');
    const checked = await api('POST', `/admin/destinations/${ceo.id}/check`);
    expect(checked.status).toBe(200);
    expect(checked.body.checkProblems).toEqual([expect.stringContaining('may not deliver to mailboxes in rival.example')]);

    // A letter of A, delivered there (by a rule made before, say): nothing reaches B's mailbox.
    const cvr = DEMO_ORGANISATION.cvrs[0].cvr;
    const [mb] = await db.select().from(mailboxes).where(and(eq(mailboxes.orgId, orgA), eq(mailboxes.cvr, cvr), eq(mailboxes.provider, 'ngdp')));
    const memo = demoMemo({ recipientCvr: cvr, label: 'Fortroligt: bestyrelsesmateriale' });
    const { messageId } = await storeLetter(db, app.ctx.sealer, mb, memo, Buffer.from(buildMemoXml(memo)));
    const [d] = await db.insert(deliveries).values({ orgId: orgA, messageId, destinationId: ceo.id }).returning();
    await runDelivery(app.ctx, d.id);
    const [dead] = await db.select().from(deliveries).where(eq(deliveries.id, d.id));
    expect(dead.status).toBe('dead');
    expect(dead.attempts).toBe(1);
    expect(dead.lastError).toContain('Nothing was sent to "Direktøren (gammel)"');
    expect(dead.lastError).toContain('rival.example');
    // The reason is stored on the delivery, which readers see: it names the refused domain, not the operator's list.
    expect(dead.lastError).not.toContain('nordlys.example');
    expect(app.sims!.graph.api.messages(RIVAL_CEO)).toEqual([]);
    const failed = await db.select().from(events).where(and(eq(events.messageId, messageId), eq(events.type, 'delivery_failed')));
    expect(failed).toHaveLength(1);

    // A person rerouting or resending there is told at once.
    const rr = await api('POST', `/messages/${messageId}/reroute`, { destinationIds: [ceo.id] });
    expect(rr.status).toBe(400);
    expect(rr.body.error).toMatchObject({ code: 'mailbox_domain_not_allowed', params: { domain: 'rival.example', destination: 'Direktøren (gammel)' } });
    const rs = await api('POST', `/messages/${messageId}/resend`, {});
    expect(rs.status).toBe(400);
    expect(rs.body.error.code).toBe('mailbox_domain_not_allowed');
    expect(await db.select().from(deliveries).where(eq(deliveries.messageId, messageId))).toHaveLength(1);

    expect(rivalRequests()).toEqual([]);
  });

  test('the allow-list is per organisation: B\'s domain is B\'s; the operator\'s setting is validated; production without it allows nothing', () => {
    const policy = destinationPolicy({
      [orgA]: { mailDomains: ['nordlys.example'], teams: [DEMO_TEAM.id] },
      [orgB]: { mailDomains: ['rival.example'], teams: [RIVAL_TEAM] },
    });
    expect(mailboxRefusal(policy, orgA, RIVAL_CEO)?.code).toBe('mailbox_domain_not_allowed');
    expect(mailboxRefusal(policy, orgB, RIVAL_CEO)).toBeNull();
    expect(mailboxRefusal(policy, orgB, DEMO_FINANCE_MAILBOX)?.params).toEqual({ domain: 'nordlys.example', allowed: 'rival.example' });
    expect(teamRefusal(policy, orgA, RIVAL_TEAM)?.code).toBe('team_not_allowed');
    expect(teamRefusal(policy, orgB, RIVAL_TEAM.toUpperCase())).toBeNull();
    // An organisation not named, without a "*" entry: nothing.
    expect(mailboxRefusal(policy, randomUUID(), DEMO_FINANCE_MAILBOX)?.params.allowed).toBe('');
    expect(mailboxRefusal(CLOSED_POLICY, orgA, DEMO_FINANCE_MAILBOX)?.message).toContain('none for yours yet');

    const env = (v: string) => () => readEnv({ BREVDUE_MODE: 'production', DESTINATIONS_ALLOWED: v });
    expect(env('{"*":{"mailDomains":["firma.dk","*.firma.dk"],"teams":["*"]}}')().DESTINATIONS_ALLOWED).toBeTruthy();
    expect(env('not json')).toThrow(/DESTINATIONS_ALLOWED: expected JSON/);
    expect(env('{"firma":{"mailDomains":["firma.dk"]}}')).toThrow(/DESTINATIONS_ALLOWED: .*"firma" is not an organisation id/);
    expect(env('{"*":{"mailDomains":["firma .dk"]}}')).toThrow(/DESTINATIONS_ALLOWED: .*"firma \.dk" is not a mail domain/);
    expect(env('{"*":{"teams":["Økonomi"]}}')).toThrow(/is not a team id/);
    expect(env('{"*":{"mailDomain":["firma.dk"]}}')).toThrow(/DESTINATIONS_ALLOWED/);
  });

  test('production without DESTINATIONS_ALLOWED delivers nowhere (the safe default)', async () => {
    const d = await tdb.create();
    const prod = await startBrevdue({
      databaseUrl: d.databaseUrl, dataDir: null, demo: false, seed: false, runJobs: false, kek: Buffer.alloc(32, 7).toString('base64'),
      production: { graphBaseUrl: 'http://127.0.0.1:9/', tenantId: randomUUID(), clientId: randomUUID(), clientSecret: 'x' },
    });
    try {
      expect(mailboxRefusal(prod.ctx.destinationPolicy!, randomUUID(), 'post@firma.dk')?.code).toBe('mailbox_domain_not_allowed');
      expect(teamRefusal(prod.ctx.destinationPolicy!, randomUUID(), DEMO_TEAM.id)?.code).toBe('team_not_allowed');
    } finally {
      await prod.stop();
      await d.drop();
    }
  });
});
