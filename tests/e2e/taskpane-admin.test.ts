// The admin pages against the real backend in demo mode (seeded organisation, Graph and Teams
// simulators): approved recipients (add, a refused one with the server's sentence, check again,
// archive), CVR numbers (add, an invalid one refused in the pane, a duplicate refused by the server,
// remove) and mailboxes (pause/resume), retention and how long past it letters in quarantine are
// kept, and service notices with the banner they make
// (Danish and English, dismiss, delete). Also an operator's read-only view, and failed deliveries
// sent again once their cause is fixed.
import type { Page } from 'playwright-core';
import { and, eq } from 'drizzle-orm';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { storeLetter } from '../../backend/src/store/letters';
import { deliveries, destinations, mailboxes } from '../../backend/src/store/schema';
import { DEMO_FINANCE_MAILBOX } from '../../backend/src/demo/delivery-seed';
import { activeNoticeListSchema, cvrViewSchema, destinationViewSchema, retentionSettingsSchema } from '../../shared/src/contracts';
import { browserTest, launchBrowser, waitForCount, type LaunchedBrowser } from './browser';
import { eventually, type Live, withLiveBrowser } from './live';
import { adminLiveForSuite, openAdminTab } from './admin-pane';

let live: Live | null = null;
adminLiveForSuite((l) => { live = l; });

const withBrowser = (name: string, run: (b: LaunchedBrowser, live: Live) => Promise<void>) => withLiveBrowser(live, name, run);

const openAdmin = (page: Page, sub: 'recipients' | 'mailboxes' | 'settings') => openAdminTab(page, live!, sub);

const resultText = (page: Page) => page.getByTestId('admin-result-text').textContent();
const destinationsNow = async (l: Live) => (await l.api<{ items: unknown[] }>('GET', '/admin/destinations')).body.items.map((d) => destinationViewSchema.parse(d));

