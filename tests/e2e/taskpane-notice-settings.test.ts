// The dead-letter notice, end to end in the pane (demo backend, 360 px): the letter link the mails carry
// (#/messages/<id> of mails already sent, and the #/message/<id> the server builds now) opens the letter;
// a notice waiting because the operator's allow-list refuses its sender is titled and said as waiting, in
// Danish and English, pointing to Settings › Delivery; that section shows and changes the notice's address
// and sender (field checks, a refused sender said at its field, each field a stricter server refuses
// said at that field, progress, the result), read-only for an operator. Also a greyed-out triage suggestion whose name wraps instead of being cut off.
import type { Page } from 'playwright-core';
import { and, eq } from 'drizzle-orm';
import { addEvent, storeLetter } from '../../backend/src/store/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { mailboxes } from '../../backend/src/store/schema';
import { destinationPolicy } from '../../backend/src/delivery/registry/allowed';
import { letterPaneUrl } from '../../backend/src/delivery/pane-link';
import { deliverySettingsSchema } from '../../shared/src/contracts';
import { browserTest } from './browser';
import { eventually, type Live, withLiveBrowser } from './live';
import { adminLiveForSuite, openAdminTab } from './admin-pane';
import { destinationIdsByName, letterFrom, receiveInTriage } from './triage-letters';

let live: Live | null = null;
adminLiveForSuite((l) => { live = l; });

const SKAT = { id: '19552101', name: 'Skattestyrelsen' };
const deliverySettingsNow = async (l: Live) => deliverySettingsSchema.parse((await l.api('GET', '/admin/delivery-settings')).body);
/** Only the organisation's own domain, no team: as an operator's DESTINATIONS_ALLOWED would. */
const onlyNordlys = () => destinationPolicy({ '*': { mailDomains: ['nordlys.example'], teams: [] } });

async function letterInTriage(l: Live, label: string): Promise<string> {
  return receiveInTriage(l, letterFrom(SKAT, label));
}

/** A letter stored as the poller would (routed wherever the rules say; it does not matter here). */
async function storedLetter(l: Live, label: string): Promise<string> {
  const memo = letterFrom(SKAT, label);
  const [mb] = await l.app.database.db.select().from(mailboxes)
    .where(and(eq(mailboxes.orgId, l.app.demoOrgId!), eq(mailboxes.cvr, memo.recipient.id), eq(mailboxes.provider, 'ngdp')));
  return (await storeLetter(l.app.database.db, l.app.ctx.sealer, mb, memo, Buffer.from(buildMemoXml(memo)))).messageId;
}

const labelOf = (page: Page) => page.locator('[data-testid=timeline-item][data-type=admins_notified]').getByTestId('timeline-label');
const textOf = (page: Page) => page.locator('[data-testid=timeline-item][data-type=admins_notified]').getByTestId('timeline-text');

browserTest('a mail\'s letter link opens the letter; a notice waiting for its refused sender is said as waiting, pointing to Settings › Delivery', async () => {
  await withLiveBrowser(live, 'notice-waiting', async (b, l) => {
    const { page } = b;
    const id = await storedLetter(l, 'Frist: moms 1. kvartal');
    // As notify.ts recordWaiting writes it.
    await addEvent(l.app.database.db, l.app.demoOrgId!, id, 'admins_notified', 'system',
      'The admins were not mailed yet about the failed delivery to Økonomi: the notice sender noreply@rival.example may not be used. …',
      { deliveryId: '00000000-0000-4000-8000-000000000000', sent: false, waiting: true, reason: 'sender_not_allowed' });

    // The link of mails already sent.
    await page.goto(`${l.app.url}/taskpane.html#/messages/${id}`);
    await page.getByTestId('detail-heading').waitFor();
    expect(await page.getByTestId('detail-heading').textContent()).toBe('Frist: moms 1. kvartal');
    expect(new URL(page.url()).hash).toBe(`#/message/${id}`);
    // The link the server builds now.
    const built = letterPaneUrl(l.app.url, id)!;
    expect(new URL(built).hash).toBe(`#/message/${id}`);

    await labelOf(page).waitFor();
    expect(await labelOf(page).textContent()).toBe('Besked til administratorer venter');
    const da = (await textOf(page).textContent())!;
    expect(da).not.toMatch(/der er ikke sat en adresse/);
    expect(da).toMatch(/venter og sendes af sig selv, så snart driften tillader afsenderen, eller når der er valgt en tilladt afsender under Indstillinger → Levering\.$/);
    await page.getByTestId('language-switch').click();
    await eventually(async () => (await labelOf(page).textContent()) === 'Notice to admins waiting', 'the English label');
    expect(await textOf(page).textContent()).toMatch(/waits and goes by itself as soon as the operator allows the sender, or once an allowed sender is chosen under Settings → Delivery\.$/);
    await b.screenshot('notice-waiting-timeline-360');
  });
});

