// A reroute with "move" and the operator's allow-list (DESTINATIONS_ALLOWED, delivery/registry/allowed.ts).
// Before any Graph call the list must admit the address: an earlier copy in a mailbox the list refuses
// (a destination saved before the list, or a domain the operator took off it) is neither moved nor
// removed. Refused when the person reroutes: the copy is not taken (it stays, and the reroute's event
// says so and why). Refused only by the time the new copy is delivered (the list changed meanwhile):
// the new copy is delivered, the earlier one is left where it is (no Graph call there), and the
// `delivered` event says so and why; a later reroute may still move it once the list allows it. Both
// sentences, in the server's English and in the task pane's languages, name the refused domain, never
// the organisation's allowed ones (readers read the timeline).
import { and, eq } from 'drizzle-orm';
import type { Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { DEMO_FINANCE_MAILBOX, DEMO_IT_MAILBOX } from '../../backend/src/demo/delivery-seed';
import { deliveries, destinations, events, mailboxes } from '../../backend/src/store/schema';
import { storeLetter } from '../../backend/src/store/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { runDelivery } from '../../backend/src/delivery/deliver';
import { destinationPolicy } from '../../backend/src/delivery/registry/allowed';
import type { MailProgress } from '../../backend/src/delivery/mail-delivery';
import { eventDetail } from '../../addin/src/codes';
import type { TimelineEvent } from '../../shared/src/contracts';
import { testDatabases } from '../helpers/databases';
import { callApi, demoAppForSuite } from '../helpers/app';
import { paneLanguages, tr } from '../helpers/i18n';

const RIVAL = 'direktor@rival.example';
/** On the operator's list for the organisation: for admins and operators, never on a letter's timeline. */
const ALLOWED = ['nordlys.example', '*.secret-subsidiary.example'];

describe.each(testDatabases)('reroute with "move" and the destination allow-list on $name', (tdb) => {
  const get = demoAppForSuite(tdb, {
    delivery: { maxAttempts: 3, backoffMs: () => 100 },
    destinationsAllowed: { '*': { mailDomains: ALLOWED, teams: ['*'] } },
  });
  const cvr = DEMO_ORGANISATION.cvrs[0].cvr;
  const dest = {} as Record<'rival' | 'finance' | 'it', string>;

  /** Runs `fn` while the operator's list also admits rival.example (as before the operator took it off). */
  async function whileRivalAllowed<T>(fn: () => Promise<T>): Promise<T> {
    const app = get();
    const before = app.ctx.destinationPolicy;
    app.ctx.destinationPolicy = destinationPolicy({ '*': { mailDomains: [...ALLOWED, 'rival.example'], teams: ['*'] } });
    try { return await fn(); } finally { app.ctx.destinationPolicy = before; }
  }

  /** A letter whose copy was delivered (for real) into the rival.example mailbox while the list allowed it. */
  async function copyInRivalMailbox() {
    const app = get();
    const db = app.database.db;
    const orgId = app.demoOrgId!;
    if (!dest.rival) {
      app.sims!.graph.api.addMailbox({ id: RIVAL, displayName: 'Direktør, Rival', kind: 'user' });
      for (const [k, kind, displayName, mailbox] of [['rival', 'user_mailbox', 'Direktøren (gammel)', RIVAL],
        ['finance', 'shared_mailbox', 'Økonomi', DEMO_FINANCE_MAILBOX], ['it', 'shared_mailbox', 'IT-drift', DEMO_IT_MAILBOX]] as const) {
        const [row] = await db.insert(destinations).values({ orgId, kind, displayName, mailbox, folderPath: 'Digital Post', checkedAt: new Date() }).returning();
        dest[k] = row.id;
      }
    }
    const [mb] = await db.select().from(mailboxes).where(and(eq(mailboxes.orgId, orgId), eq(mailboxes.cvr, cvr), eq(mailboxes.provider, 'ngdp')));
    const label = `Brev ${Math.random()}`;
    const memo = demoMemo({ recipientCvr: cvr, label });
    const { messageId } = await storeLetter(db, app.ctx.sealer, mb, memo, Buffer.from(buildMemoXml(memo)));
    const [d] = await db.insert(deliveries).values({ orgId, messageId, destinationId: dest.rival }).returning();
    await whileRivalAllowed(() => runDelivery(app.ctx, d.id));
    expect((await deliveryOf(d.id)).status).toBe('delivered');
    return { messageId, rivalDelivery: d.id, label };
  }

  const deliveryOf = async (id: string) => (await get().database.db.select().from(deliveries).where(eq(deliveries.id, id)))[0];
  /** The letter's copies in the rival.example mailbox (by its subject, the label). */
  const rivalCopies = (label: string) => get().sims!.graph.api.messages(RIVAL).filter((m) => m.subject === label);
  const rivalRequests = () => get().sims!.graph.api.requests().filter((r) => decodeURIComponent(r.path).includes('rival.example'));
  const timeline = async (messageId: string, role = 'reader'): Promise<TimelineEvent[]> => {
    const r = await callApi(get(), 'GET', `/messages/${messageId}`, undefined, { 'X-Brevdue-Demo-Role': role });
    expect(r.status).toBe(200);
    return r.body.timeline;
  };
  const inPane = async (e: TimelineEvent) => {
    const [da, en] = await paneLanguages();
    return { da: eventDetail(e, tr(da), 'da'), en: eventDetail(e, tr(en), 'en') };
  };

  test('refused when the person reroutes: the earlier copy is not taken, no Graph call reaches its mailbox, the timeline says why', async () => {
    const app = get();
    const { messageId, rivalDelivery, label } = await copyInRivalMailbox();
    expect(rivalCopies(label)).toHaveLength(1);
    app.sims!.graph.api.clearRequests();

    const rr = await callApi(app, 'POST', `/messages/${messageId}/reroute`, { destinationIds: [dest.finance], oldCopy: 'move' });
    expect(rr.status).toBe(202);
    const [newDelivery] = rr.body.deliveryIds as string[];
    const row = await deliveryOf(newDelivery);
    expect(row.replacesDeliveryId).toBeNull();
    expect((row.progress as MailProgress).moveFrom).toBeUndefined();

    await runDelivery(app.ctx, newDelivery);
    expect((await deliveryOf(newDelivery)).status).toBe('delivered');
    expect(rivalRequests().map((r) => `${r.method} ${decodeURIComponent(r.path)}`)).toEqual([]);
    expect(rivalCopies(label)).toHaveLength(1);

    const evs = await timeline(messageId);
    expect(evs.map((e) => e.type)).not.toContain('old_copy_removed');
    const rerouted = evs.find((e) => e.type === 'reroute_requested')!;
    expect(rerouted.data).toMatchObject({ oldCopy: 'move', moving: 0, staying: 0, refused: 1, refusedDomains: ['rival.example'], refusedDeliveryIds: [rivalDelivery] });
    expect(rerouted.text).toContain('1 earlier copy stays where it is: Brevdue may not reach mailboxes in rival.example');
    const pane = await inPane(rerouted);
    expect(pane.da).toContain('1 tidligere kopi bliver, hvor den er: driften af Brevdue tillader ikke postkasser i rival.example');
    expect(pane.en).toContain('1 earlier copy stays where it is: the operator of Brevdue does not allow mailboxes in rival.example');
    expect(JSON.stringify({ evs, pane })).not.toContain('secret-subsidiary');
  }, 60_000);

  test('refused by the time the new copy is delivered: it is delivered, the earlier copy is left where it is, checked right before the delete', async () => {
    const app = get();
    const db = app.database.db;
    const { messageId, rivalDelivery, label } = await copyInRivalMailbox();
    expect(rivalCopies(label)).toHaveLength(1);
    // Allowed when the person reroutes: the earlier copy is to be removed once the new one is there.
    const rr = await whileRivalAllowed(() => callApi(app, 'POST', `/messages/${messageId}/reroute`, { destinationIds: [dest.finance], oldCopy: 'move' }));
    expect(rr.status).toBe(202);
    const [newDelivery] = rr.body.deliveryIds as string[];
    expect((await deliveryOf(newDelivery)).progress).toMatchObject({ moveFrom: { deliveryId: rivalDelivery, mailbox: RIVAL } });

    // The operator takes rival.example off the list before the delivery runs.
    app.sims!.graph.api.clearRequests();
    await runDelivery(app.ctx, newDelivery);
    const done = await deliveryOf(newDelivery);
    expect(done.status).toBe('delivered');
    expect(rivalRequests().map((r) => `${r.method} ${decodeURIComponent(r.path)}`)).toEqual([]);
    expect(rivalCopies(label)).toHaveLength(1);
    expect(app.sims!.graph.api.messages(DEMO_FINANCE_MAILBOX).filter((m) => m.subject === label)).toHaveLength(1);
    // Not replaced after all.
    expect(done.replacesDeliveryId).toBeNull();

    const evs = await timeline(messageId);
    expect(evs.map((e) => e.type)).not.toContain('old_copy_removed');
    const delivered = evs.find((e) => e.type === 'delivered' && e.data.deliveryId === newDelivery)!;
    expect(delivered.data.oldCopy).toEqual({ action: 'kept', mailbox: RIVAL, deliveryId: rivalDelivery, code: 'mailbox_domain_not_allowed', domain: 'rival.example' });
    expect(delivered.text).toContain(`the earlier copy was left in ${RIVAL}, not removed: Brevdue may not reach mailboxes in rival.example`);
    const pane = await inPane(delivered);
    expect(pane.da).toContain(`den tidligere kopi blev ikke fjernet, men ligger stadig i ${RIVAL}: driften af Brevdue tillader ikke postkasser i rival.example`);
    expect(pane.en).toContain(`the earlier copy was not removed and is still in ${RIVAL}: the operator of Brevdue does not allow mailboxes in rival.example`);
    expect(JSON.stringify({ evs, pane })).not.toContain('secret-subsidiary');

    // Once the list admits its mailbox again, a later reroute with "move" takes the copy that stayed.
    const again = await whileRivalAllowed(() => callApi(app, 'POST', `/messages/${messageId}/reroute`, { destinationIds: [dest.it], oldCopy: 'move' }));
    expect(again.status).toBe(202);
    const [later] = await db.select().from(deliveries).where(eq(deliveries.id, again.body.deliveryIds[0]));
    expect((later.progress as MailProgress).moveFrom?.deliveryId).toBe(rivalDelivery);
    expect(await db.select().from(events).where(and(eq(events.messageId, messageId), eq(events.type, 'old_copy_removed')))).toEqual([]);
  }, 60_000);
});