/** "2030-01-02T10:00" in the browser's time zone, for datetime-local inputs. */
function localInput(d: Date): string {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Copenhagen', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

browserTest('admin › recipients: the registry with check results; add, a refused one, check again, archive', async () => {
  await withBrowser('admin-recipients', async (b, l) => {
    const { page } = b;
    const before = await destinationsNow(l);
    await openAdmin(page, 'recipients');
    const cards = page.getByTestId('recipient');
    await waitForCount(cards, before.length);
    const names = await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
    expect(names).toEqual(expect.arrayContaining(['Økonomi – fælles postkasse', 'Økonomi – Teams-kanal', ...DEMO_ORGANISATION.cvrs.map((c) => `${c.name} – Digital Post`)]));
    const teams = page.locator('[data-testid=recipient][data-name="Økonomi – Teams-kanal"]');
    expect(await teams.getByTestId('recipient-kind').textContent()).toBe('Teams-kanal');
    expect(await teams.getByTestId('recipient-where').textContent()).toMatch(/^Team .+ · kanal 19:.+ · Digital Post$/);
    expect(await page.locator('[data-testid=recipient][data-name="Økonomi – fælles postkasse"]').getByTestId('recipient-where').textContent())
      .toBe(`${DEMO_FINANCE_MAILBOX} · Inbox › Digital Post`);
    await b.screenshot('admin-recipients-360');

    // A mailbox Exchange does not know is refused by the server's check; said in Danish at the field (taskpane-recipient-refusals.test.ts).
    await page.getByTestId('recipient-add').click();
    const dialog = page.getByTestId('recipient-dialog');
    await dialog.getByTestId('recipient-save').click();
    expect(await dialog.getByText('Udfyld feltet.').count()).toBe(2); // name and mailbox, before any request
    await dialog.getByTestId('recipient-name-input').fill('Jura – fælles postkasse');
    await dialog.getByTestId('recipient-mailbox-input').fill('ukendt@nordlys.example');
    await dialog.getByTestId('recipient-folder-input').fill('Digital Post/Jura');
    await dialog.getByTestId('recipient-save').click();
    await dialog.getByTestId('form-error').waitFor();
    expect(await dialog.getByTestId('form-error-text').textContent()).toBe('Ret det markerede felt.');
    await b.screenshot('admin-recipient-refused-360', { fullPage: false });

    await dialog.getByTestId('recipient-mailbox-input').fill(DEMO_FINANCE_MAILBOX);
    await dialog.getByTestId('recipient-save').click();
    await dialog.waitFor({ state: 'detached' });
    expect(await resultText(page)).toBe('»Jura – fælles postkasse« er tjekket og gemt.');
    const added = page.locator('[data-testid=recipient][data-name="Jura – fælles postkasse"]');
    expect(await added.getByTestId('recipient-where').textContent()).toBe(`${DEMO_FINANCE_MAILBOX} · Inbox › Digital Post › Jura`);
    expect(await added.getByTestId('recipient-check').getAttribute('data-ok')).toBe('true');
    const saved = (await destinationsNow(l)).find((d) => d.displayName === 'Jura – fælles postkasse');
    expect(saved).toMatchObject({ kind: 'shared_mailbox', mailbox: DEMO_FINANCE_MAILBOX, folderPathRaw: 'Digital Post/Jura' });

    await added.getByTestId('recipient-check-again').click();
    await eventually(async () => (await resultText(page)) === '»Jura – fælles postkasse« er tjekket: ingen problemer.', 'the check result');

    await added.getByTestId('recipient-archive').click();
    const confirm = page.getByTestId('recipient-archive-dialog');
    await confirm.waitFor();
    await b.screenshot('admin-recipient-archive-360', { fullPage: false });
    await confirm.getByTestId('recipient-archive-dialog-confirm').click();
    await added.waitFor({ state: 'detached' });
    expect(await resultText(page)).toBe('»Jura – fælles postkasse« er arkiveret.');
    expect((await destinationsNow(l)).map((d) => d.displayName)).not.toContain('Jura – fælles postkasse');
  });
});

browserTest('admin › mailboxes: CVR numbers with their mailboxes\' health; add, refuse, remove; pause and resume', async () => {
  await withBrowser('admin-mailboxes', async (b, l) => {
    const { page } = b;
    const cvrsNow = async () => (await l.api<{ items: unknown[] }>('GET', '/admin/cvrs')).body.items.map((c) => cvrViewSchema.parse(c));
    const before = await cvrsNow();
    await openAdmin(page, 'mailboxes');
    await waitForCount(page.getByTestId('cvr'), DEMO_ORGANISATION.cvrs.length);
    await waitForCount(page.getByTestId('mailbox'), before.flatMap((c) => c.mailboxes).length);
    const holding = page.locator(`[data-testid=cvr][data-cvr="${DEMO_ORGANISATION.cvrs[0].cvr}"]`);
    expect(await holding.textContent()).toContain('Nordlys Holding A/S');
    const mb = holding.locator('[data-testid=mailbox][data-provider=ngdp]');
    expect(await mb.textContent()).toContain('Digital Post');
    expect(await mb.getByTestId('mailbox-backlog').textContent()).toMatch(/^\d+ breve? endnu ikke leveret/);
    expect(await page.locator('[data-testid=mailbox][data-provider=eboks]').count()).toBe(1);
    expect(await page.locator('[data-testid=mailbox][data-provider=mitdk]').count()).toBe(1);
    await b.screenshot('admin-mailboxes-360');

    // Refused in the pane: the modulus 11 check fails; nothing reaches the server.
    const form = page.getByTestId('cvr-add-form');
    await form.getByTestId('cvr-input').fill('12345678');
    await form.getByTestId('cvr-name-input').fill('Forkert A/S');
    await form.getByTestId('cvr-add').click();
    await form.getByText('12345678 er ikke et gyldigt CVR-nummer (kontrolcifferet passer ikke). Tjek cifrene.').waitFor();
    await form.getByTestId('cvr-input').fill('1234');
    await form.getByText('Et CVR-nummer har præcis 8 cifre.').waitFor();
    expect((await cvrsNow()).length).toBe(before.length);
    await b.screenshot('admin-cvr-invalid-360', { fullPage: false });

    await form.getByTestId('cvr-input').fill('12345674');
    await form.getByTestId('cvr-name-input').fill('Fjordkraft A/S');
    await form.getByTestId('cvr-add').click();
    const added = page.locator('[data-testid=cvr][data-cvr="12345674"]');
    await added.waitFor();
    expect(await resultText(page)).toBe('CVR 12345674 (Fjordkraft A/S) er tilføjet.');
    expect(await added.textContent()).toContain('Ingen postkasse tilknyttet endnu.');
    expect((await cvrsNow()).map((c) => c.cvr)).toContain('12345674');

    // Refused by the server: already there. Said in the pane's language from the code's params (cvr_exists), not the server's English.
    await form.getByTestId('cvr-input').fill('12345674');
    await form.getByTestId('cvr-name-input').fill('Igen');
    await form.getByTestId('cvr-add').click();
    await form.getByTestId('form-error').waitFor();
    expect(await form.getByTestId('form-error-text').textContent()).toBe('CVR 12345674 er allerede i jeres organisation (som »Fjordkraft A/S«).');

    await added.getByTestId('cvr-remove').click();
    const confirm = page.getByTestId('cvr-remove-dialog');
    expect(await confirm.textContent()).toContain('Fjern CVR 12345674 (Fjordkraft A/S)?');
    await confirm.getByTestId('cvr-remove-dialog-confirm').click();
    await added.waitFor({ state: 'detached' });
    expect(await resultText(page)).toBe('CVR 12345674 (Fjordkraft A/S) er fjernet.');
    expect((await cvrsNow()).map((c) => c.cvr)).not.toContain('12345674');

    // Pause, then resume.
    const id = await mb.getAttribute('data-mailbox-id');
    await mb.getByTestId('mailbox-toggle').click();
    await eventually(async () => (await mb.getAttribute('data-paused')) === 'true', 'the paused mailbox');
    expect(await mb.getByTestId('mailbox-state').textContent()).toBe('På pause');
    expect(await resultText(page)).toBe('Digital Post-postkassen for Nordlys Holding A/S er sat på pause: der hentes ingen breve, før den genoptages.');
    expect((await l.api<{ paused: boolean }>('GET', `/admin/mailboxes/${id}`)).body.paused).toBe(true);
    await b.screenshot('admin-mailbox-paused-360');
    await mb.getByTestId('mailbox-toggle').click();
    await eventually(async () => (await mb.getAttribute('data-paused')) === 'false', 'the resumed mailbox');
    expect(await resultText(page)).toBe('Digital Post-postkassen for Nordlys Holding A/S er genoptaget: hentningen starter nu.');
    expect((await l.api<{ paused: boolean }>('GET', `/admin/mailboxes/${id}`)).body.paused).toBe(false);
  });
});

browserTest('admin › settings: retention and the quarantine period, and a service notice that shows as a banner in Danish and English until deleted', async () => {
  await withBrowser('admin-settings', async (b, l) => {
    const { page } = b;
    await openAdmin(page, 'settings');
    const retention = page.getByTestId('retention');
    await retention.getByTestId('retention-means').waitFor();
    expect(await retention.getByTestId('retention-means').textContent()).toBe('Brevenes indhold slettes 90 dage efter modtagelsen.');
    expect(await retention.getByTestId('quarantine-keep-means').textContent())
      .toBe('Et brev i karantæne, som ingen har prøvet igen, slettes 90 dage efter opbevaringsperioden: 180 dage efter det kom.');
    expect(await retention.getByTestId('quarantine-keep-input').inputValue()).toBe('90');
    await retention.getByTestId('retention-input').fill('3');
    await retention.getByTestId('retention-save').click();
    await retention.getByText('Skriv et helt antal dage fra 7 til 3.650.').waitFor();
    expect(await retention.getByText('Skriv et helt antal dage fra 7 til 3.650 for breve i karantæne.').count()).toBe(0);
    expect(retentionSettingsSchema.parse((await l.api('GET', '/admin/retention-settings')).body).retentionDays).toBe(90);
    // The quarantine period: its own message, nothing saved (the retention, valid now, neither).
    await retention.getByTestId('retention-input').fill('30');
    for (const wrong of ['5000', '6', '12.5', '']) {
      await retention.getByTestId('quarantine-keep-input').fill(wrong);
      await retention.getByTestId('retention-save').click();
      await retention.getByTestId('quarantine-keep-field').getByText('Skriv et helt antal dage fra 7 til 3.650 for breve i karantæne.').waitFor();
      expect(await retention.getByText('Skriv et helt antal dage fra 7 til 3.650.', { exact: true }).count()).toBe(0);
    }
    expect(retentionSettingsSchema.parse((await l.api('GET', '/admin/retention-settings')).body)).toEqual({ retentionDays: 90, quarantineKeepDays: 90 });
    await retention.getByTestId('quarantine-keep-input').fill('45');
    await retention.getByTestId('retention-save').click();
    await eventually(async () => (await retention.getByTestId('admin-result-text').textContent().catch(() => null))
      === 'Gemt: brevenes indhold slettes 30 dage efter modtagelsen; breve i karantæne, som ingen har prøvet igen, 45 dage senere.', 'the saved retention');
    expect(await retention.getByTestId('retention-means').textContent()).toBe('Brevenes indhold slettes 30 dage efter modtagelsen.');
    expect(await retention.getByTestId('quarantine-keep-means').textContent())
      .toBe('Et brev i karantæne, som ingen har prøvet igen, slettes 45 dage efter opbevaringsperioden: 75 dage efter det kom.');
    expect(retentionSettingsSchema.parse((await l.api('GET', '/admin/retention-settings')).body)).toEqual({ retentionDays: 30, quarantineKeepDays: 45 });
    await b.screenshot('admin-settings-retention-360');

    // No banner yet.
    expect(await page.getByTestId('notice').count()).toBe(0);
    const form = page.getByTestId('notice-form');
    await form.getByTestId('notice-create').click();
    expect(await form.getByText('Vælg dato og klokkeslæt.').count()).toBe(2);
    expect(await form.getByText('Skriv teksten.').count()).toBe(2);
    // An end before the start is refused here; a window longer than 30 days by the server.
    const start = new Date(Date.now() + 2 * 3_600_000);
    start.setSeconds(0, 0);
    await form.getByTestId('notice-starts').fill(localInput(start));
    await form.getByTestId('notice-ends').fill(localInput(new Date(start.getTime() - 3_600_000)));
    await form.getByTestId('notice-text-da').fill('Digital Post hentes ikke i tidsrummet.');
    await form.getByTestId('notice-text-en').fill('Digital Post is not fetched during the window.');
    await form.getByTestId('notice-create').click();
    await form.getByText('Slutningen skal ligge efter starten.').waitFor();
    await form.getByTestId('notice-ends').fill(localInput(new Date(start.getTime() + 40 * 86_400_000)));
    await form.getByTestId('notice-create').click();
    await form.getByTestId('form-error').waitFor();
    // A refinement that names its rule (params.code in shared/src/contracts.ts): its field and the rule in Danish (codes.problem.field_window_too_long).
    expect(await form.getByTestId('form-error-text').textContent()).toBe('endsAt: En periode må højst vare 30 dage.');

    const end = new Date(start.getTime() + 3 * 3_600_000);
    await form.getByTestId('notice-ends').fill(localInput(end));
    await form.getByTestId('notice-severity-warning').click();
    await form.getByTestId('notice-create').click();
    const item = page.getByTestId('notice-item');
    await item.waitFor();
    expect(await page.getByTestId('notices-admin').getByTestId('admin-result-text').textContent()).toBe('Driftsmeddelelsen er oprettet.');
    expect(await item.getByTestId('notice-phase').getAttribute('data-phase')).toBe('upcoming');
    const [created] = activeNoticeListSchema.parse((await l.api('GET', '/notices')).body).items;
    expect(created).toMatchObject({ severity: 'warning', phase: 'upcoming', startsAt: start.toISOString(), endsAt: end.toISOString() });

    // The banner appears at once, in Danish, as a warning.
    const banner = page.getByTestId('notice');
    await banner.waitFor();
    const fmt = (d: Date, locale: string) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Copenhagen' }).format(d);
    expect((await banner.getByTestId('notice-text').textContent())?.replace(/\s/g, ' '))
      .toBe(`Planlagt vedligeholdelse fra ${fmt(start, 'da-DK')} til ${fmt(end, 'da-DK')}: Digital Post hentes ikke i tidsrummet.`.replace(/\s/g, ' '));
    expect(await banner.getAttribute('data-intent')).toBe('warning');
    await b.screenshot('admin-notice-banner-da-360');

    // In English, after a reload (the banner fetches at start).
    await page.getByTestId('language-switch').click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await page.reload();
    await banner.waitFor();
    expect(await banner.getByTestId('notice-text').textContent()).toMatch(/^Planned maintenance from .+ to .+: Digital Post is not fetched during the window\.$/);
    await b.screenshot('admin-notice-banner-en-360', { fullPage: false });

    // Dismissed for the session: gone after a reload too.
    await banner.getByTestId('notice-dismiss').click();
    await waitForCount(banner, 0);
    await page.reload();
    await page.getByTestId('notice-item').waitFor();
    expect(await banner.count()).toBe(0);
    // The periods in English.
    expect(await page.getByTestId('quarantine-keep-means').textContent())
      .toBe('A letter in quarantine that nobody tried again is deleted 45 days after the retention period: 75 days after it arrived.');

    // Deleted: gone from the list and from the banner endpoint.
    await page.getByTestId('notice-item').getByTestId('notice-delete').click();
    await page.getByTestId('notice-delete-dialog-confirm').click();
    await waitForCount(page.getByTestId('notice-item'), 0);
    expect(await page.getByTestId('notices-admin').getByTestId('admin-result-text').textContent()).toBe('The service notice was deleted.');
    expect(activeNoticeListSchema.parse((await l.api('GET', '/notices')).body).items).toEqual([]);
  });
});

browserTest('admin › as an operator: everything readable, retention and notices read-only, mailboxes can still be paused', async () => {
  await withBrowser('admin-operator', async (b) => {
    const { page } = b;
    // The demo honours X-Brevdue-Demo-Role (demo mode only): the API itself treats the pane as an operator.
    await page.setExtraHTTPHeaders({ 'X-Brevdue-Demo-Role': 'operator' });
    await openAdmin(page, 'settings');
    await page.getByTestId('retention-means').waitFor();
    expect(await page.getByTestId('admin-only').textContent()).toBe('Kun administratorer kan ændre dette. Din rolle: operatør.');
    expect(await page.getByTestId('retention-input').count()).toBe(0);
    expect(await page.getByTestId('quarantine-keep-input').count()).toBe(0);
    expect(await page.getByTestId('quarantine-keep-means').textContent()).toMatch(/^Et brev i karantæne, som ingen har prøvet igen, slettes \d+ dage efter opbevaringsperioden/);
    expect(await page.getByTestId('notice-form').count()).toBe(0);
    await b.screenshot('admin-settings-operator-360');

    await page.getByTestId('admin-tab-recipients').click();
    await page.getByTestId('recipient').first().waitFor();
    expect(await page.getByTestId('recipient-add').count()).toBe(0);
    expect(await page.getByTestId('recipient-archive').count()).toBe(0);
    expect(await page.getByTestId('recipient-check-again').count()).toBeGreaterThan(0);

    await page.getByTestId('admin-tab-mailboxes').click();
    const mb = page.getByTestId('mailbox').first();
    await mb.waitFor();
    expect(await page.getByTestId('cvr-add-form').count()).toBe(0);
    expect(await page.getByTestId('cvr-remove').count()).toBe(0);
    await mb.getByTestId('mailbox-toggle').click();
    await eventually(async () => (await mb.getAttribute('data-paused')) === 'true', 'paused by the operator');
    await mb.getByTestId('mailbox-toggle').click();
    await eventually(async () => (await mb.getAttribute('data-paused')) === 'false', 'resumed by the operator');
  });
});

browserTest('admin › recipients: a failed delivery shows with its reason; "send again" delivers it, once', async () => {
  await withBrowser('admin-failed', async (b, l) => {
    const { page } = b;
    const { app } = l;
    const db = app.database.db;
    const cvr = DEMO_ORGANISATION.cvrs[0].cvr;
    const [mb] = await db.select().from(mailboxes).where(and(eq(mailboxes.orgId, app.demoOrgId!), eq(mailboxes.cvr, cvr), eq(mailboxes.provider, 'ngdp')));
    const memo = demoMemo({ recipientCvr: cvr, label: 'Rykker for ejendomsskat' });
    const { messageId } = await storeLetter(db, app.ctx.sealer, mb, memo, Buffer.from(buildMemoXml(memo)));
    // As after an outage: a delivery to the finance mailbox that gave up, with Graph's reason.
    const [finance] = await db.select().from(destinations).where(and(eq(destinations.orgId, app.demoOrgId!), eq(destinations.displayName, 'Økonomi – fælles postkasse')));
    const [dead] = await db.insert(deliveries).values({
      orgId: app.demoOrgId!, messageId, destinationId: finance.id, reason: 'resend', requestedBy: 'Test', status: 'dead', attempts: 5,
      lastError: 'Microsoft Graph answered 403 ErrorAccessDenied: Access is denied. Check credentials and try again.', lastFailedAt: new Date(),
    }).returning();

    await openAdmin(page, 'recipients');
    const section = page.getByTestId('failed-deliveries');
    const item = section.locator(`[data-testid=failed-item][data-destination="${finance.id}"]`);
    await item.waitFor();
    // The page's header says so too, and takes the admin there.
    expect(await page.getByTestId('failed-jump').textContent()).toBe('1 mislykket levering');
    expect(await item.getByTestId('failed-count').textContent()).toBe('1 mislykket levering');
    expect(await item.getByTestId('failed-reason').textContent()).toBe('Microsoft Graph answered 403 ErrorAccessDenied: Access is denied. Check credentials and try again.');
    await b.screenshot('admin-failed-deliveries-360');

    await item.getByTestId('failed-retry').click();
    await section.getByTestId('failed-none').waitFor();
    expect(await section.getByTestId('admin-result-text').textContent()).toBe('1 levering sendes igen. Følg den på brevets tidslinje.');
    expect(await page.getByTestId('failed-jump').count()).toBe(0);
    const [after] = await eventually(async () => {
      const rows = await db.select().from(deliveries).where(eq(deliveries.id, dead.id));
      return rows[0]?.status === 'delivered' && rows;
    }, 'the failed delivery delivered');
    expect(after.attempts).toBe(1);
    expect(app.sims!.graph.api.messages(DEMO_FINANCE_MAILBOX).filter((m) => m.subject.includes('Rykker for ejendomsskat'))).toHaveLength(1);
  });
});
