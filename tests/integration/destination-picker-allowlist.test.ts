// The registry as people choose from it (GET /api/destinations, the reroute, triage and rule pickers)
// against the operator's allow-list (DESTINATIONS_ALLOWED, delivery/registry/allowed.ts): a
// destination the organisation may not use now is listed marked `unusable` with the operator's reason
// (code, params, sentence), so the pane greys it out instead of offering a choice the server refuses.
// Marked exactly when a reroute to it is refused, with the same code; every other one is accepted.
import { and, eq } from 'drizzle-orm';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { destinations, mailboxes } from '../../backend/src/store/schema';
import { storeLetter } from '../../backend/src/store/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { destinationChoiceSchema } from '../../shared/src/contracts';
import { testDatabases } from '../helpers/databases';
import { callApi, demoAppForSuite } from '../helpers/app';

describe.each(testDatabases)('the destination picker and the allow-list on $name', (tdb) => {
  // The demo's mail domain is allowed, its team is not (no teams at all for this organisation).
  const app = demoAppForSuite(tdb, { destinationsAllowed: { '*': { mailDomains: ['nordlys.example'], teams: [] } } });
  const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => callApi(app(), method, path, body, headers);

  test('a destination the operator does not allow is listed as unusable with the reason; exactly those are refused when chosen', async () => {
    const db = app().database.db;
    const orgId = app().demoOrgId!;
    // Saved before the operator's list (or taken off it since): another organisation's mailbox.
    const [rival] = await db.insert(destinations).values({
      orgId, kind: 'user_mailbox', displayName: 'Direktøren (gammel)', mailbox: 'direktor@rival.example', folderPath: 'Digital Post', checkedAt: new Date(),
    }).returning();

    const list = await api('GET', '/destinations');
    expect(list.status).toBe(200);
    const items = (list.body.items as unknown[]).map((x) => destinationChoiceSchema.parse(x));
    expect(items.length).toBeGreaterThanOrEqual(3);
    // Still only what people choose from: no webhook, no check details.
    for (const x of list.body.items as Record<string, unknown>[]) expect(Object.keys(x).sort()).toEqual(['displayName', 'folderPath', 'id', 'kind', 'mailbox', 'unusable']);

    const byId = new Map(items.map((d) => [d.id, d]));
    expect(byId.get(rival.id)!.unusable).toEqual({
      code: 'mailbox_domain_not_allowed',
      params: { domain: 'rival.example', allowed: 'nordlys.example' },
      message: expect.stringContaining('may not deliver to mailboxes in rival.example'),
    });
    const team = items.find((d) => d.kind === 'teams_channel')!;
    expect(team.unusable).toMatchObject({ code: 'team_not_allowed', message: expect.stringContaining('DESTINATIONS_ALLOWED') });
    const usable = items.filter((d) => !d.unusable);
    expect(usable.length).toBeGreaterThanOrEqual(1);
    for (const d of usable) expect([d.displayName, d.unusable]).toEqual([d.displayName, null]);
    expect(usable.every((d) => d.mailbox?.endsWith('@nordlys.example'))).toBe(true);

    // The mark and the refusal agree: each one marked is refused with its code, each one not marked is accepted.
    const cvr = DEMO_ORGANISATION.cvrs[0].cvr;
    const [mb] = await db.select().from(mailboxes).where(and(eq(mailboxes.orgId, orgId), eq(mailboxes.cvr, cvr), eq(mailboxes.provider, 'ngdp')));
    const memo = demoMemo({ recipientCvr: cvr, label: 'Til omdirigering' });
    const { messageId } = await storeLetter(db, app().ctx.sealer, mb, memo, Buffer.from(buildMemoXml(memo)));
    for (const d of items) {
      const r = await api('POST', `/messages/${messageId}/reroute`, { destinationIds: [d.id] });
      if (d.unusable) {
        expect([d.displayName, r.status, r.body.error.code]).toEqual([d.displayName, 400, d.unusable.code]);
      } else {
        expect([d.displayName, r.status]).toEqual([d.displayName, 202]);
      }
    }

    // Every role that reads the registry gets the same marks (the picker of a reader's trace filters too).
    const asReader = await api('GET', '/destinations', undefined, { 'X-Brevdue-Demo-Role': 'reader' });
    expect(asReader.status).toBe(200);
    expect((asReader.body.items as { id: string; unusable: unknown }[]).find((d) => d.id === rival.id)!.unusable).toMatchObject({ code: 'mailbox_domain_not_allowed' });
  });
});
