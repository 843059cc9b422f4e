// A dead-letter notice waiting because the operator's allow-list refuses its sender (delivery/notify.ts)
// says so on the letter's timeline, which readers read too: the refused domain, never the
// organisation's allowed domains (the operator's list is for admins and operators: registry/allowed.ts
// refusalWithoutAllowList, as a delivery's own reason in deliver.ts). The task pane says it in the
// reader's language (addin/src/codes.ts eventDetail), not as "no sender configured".
import { and, eq } from 'drizzle-orm';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { DEMO_SHARED_MAILBOX } from '../../backend/src/demo/seed';
import { DEMO_IT_MAILBOX } from '../../backend/src/demo/delivery-seed';
import { buildMemoXml } from '../../backend/src/memo/build';
import { storeLetter } from '../../backend/src/store/letters';
import { deliveries, destinations, mailboxes, organisations } from '../../backend/src/store/schema';
import { notifyDeadLetter } from '../../backend/src/delivery/notify';
import { eventDetail } from '../../addin/src/codes';
import type { TimelineEvent } from '../../shared/src/contracts';
import { testDatabases } from '../helpers/databases';
import { callApi, demoAppForSuite } from '../helpers/app';
import { paneLanguages, tr } from '../helpers/i18n';

const [company] = DEMO_ORGANISATION.cvrs;
const FOREIGN_SENDER = 'post@rival.example';
const noJobs = { routeSoon: async () => undefined, deliverSoon: async () => undefined, notifyDeadSoon: async () => undefined };

describe.each(testDatabases)('a waiting dead-letter notice on the letter\'s timeline, on $name', (tdb) => {
  const get = demoAppForSuite(tdb, { destinationsAllowed: { '*': { mailDomains: ['nordlys.example', '*.secret-subsidiary.example'], teams: ['*'] } } });

  test('a reader sees why the notice waits (the refused domain), not the organisation\'s allowed domains', async () => {
    const app = get();
    const db = app.database.db;
    const orgId = app.demoOrgId!;
    const ctx = { ...app.ctx, jobs: noJobs } as typeof app.ctx;
    // A sender saved before the operator's list (only a direct write can do that now).
    const [org] = await db.select().from(organisations).where(eq(organisations.id, orgId));
    await db.update(organisations).set({ deliverySettings: { ...(org.deliverySettings as object), notifyAddress: DEMO_IT_MAILBOX, notifySender: FOREIGN_SENDER } })
      .where(eq(organisations.id, orgId));
    const [mb] = await db.select().from(mailboxes).where(and(eq(mailboxes.orgId, orgId), eq(mailboxes.cvr, company.cvr), eq(mailboxes.provider, 'ngdp')));
    const memo = demoMemo({ recipientCvr: company.cvr, label: 'Rykker' });
    const { messageId } = await storeLetter(db, app.ctx.sealer, mb, memo, Buffer.from(buildMemoXml(memo)));
    const [dest] = await db.select().from(destinations).where(and(eq(destinations.orgId, orgId), eq(destinations.mailbox, DEMO_SHARED_MAILBOX)));
    const [d] = await db.insert(deliveries).values({ orgId, messageId, destinationId: dest.id, status: 'dead', attempts: 3, lastError: 'Graph answered 404' }).returning();
    expect(await notifyDeadLetter(ctx, d.id)).toBe('sender_not_allowed');

    const asReader = await callApi(app, 'GET', `/messages/${messageId}`, undefined, { 'X-Brevdue-Demo-Role': 'reader' });
    expect(asReader.status).toBe(200);
    const ev = (asReader.body.timeline as TimelineEvent[]).find((e) => e.type === 'admins_notified')!;
    // The operator's list is not in what the reader gets.
    expect(ev.text).toContain('rival.example');
    expect(JSON.stringify(asReader.body)).not.toContain('secret-subsidiary');
    expect(ev.data).toMatchObject({ deliveryId: d.id, sent: false, waiting: true, reason: 'sender_not_allowed', destination: dest.displayName, domain: 'rival.example' });
    expect(ev.text).toContain(`the notice sender ${FOREIGN_SENDER} may not be used. Your organisation may not deliver to mailboxes in rival.example`);
    expect(ev.text).toContain('An administrator of your organisation can tell which are allowed.');

    const [da, en] = await paneLanguages();
    const pane = { da: eventDetail(ev, tr(da), 'da'), en: eventDetail(ev, tr(en), 'en') };
    expect(pane.da).toContain(`Administratorerne har endnu ikke fået besked om den mislykkede aflevering til ${dest.displayName}: afsenderen af beskeder må ikke bruges, `
      + 'for driften af Brevdue tillader ikke postkasser i rival.example for jeres organisation.');
    expect(pane.en).toContain(`The admins were not mailed yet about the failed delivery to ${dest.displayName}: the notice sender may not be used, `
      + 'because the operator of Brevdue does not allow mailboxes in rival.example for your organisation.');
    expect(JSON.stringify(pane)).not.toContain('secret-subsidiary');
  }, 60_000);
});
