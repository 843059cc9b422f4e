// A mailbox's quarantine list (GET /api/admin/mailboxes/:id/quarantine) says which letters a data
// subject request erased (`erased`, `erasedAt`): their content is gone, so the pane offers no
// "Try again" for them — the retry answers 409 `erased`.
import { and, eq } from 'drizzle-orm';
import { DEMO_ORGANISATION } from '../../backend/src/demo/letters';
import { mailboxes, quarantine } from '../../backend/src/store/schema';
import { quarantineListSchema } from '../../shared/src/contracts';
import { testDatabases } from '../helpers/databases';
import { callApi, demoAppForSuite } from '../helpers/app';

describe.each(testDatabases)('the quarantine list and erased letters on $name', (tdb) => {
  const app = demoAppForSuite(tdb);

  test('an erased letter is listed as erased, with when; the others are not; trying the erased one again answers 409 erased', async () => {
    const db = app().database.db;
    const [mb] = await db.select().from(mailboxes)
      .where(and(eq(mailboxes.orgId, app().demoOrgId!), eq(mailboxes.cvr, DEMO_ORGANISATION.cvrs[0].cvr), eq(mailboxes.provider, 'ngdp')));
    const erasedAt = new Date('2026-03-02T09:30:00.000Z');
    const seal = (s: string) => app().ctx.sealer.seal(Buffer.from(s));
    const [kept, erased] = await db.insert(quarantine).values([
      { orgId: mb.orgId, mailboxId: mb.id, providerMessageId: 'ugyldig-1', reason: 'MessageBody: invalid', rawEnc: seal('<x/>'), receivedAt: new Date(Date.now() - 2_000) },
      // As dsr/requests.ts leaves it: the content sealed empty, erased_at set.
      { orgId: mb.orgId, mailboxId: mb.id, providerMessageId: 'slettet-1', reason: 'MessageBody: invalid', rawEnc: seal(''), receivedAt: new Date(Date.now() - 1_000), erasedAt },
    ]).returning();

    const list = await callApi(app(), 'GET', `/admin/mailboxes/${mb.id}/quarantine`);
    expect(list.status).toBe(200);
    const items = quarantineListSchema.parse(list.body).items;
    expect(items.map((q) => [q.providerMessageId, q.erased, q.erasedAt])).toEqual([
      ['slettet-1', true, erasedAt.toISOString()],
      ['ugyldig-1', false, null],
    ]);
    // Operators read the list too.
    const asOperator = await callApi(app(), 'GET', `/admin/mailboxes/${mb.id}/quarantine`, undefined, { 'X-Brevdue-Demo-Role': 'operator' });
    expect(asOperator.body.items.find((q: { id: string }) => q.id === erased.id)).toMatchObject({ erased: true });

    const tried = await callApi(app(), 'POST', `/admin/mailboxes/${mb.id}/quarantine/${erased.id}/retry`);
    expect([tried.status, tried.body.error.code]).toEqual([409, 'erased']);
    expect(kept.erasedAt).toBeNull();
  });
});