browserTest('Settings › Delivery: the notice\'s address and sender shown and changed, checked at the fields, a refused sender said there', async () => {
  await withLiveBrowser(live, 'settings-delivery', async (b, l) => {
    const { page } = b;
    const before = await deliverySettingsNow(l);
    await l.api('PUT', '/admin/delivery-settings', { ...before, notifyAddress: 'it-drift@nordlys.example', notifySender: 'digitalpost@nordlys.example' });
    await openAdminTab(page, l, 'settings');
    const section = page.getByTestId('delivery-settings');
    await section.getByTestId('delivery-notify-current').waitFor();
    expect(await section.getByRole('heading').textContent()).toBe('Levering');
    expect(await section.getByTestId('delivery-notify-current').textContent()).toBe('Beskeder om mislykkede afleveringer sendes til it-drift@nordlys.example fra digitalpost@nordlys.example.');
    const address = section.getByTestId('notify-address-input');
    const sender = section.getByTestId('notify-sender-input');
    expect(await address.inputValue()).toBe('it-drift@nordlys.example');
    expect(await sender.inputValue()).toBe('digitalpost@nordlys.example');

    // The pane's own checks, at the fields, before any request.
    let puts = 0;
    page.on('request', (r) => { if (r.method() === 'PUT' && r.url().endsWith('/admin/delivery-settings')) puts++; });
    await address.fill('it-drift');
    await sender.fill('');
    await section.getByTestId('delivery-save').click();
    await section.getByText('Skriv en mailadresse, fx it-drift@firma.dk.').waitFor();
    expect(await section.getByText('Udfyld både adresse og afsender, eller lad begge stå tomme.').count()).toBe(1);
    expect(await address.getAttribute('aria-invalid')).toBe('true');
    expect(puts).toBe(0);

    // A server stricter than the pane (whose own check passes these, so the request is changed on its
    // way): each problem of the zod refusal at its field, in the form's Danish, found by its field (both,
    // not only the one the English sentence starts with); no English, no error bar.
    await page.route('**/api/admin/delivery-settings', async (route) => {
      const r = route.request();
      if (r.method() !== 'PUT') return route.continue();
      await route.continue({ postData: JSON.stringify({ ...r.postDataJSON(), notifyAddress: 'it-drift(at)nordlys.example', notifySender: 'digitalpost' }) });
    });
    await address.fill('it-drift@nordlys.example');
    await sender.fill('digitalpost@nordlys.example');
    await section.getByTestId('delivery-save').click();
    await eventually(async () => (await sender.getAttribute('aria-invalid')) === 'true', 'the sender marked by the server');
    expect(puts).toBe(1);
    expect(await address.getAttribute('aria-invalid')).toBe('true');
    expect(await section.getByText('Skriv en mailadresse, fx it-drift@firma.dk.').count()).toBe(1);
    expect(await section.getByText('Skriv postkassens adresse, fx digitalpost@firma.dk.').count()).toBe(1);
    expect(await section.getByTestId('form-error').count()).toBe(0);
    expect(await section.textContent()).not.toMatch(/notifyAddress|notifySender|must be/);
    await b.screenshot('settings-delivery-server-fields-360');
    await page.unroute('**/api/admin/delivery-settings');
    // Changing a field takes its mark away; the other keeps its own.
    await sender.fill('digitalpost@nordlys.dk');
    await eventually(async () => (await sender.getAttribute('aria-invalid')) !== 'true', 'the sender\'s mark to go');
    expect(await address.getAttribute('aria-invalid')).toBe('true');
    expect((await deliverySettingsNow(l)).notifySender).toBe('digitalpost@nordlys.example');

    // A sender the operator does not allow: the server refuses it; said at the sender field, in Danish.
    const policyBefore = l.app.ctx.destinationPolicy;
    l.app.ctx.destinationPolicy = onlyNordlys();
    try {
      await address.fill('it-drift@nordlys.example');
      await sender.fill('noreply@rival.example');
      await section.getByTestId('delivery-save').click();
      const refused = section.getByText(/^Driften af Brevdue tillader ikke postkasser i rival\.example for jeres organisation, så beskeder kan ikke sendes derfra\. Tilladt nu: nordlys\.example\.$/);
      await refused.waitFor();
      expect(await sender.getAttribute('aria-invalid')).toBe('true');
      expect((await deliverySettingsNow(l)).notifySender).toBe('digitalpost@nordlys.example');
      await b.screenshot('settings-delivery-refused-360');

      // An allowed one: progress while saving, then the result, and the server has it.
      await page.route('**/api/admin/delivery-settings', async (route) => {
        if (route.request().method() === 'PUT') await new Promise((r) => setTimeout(r, 600));
        await route.continue();
      });
      await sender.fill('Brevdue@Nordlys.example');
      await section.getByTestId('delivery-save').click();
      await eventually(async () => (await section.getByTestId('delivery-save').textContent()) === 'Gemmer…', 'the progress');
      expect(await section.getByTestId('delivery-save').isDisabled()).toBe(true);
      await eventually(async () => (await section.getByTestId('admin-result-text').count()) > 0, 'the result');
      expect(await section.getByTestId('admin-result-text').textContent()).toBe('Gemt: beskeder om mislykkede afleveringer sendes til it-drift@nordlys.example fra brevdue@nordlys.example.');
      expect(await section.getByTestId('delivery-notify-current').textContent()).toBe('Beskeder om mislykkede afleveringer sendes til it-drift@nordlys.example fra brevdue@nordlys.example.');
      // The other delivery settings are kept.
      expect(await deliverySettingsNow(l)).toEqual({ ...before, notifyAddress: 'it-drift@nordlys.example', notifySender: 'brevdue@nordlys.example' });
      await page.unroute('**/api/admin/delivery-settings');

      // Both emptied: no notices, said so.
      await address.fill('');
      await sender.fill('');
      await section.getByTestId('delivery-save').click();
      await eventually(async () => (await section.getByTestId('admin-result-text').textContent()) === 'Gemt: der sendes ingen beskeder om mislykkede afleveringer.', 'saved without notices');
      expect(await section.getByTestId('delivery-notify-current').textContent()).toBe('Ikke sat op: ingen får besked, når en aflevering mislykkes.');
      expect(await deliverySettingsNow(l)).toMatchObject({ notifyAddress: null, notifySender: null });

      // In English.
      await page.getByTestId('language-switch').click();
      await eventually(async () => (await section.getByRole('heading').textContent()) === 'Delivery', 'the English heading');
      expect(await section.getByTestId('delivery-notify-current').textContent()).toBe('Not set up: nobody is told when a delivery fails.');
      await page.getByTestId('language-switch').click();
    } finally {
      l.app.ctx.destinationPolicy = policyBefore;
      await l.api('PUT', '/admin/delivery-settings', before);
    }
  });
});

