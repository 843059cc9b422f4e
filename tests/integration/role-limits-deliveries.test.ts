// Limited callers and a letter's deliveries. A caller limited to destinations sees a letter through
// its delivery to one of them; the same letter's deliveries elsewhere (the management's mailbox) are
// beyond the limit: not shown in the letter's detail or timeline, not a way to find the letter, not
// moved or removed by its reroute, not listed, retried or counted by destination. Limits of two grants
// are held one at a time: a grant limited to CVR number 1 and one limited to destination "one" do not
// let the caller act on CVR 2's letter's delivery to the management. Production mode, real tokens.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Brevdue } from '../../backend/src/app';
import { deliveries, destinations, events, mailboxes, messages } from '../../backend/src/store/schema';
import { storeLetter } from '../../backend/src/store/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { demoMemo } from '../../backend/src/demo/letters';
import { startIdp, startProductionBrevdue, type TestIdp } from '../helpers/entra';
import { testDatabases } from '../helpers/databases';
import { callWithToken, insertTenantOrganisation } from '../helpers/tenant';

const CVR1 = '12345674';
const CVR2 = '87654328';

describe.each(testDatabases)('limited callers and a letter\'s deliveries on $name', (tdb) => {
  let idp: TestIdp;
  let app: Brevdue;
  let drop: () => Promise<void>;
  const tenant = randomUUID();
  const group = { one: randomUUID(), oneAgain: randomUUID() };
  const mixedUser = randomUUID();
  let orgId = '';
  const D = {} as Record<'one' | 'three' | 'ceo', string>;
  const MB = {} as Record<'one' | 'two', string>;
  // Letter X (CVR 1): to the management first, then to department one. Letter Y (CVR 2): the same, the management's gave up.
  const X = { id: '', ceoDelivery: '', oneDelivery: '', ceoGraphId: `AAMk-ceo-${randomUUID()}` };
  const Y = { id: '', ceoDelivery: '', oneDelivery: '' };
  const SECRET = ['Direktion', 'direktion@a.example'];

  const token = (claims: Record<string, unknown>) => idp.token({ tid: tenant, claims: { name: 'Test Person', ...claims } });
  const api = (tok: string, method: string, path: string, body?: unknown) => callWithToken(app, tok, method, path, body);

  /** A letter delivered to the management (first) and to department one, with the trace the pipeline writes. */
  async function letter(cvr: string, mb: string, ceoStatus: 'delivered' | 'dead') {
    const db = app.database.db;
    const memo = demoMemo({ recipientCvr: cvr, label: `Brev ${randomUUID().slice(0, 8)}` });
    const [mbRow] = await db.select().from(mailboxes).where(eq(mailboxes.id, mb));
    const { messageId } = await storeLetter(db, app.ctx.sealer, mbRow, memo, Buffer.from(buildMemoXml(memo)));
    const t0 = Date.now() - 60_000;
    const [ceo] = await db.insert(deliveries).values({
      orgId, messageId, destinationId: D.ceo, status: ceoStatus, createdAt: new Date(t0),
      ...(ceoStatus === 'delivered' ? { graphMessageId: cvr === CVR1 ? X.ceoGraphId : `AAMk-${randomUUID()}`, deliveredAt: new Date(t0) }
        : { lastError: 'Microsoft Graph answered 403: Access is denied to direktion@a.example', lastFailedAt: new Date(t0) }),
    }).returning();
    const [one] = await db.insert(deliveries).values({
      orgId, messageId, destinationId: D.one, status: 'delivered', graphMessageId: `AAMk-${randomUUID()}`, deliveredAt: new Date(t0 + 1000), createdAt: new Date(t0 + 1000),
    }).returning();
    await db.update(messages).set({ status: 'delivered' }).where(eq(messages.id, messageId));
    const at = (s: number) => new Date(t0 + s * 1000);
    await db.insert(events).values([
      { orgId, messageId, at: at(0), type: 'routed', actor: 'system', text: 'rule "Alt" matched (always) → Direktion (direktion@a.example, Inbox › Digital Post), Afdeling one (one@a.example, Inbox › Digital Post)',
        data: { destinationIds: [D.ceo, D.one], places: [{ name: 'Direktion', kind: 'user_mailbox', mailbox: 'direktion@a.example', folder: 'Inbox › Digital Post' }, { name: 'Afdeling one', kind: 'shared_mailbox', mailbox: 'one@a.example', folder: 'Inbox › Digital Post' }] } },
      ceoStatus === 'delivered'
        ? { orgId, messageId, at: at(1), type: 'delivered', actor: 'system', text: 'Delivered to Direktion (direktion@a.example, Inbox › Digital Post)',
          data: { deliveryId: ceo.id, destinationId: D.ceo, destination: 'Direktion', mailbox: 'direktion@a.example', folder: 'Inbox › Digital Post' } }
        : { orgId, messageId, at: at(1), type: 'delivery_failed', actor: 'system', text: 'Delivery to Direktion gave up after 8 attempt(s): Access is denied to direktion@a.example',
          data: { deliveryId: ceo.id, attempt: 8, destination: 'Direktion' } },
      { orgId, messageId, at: at(2), type: 'delivered', actor: 'system', text: 'Delivered to Afdeling one (one@a.example, Inbox › Digital Post)',
        data: { deliveryId: one.id, destinationId: D.one, destination: 'Afdeling one', mailbox: 'one@a.example', folder: 'Inbox › Digital Post' } },
    ]);
    return { id: messageId, ceoDelivery: ceo.id, oneDelivery: one.id };
  }

  beforeAll(async () => {
    idp = await startIdp();
    const d = await tdb.create();
    drop = d.drop;
    app = await startProductionBrevdue(idp, {
      databaseUrl: d.databaseUrl, security: { ipLimit: 100_000, userLimit: 100_000 },
      destinationsAllowed: { '*': { mailDomains: ['a.example'], teams: [] } },
    });
    const db = app.database.db;
    const org = await insertTenantOrganisation(app, tenant, { one: CVR1, two: CVR2 });
    orgId = org.orgId;
    Object.assign(MB, org.mailboxIds);
    for (const [k, name, mailbox] of [['one', 'Afdeling one', 'one@a.example'], ['three', 'Afdeling three', 'three@a.example'], ['ceo', 'Direktion', 'direktion@a.example']] as const) {
      const [dest] = await db.insert(destinations).values({ orgId, kind: k === 'ceo' ? 'user_mailbox' : 'shared_mailbox', displayName: name, mailbox, folderPath: 'Digital Post' }).returning();
      D[k] = dest.id;
    }
    Object.assign(X, await letter(CVR1, MB.one, 'delivered'));
    Object.assign(Y, await letter(CVR2, MB.two, 'dead'));

    const admin = await token({ oid: randomUUID(), roles: ['admin'] });
    const grant = async (body: Record<string, unknown>) => expect((await api(admin, 'POST', '/admin/role-grants', body)).status).toBe(201);
    // Department one's operators: destinations one and three.
    await grant({ principalType: 'group', principalId: group.one, displayName: 'Afdeling one', role: 'operator', destinationIds: [D.one, D.three] });
    // A person holding two operator grants: CVR 1's letters (any destination), and letters to department one.
    await grant({ principalType: 'user', principalId: mixedUser, displayName: 'Selskab one', role: 'operator', cvrs: [CVR1] });
    await grant({ principalType: 'group', principalId: group.oneAgain, displayName: 'Afdeling one igen', role: 'operator', destinationIds: [D.one] });
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await idp?.close();
    await drop?.();
  });

  const leaks = (text: string, extra: string[] = []) => [...SECRET, D.ceo, X.ceoDelivery, Y.ceoDelivery, X.ceoGraphId, ...extra].filter((s) => text.includes(s));

  test('a caller limited to destinations sees a letter without its deliveries and trace beyond the limit', async () => {
    const t = await token({ oid: randomUUID(), groups: [group.one] });
    const detail = await api(t, 'GET', `/messages/${X.id}`);
    expect(detail.status).toBe(200);
    expect(detail.json.deliveries.map((x: { id: string }) => x.id)).toEqual([X.oneDelivery]);
    expect(leaks(detail.text)).toEqual([]);
    // Its own delivery's event stays as written; the routing names both, so it stays, without its details.
    const types = detail.json.timeline.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['fetched', 'stored', 'routed', 'delivered']));
    expect(detail.json.timeline.filter((e: { type: string }) => e.type === 'delivered')).toEqual([expect.objectContaining({ data: expect.objectContaining({ deliveryId: X.oneDelivery }) })]);
    expect(detail.json.timeline.find((e: { type: string }) => e.type === 'routed')).toMatchObject({ data: { redacted: true } });

    // The management's copy does not lead to the letter ("This letter" in Outlook), nor does a search by its destination.
    expect((await api(t, 'GET', `/messages/by-graph-id/${encodeURIComponent(X.ceoGraphId)}`)).status).toBe(404);
    const byCeo = await api(t, 'GET', `/messages?destinationId=${D.ceo}`);
    expect(byCeo.status).toBe(200);
    expect(byCeo.json.items).toEqual([]);

    // Statistics by destination name only the caller's.
    const stats = await api(t, 'GET', '/stats?granularity=year&by=destination');
    expect(leaks(stats.text)).toEqual([]);
    const csv = await api(t, 'GET', '/stats.csv?granularity=year&by=destination');
    expect(leaks(csv.text)).toEqual([]);
  });

  test('resending or rerouting with a move never touches the copy beyond the limit', async () => {
    const t = await token({ oid: randomUUID(), groups: [group.one] });
    const db = app.database.db;
    const before = (await db.select().from(deliveries).where(eq(deliveries.messageId, X.id))).length;
    // The management's delivery by its id: as if it were not there.
    const one = await api(t, 'POST', `/messages/${X.id}/resend`, { deliveryId: X.ceoDelivery });
    expect(one.status).toBe(409);
    expect(one.json.error.code).toBe('not_resendable');
    expect(leaks(one.text)).toEqual([]);
    expect(await db.select().from(deliveries).where(eq(deliveries.messageId, X.id))).toHaveLength(before);

    // Reroute to department three, moving the earlier copy: the management's copy (the oldest) is not
    // the one moved or removed, and the timeline does not count it among the copies that stay.
    const moved = await api(t, 'POST', `/messages/${X.id}/reroute`, { destinationIds: [D.three], oldCopy: 'move' });
    expect(moved.status).toBe(202);
    const [copy] = await db.select().from(deliveries).where(eq(deliveries.id, moved.json.deliveryIds[0]));
    expect(copy.replacesDeliveryId).toBe(X.oneDelivery);
    expect(JSON.stringify(copy.progress)).not.toContain(X.ceoDelivery);
    expect(JSON.stringify(copy.progress)).not.toContain('direktion@a.example');
    const [ev] = await db.select().from(events).where(eq(events.type, 'reroute_requested'));
    expect(ev.data).toMatchObject({ moving: 1, staying: 0 });
  });

  test('two limited grants are not mixed: CVR 1\'s open grant does not reach CVR 2\'s letter beyond destination one', async () => {
    const t = await token({ oid: mixedUser, groups: [group.oneAgain] });
    const me = await api(t, 'GET', '/me');
    expect(me.json.grants).toHaveLength(2);

    // Letter X (CVR 1): the CVR grant shows all of it, the management included.
    const x = await api(t, 'GET', `/messages/${X.id}`);
    expect(x.json.deliveries.map((d: { id: string }) => d.id)).toContain(X.ceoDelivery);

    // Letter Y (CVR 2), seen through destination one only.
    const y = await api(t, 'GET', `/messages/${Y.id}`);
    expect(y.status).toBe(200);
    expect(y.json.deliveries.map((d: { id: string }) => d.id)).toEqual([Y.oneDelivery]);
    expect(leaks(y.text)).toEqual([]);
    expect(y.json.timeline.map((e: { type: string }) => e.type)).not.toContain('delivery_failed');

    const rr = await api(t, 'POST', `/messages/${Y.id}/reroute`, { destinationIds: [D.ceo] });
    expect(rr.status).toBe(403);
    expect(rr.json.error.message).toMatch(/only to some destinations/);

    // Y's failed delivery to the management is not the caller's to list or send again.
    const failed = await api(t, 'GET', '/admin/deliveries/failed');
    expect(failed.status).toBe(200);
    expect(leaks(failed.text)).toEqual([]);
    const retried = await api(t, 'POST', '/admin/deliveries/retry', {});
    expect(retried.status).toBe(200);
    expect(retried.json.retried).toBe(0);
    const [still] = await app.database.db.select().from(deliveries).where(eq(deliveries.id, Y.ceoDelivery));
    expect(still.status).toBe('dead');

    const stats = await api(t, 'GET', '/stats?granularity=year&by=destination');
    expect(stats.json.breakdown.filter((g: { label: string }) => g.label === 'Direktion').map((g: { fetched: number }) => g.fetched)).toEqual([1]); // X only
  });
});
