// GET /api/destinations marks a destination the operator's allow-list (DESTINATIONS_ALLOWED) refuses
// the organisation as `unusable` for every role. The operator's reason names the organisation's
// allowed mail domains: that list is for those who manage the registry (admins and operators, who
// read it in GET /api/admin/destinations as well). A reader gets the mark, the code and the params the
// task pane translates with (codes.ts unusableText: `domain`), never the allowed domains or teams.
import { destinations } from '../../backend/src/store/schema';
import { destinationChoiceSchema } from '../../shared/src/contracts';
import { testDatabases } from '../helpers/databases';
import { callApi, demoAppForSuite } from '../helpers/app';

/** A team the operator allows the organisation (not the demo's): it must not reach a reader either. */
const ALLOWED_TEAM = '4f1c2d3e-aaaa-4bbb-8ccc-0123456789ab';

describe.each(testDatabases)('the allow-list in the picker, by role, on $name', (tdb) => {
  const app = demoAppForSuite(tdb, {
    destinationsAllowed: { '*': { mailDomains: ['nordlys.example', '*.nordlys.example', 'kommune-intern.example'], teams: [ALLOWED_TEAM] } },
  });
  const list = async (role?: 'operator' | 'reader') => {
    const r = await callApi(app(), 'GET', '/destinations', undefined, role ? { 'X-Brevdue-Demo-Role': role } : {});
    expect(r.status).toBe(200);
    return (r.body.items as unknown[]).map((x) => destinationChoiceSchema.parse(x));
  };

  test('a reader sees that a destination is unusable and why in general, not the allowed domains or teams; admins and operators see the whole reason', async () => {
    const db = app().database.db;
    const [rival] = await db.insert(destinations).values({
      orgId: app().demoOrgId!, kind: 'user_mailbox', displayName: 'Direktøren (gammel)', mailbox: 'direktor@rival.example', folderPath: 'Digital Post', checkedAt: new Date(),
    }).returning();

    for (const role of [undefined, 'operator'] as const) {
      const items = await list(role);
      expect([role, items.find((d) => d.id === rival.id)!.unusable]).toEqual([role, {
        code: 'mailbox_domain_not_allowed',
        params: { domain: 'rival.example', allowed: 'nordlys.example, *.nordlys.example, kommune-intern.example' },
        message: expect.stringContaining('allows these for yours: nordlys.example, *.nordlys.example, kommune-intern.example'),
      }]);
    }

    const items = await list('reader');
    const refused = items.find((d) => d.id === rival.id)!;
    expect(refused.unusable).toEqual({
      code: 'mailbox_domain_not_allowed',
      params: { domain: 'rival.example' }, // what the pane's picker text uses
      message: expect.stringContaining('may not deliver to mailboxes in rival.example'),
    });
    const team = items.find((d) => d.kind === 'teams_channel')!;
    expect(team.unusable).toMatchObject({ code: 'team_not_allowed' });
    // Marked the same, for the same destinations, as for an admin.
    const admin = await list();
    expect(items.map((d) => [d.id, d.unusable?.code ?? null])).toEqual(admin.map((d) => [d.id, d.unusable?.code ?? null]));
    // Nothing of the operator's list in any reason a reader gets.
    const reasons = JSON.stringify(items.map((d) => d.unusable));
    expect(reasons).not.toMatch(/nordlys\.example|kommune-intern|4f1c2d3e/i);
    expect(reasons).not.toContain('"allowed":');
  });
});