browserTest('Settings › Delivery as an operator: read, not changed', async () => {
  await withLiveBrowser(live, 'settings-delivery-operator', async (b, l) => {
    const { page } = b;
    await page.setExtraHTTPHeaders({ 'X-Brevdue-Demo-Role': 'operator' });
    await openAdminTab(page, l, 'settings');
    const section = page.getByTestId('delivery-settings');
    await section.getByTestId('delivery-notify-current').waitFor();
    expect(await section.getByTestId('notify-address-input').count()).toBe(0);
    expect(await section.getByTestId('delivery-save').count()).toBe(0);
    expect(await page.getByTestId('admin-only').count()).toBe(1);
  });
});

browserTest('triage at 360 px: a suggestion the operator refuses is greyed out, its name wrapped, not cut off', async () => {
  await withLiveBrowser(live, 'triage-unusable-wrap', async (b, l) => {
    const { page } = b;
    const dest = await destinationIdsByName(l);
    const TEAMS = 'Økonomi – Teams-kanal';
    const rules = (await l.api<{ items: { id: string }[] }>('GET', '/admin/rules')).body.items;
    for (const r of rules) await l.api('DELETE', `/admin/rules/${r.id}`);
    await l.api('POST', '/admin/rules', { name: 'Alt til sortering', priority: 1, conditions: { always: true }, action: { kind: 'triage' } });
    for (let i = 1; i <= 4; i++) {
      const id = await letterInTriage(l, `Rykker: moms for ${i}. kvartal`);
      await l.api('POST', `/triage/${id}/place`, { destinationIds: [dest[TEAMS]] });
    }
    await letterInTriage(l, 'Moms: foreløbig fastsættelse – frist 1. marts');
    const policyBefore = l.app.ctx.destinationPolicy;
    l.app.ctx.destinationPolicy = onlyNordlys();
    try {
      await page.goto(`${l.app.url}/taskpane.html#/triage`);
      const button = page.locator('[data-testid=triage-place-suggestion][data-unusable=true]').first();
      await button.waitFor();
      expect(await button.textContent()).toBe(`Placér i ${TEAMS}`);
      // Nothing of the label is hidden: the button is as wide as its text needs, or wraps it.
      const clipped = await button.evaluate((el) => el.scrollWidth > el.clientWidth + 1 || el.getBoundingClientRect().right > window.innerWidth);
      expect(clipped).toBe(false);
      await b.screenshot('triage-unusable-wrap-360');
    } finally {
      l.app.ctx.destinationPolicy = policyBefore;
    }
  });
});
