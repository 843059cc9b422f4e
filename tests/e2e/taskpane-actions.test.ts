// The letter detail's actions against the real backend in demo mode (seeded letters delivered through
// the simulated Graph): download, resend, reroute with the searchable picker, a reader's disabled
// actions, API errors told to a person, and "This letter" inside a (stubbed) Outlook.
import type { Page } from 'playwright-core';
import { meSchema, type MessageDetail } from '../../shared/src/contracts';
import { browserTest, chromiumAvailable, launchBrowser, type LaunchedBrowser } from './browser';
import { deliveredLetters, detailOf, eventually, startLive, stubOffice, timelineTypes, waitForTimeline, type Live, withLiveBrowser } from './live';

let live: Live | null = null;
let letters: MessageDetail[] = [];

beforeAll(async () => {
  if (!chromiumAvailable()) return;
  live = await startLive();
  letters = await deliveredLetters(live, 4);
}, 90_000);

afterAll(async () => {
  await live?.stop();
});

const withBrowser = (name: string, run: (b: LaunchedBrowser, live: Live) => Promise<void>) => withLiveBrowser(live, name, run);

async function openFromList(page: Page, id: string): Promise<void> {
  await page.goto(`${live!.app.url}/taskpane.html`);
  const row = page.locator(`[data-testid=message-row][data-message-id="${id}"]`);
  await row.waitFor();
  await row.click();
  await page.getByTestId('detail-heading').waitFor();
}

browserTest('letter: download a document under its name, resend it, and see the resend on the timeline', async () => {
  await withBrowser('actions-resend', async (b, l) => {
    const { page } = b;
    const letter = letters[0];
    await openFromList(page, letter.id);
    expect((await page.getByTestId('detail-heading').textContent())?.trim()).toBe(letter.label);
    // Tabs: Letters is the selected section in a plain browser; no "This letter" outside Outlook.
    expect(await page.getByTestId('nav-letters').getAttribute('aria-selected')).toBe('true');
    expect(await page.getByTestId('nav-this').count()).toBe(0);

    // Download keeps the original file name.
    const name = (await page.getByTestId('document-name').first().textContent())!.trim();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('document-download').first().click(),
    ]);
    expect(download.suggestedFilename()).toBe(name);
    expect(letter.documents.map((d) => d.filename)).toContain(name);

    // Resend: confirm in the dialog, see progress end in success, the timeline grows.
    await page.getByTestId('action-resend').click();
    const dialog = page.getByTestId('resend-dialog');
    await dialog.waitFor();
    const destination = letter.deliveries.find((d) => d.status === 'delivered')!.destination.displayName;
    expect(await dialog.textContent()).toContain(destination);
    await page.waitForTimeout(400); // the dialog fades in
    await b.screenshot('actions-resend-dialog-360', { fullPage: false });
    await page.getByTestId('resend-confirm').click();
    await page.locator('[data-testid=action-result][data-intent=success]').waitFor();
    expect(await page.getByTestId('action-result-text').textContent()).toContain(destination);
    expect(await dialog.count()).toBe(0);
    await waitForTimeline(page, 'resend_requested');
    // The new copy travels and arrives: the detail follows it by itself.
    await page.locator('[data-testid=delivery-item][data-reason=resend][data-status=delivered]').waitFor({ timeout: 25_000 });
    await eventually(async () => (await timelineTypes(page)).filter((t) => t === 'delivered').length >= 2, 'a second delivered event');
    const resendEvent = page.locator('[data-testid=timeline-item][data-type=resend_requested]');
    expect((await resendEvent.getByTestId('timeline-label').textContent())?.trim()).toBe('Gensendelse bestilt');
    expect(await resendEvent.textContent()).toContain('Demo-bruger');
    expect(await page.locator('[data-testid=delivery-item][data-reason=resend]').getByTestId('delivery-reason').textContent()).toBe('Gensendt af Demo-bruger');
    await b.screenshot('actions-resend-done-360');

    // The server agrees.
    const after = await detailOf(l, letter.id);
    expect(after.deliveries.filter((d) => d.reason === 'resend')).toHaveLength(1);
  });
});

browserTest('letter: reroute to a destination found with the searchable picker, moving the earlier copy', async () => {
  await withBrowser('actions-reroute', async (b, l) => {
    const { page } = b;
    const letter = letters[1];
    await openFromList(page, letter.id);
    await page.getByTestId('action-reroute').click();
    const dialog = page.getByTestId('reroute-dialog');
    await dialog.waitFor();

    // The organisation's default for the earlier copy is preselected and marked.
    // (Fluent puts a Radio's data-testid on its input.)
    await page.getByTestId('old-copy-default').waitFor();
    expect(await page.getByTestId('old-copy-leave').isChecked()).toBe(true);
    expect(await page.locator('label', { has: page.getByTestId('old-copy-default') }).textContent()).toContain('Lad den ligge');

    // Confirming with nothing chosen says what is missing; nothing is sent.
    await page.getByTestId('reroute-confirm').click();
    expect(await dialog.textContent()).toContain('Vælg mindst én modtager.');

    // Search forgives Danish letters: "okonomi" finds "Økonomi".
    // A click shows the whole registry; typing narrows it.
    const search = page.getByTestId('destination-search');
    await search.click();
    const options = page.getByTestId('destination-option');
    await options.first().waitFor();
    expect(await options.count()).toBeGreaterThan(2);
    await search.pressSequentially('okonomi');
    await eventually(async () => (await options.count()) === 2, 'two Økonomi options');
    const texts = await options.allTextContents();
    expect(texts.every((x) => x.includes('Økonomi'))).toBe(true);
    await b.screenshot('actions-reroute-search-360', { fullPage: false });
    // Nothing matches: a sentence, no option to pick and no way to use the typed text as an address.
    await search.fill('');
    await search.pressSequentially('someone@elsewhere.example');
    await page.getByTestId('destination-no-match').waitFor();
    expect(await options.count()).toBe(0);
    await page.keyboard.press('Enter');
    expect(await page.getByTestId('picked-destination').count()).toBe(0);

    await search.fill('');
    await search.pressSequentially('fælles');
    await page.getByTestId('destination-option').filter({ hasText: 'Økonomi – fælles postkasse' }).click();
    await page.getByTestId('picked-destination').filter({ hasText: 'Økonomi – fælles postkasse' }).waitFor();
    await page.getByTestId('old-copy-move').check();
    await page.waitForTimeout(400); // the picker's list fades out
    await b.screenshot('actions-reroute-dialog-360', { fullPage: false });
    await page.getByTestId('reroute-confirm').click();

    await page.locator('[data-testid=action-result][data-intent=success]').waitFor();
    expect(await page.getByTestId('action-result-text').textContent()).toBe('Omdirigering bestilt til Økonomi – fælles postkasse.');
    await waitForTimeline(page, 'reroute_requested');
    await page.locator('[data-testid=delivery-item][data-reason=reroute][data-status=delivered]').waitFor({ timeout: 25_000 });
    // The earlier copy was in another mailbox: removed once the new one exists.
    await waitForTimeline(page, 'old_copy_removed');
    expect(await page.locator('[data-testid=delivery-item][data-reason=reroute]').getByTestId('delivery-destination').textContent()).toBe('Økonomi – fælles postkasse');
    await b.screenshot('actions-reroute-done-360');

    const after = await detailOf(l, letter.id);
    const rerouted = after.deliveries.find((d) => d.reason === 'reroute')!;
    expect(rerouted.destination.displayName).toBe('Økonomi – fælles postkasse');
    expect(after.timeline.find((e) => e.type === 'reroute_requested')!.data.oldCopy).toBe('move');
  });
});

browserTest('a reader sees the actions disabled, with the reason on hover', async () => {
  await withBrowser('actions-reader', async (b, l) => {
    const { page } = b;
    const me = meSchema.parse((await l.api('GET', '/me')).body);
    await page.route(`${l.app.url}/api/me`, (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ ...me, roles: ['reader'] }) }));
    const letter = letters[2];
    await openFromList(page, letter.id);
    await page.mouse.move(0, 0); // the row's click left the pointer over the actions

    for (const id of ['action-resend', 'action-reroute']) {
      const button = page.getByTestId(id);
      expect(await button.getAttribute('aria-disabled')).toBe('true');
      expect(await button.getAttribute('data-permission')).toBe('denied');
    }
    // The reason, on hover and on keyboard focus.
    const reason = 'Kun administratorer og operatører kan sende igen, omdirigere og placere breve. Din rolle: læser.';
    await page.getByTestId('action-reroute').hover();
    const tooltip = page.getByRole('tooltip');
    await tooltip.waitFor();
    expect(await tooltip.textContent()).toBe(reason);
    await b.screenshot('actions-reader-360', { fullPage: false });
    await page.mouse.move(0, 0);
    await tooltip.waitFor({ state: 'hidden' });
    await page.getByTestId('action-resend').focus();
    await tooltip.waitFor();
    expect(await tooltip.textContent()).toBe(reason);
    // Clicking (or Enter) does nothing.
    await page.keyboard.press('Enter');
    await page.getByTestId('action-resend').click({ force: true });
    await page.waitForTimeout(300);
    expect(await page.getByTestId('resend-dialog').count()).toBe(0);
    // Reading still works: documents can be downloaded.
    expect(await page.getByTestId('document-download').first().isEnabled()).toBe(true);
    // Nothing was asked of the server.
    const after = await detailOf(l, letter.id);
    expect(after.deliveries.filter((d) => d.reason !== 'initial')).toHaveLength(0);
  });
});

browserTest('API errors on an action are told in the reader\'s language (a known code) or in the server\'s words; a lost answer says to check first', async () => {
  await withBrowser('actions-errors', async (b, l) => {
    const { page } = b;
    const letter = letters[3];
    const sentence = 'That delivery is not finished yet (or not on this letter); only delivered or failed deliveries can be sent again.';
    let mode: 'refuse' | 'drop' = 'refuse';
    await page.route(`${l.app.url}/api/messages/*/resend`, (route) =>
      mode === 'refuse'
        ? route.fulfill({ status: 409, contentType: 'application/json', body: JSON.stringify({ error: { code: 'not_resendable', message: sentence } }) })
        : route.abort('connectionreset'));
    await page.route(`${l.app.url}/api/messages/*/documents/*`, (route) =>
      route.fulfill({ status: 404, contentType: 'application/json', body: JSON.stringify({ error: { code: 'not_found', message: 'No such document on that letter.' } }) }));
    await openFromList(page, letter.id);

    await page.getByTestId('action-resend').click();
    await page.getByTestId('resend-confirm').click();
    await page.getByTestId('action-error').waitFor();
    expect(await page.getByTestId('action-error').textContent()).toContain('Brevet kunne ikke sendes igen');
    // A code the pane knows is said in Danish, never in the server's English.
    expect(await page.getByTestId('action-error-text').textContent()).toBe('Leveringen er ikke færdig endnu; kun leverede eller fejlede leveringer kan sendes igen.');
    // The dialog stays open for another try, and the button is usable again.
    expect(await page.getByTestId('resend-confirm').isEnabled()).toBe(true);
    await b.screenshot('actions-error-api-360', { fullPage: false });

    mode = 'drop';
    await page.getByTestId('resend-confirm').click();
    await eventually(async () => (await page.getByTestId('action-error-text').textContent())?.startsWith('Serveren svarede ikke.'), 'the network message');
    expect(await page.getByTestId('action-error-text').textContent()).toContain('Se i forløbet');
    await page.getByRole('button', { name: 'Annuller' }).click();
    expect(await page.getByTestId('resend-dialog').count()).toBe(0);

    // A document that cannot be fetched says so on its card.
    await page.getByTestId('document-download').first().click();
    await page.getByTestId('document-error').waitFor();
    expect(await page.getByTestId('document-error').textContent()).toContain('No such document on that letter.');
    await b.screenshot('actions-error-download-360');
    // Nothing happened on the server.
    expect((await detailOf(l, letter.id)).deliveries.filter((d) => d.reason !== 'initial')).toHaveLength(0);
  });
});

browserTest('This letter: inside Outlook the open item\'s trace shows at once, and follows the selection', async () => {
  await withBrowser('this-letter', async (b, l) => {
    const { page } = b;
    const letter = letters[2];
    const graphId = letter.deliveries.find((d) => d.status === 'delivered' && d.graphMessageId)!.graphMessageId!;
    await stubOffice(page, { itemId: `EWS:${graphId}`, internetMessageId: '<demo@nordlys.example>' });
    const lookups: string[] = [];
    page.on('request', (r) => { if (r.url().includes('/api/messages/by-graph-id/')) lookups.push(r.url()); });

    await page.goto(`${l.app.url}/taskpane.html`);
    // No click: the detail of the open item.
    await page.locator('[data-testid=this-letter][data-state=found]').waitFor();
    expect(await page.getByTestId('taskpane').getAttribute('data-office-host')).toBe('Outlook');
    expect(await page.getByTestId('nav-this').getAttribute('aria-selected')).toBe('true');
    expect((await page.getByTestId('detail-heading').textContent())?.trim()).toBe(letter.label);
    expect(await page.getByTestId('document-item').count()).toBe(letter.documents.length);
    expect(await timelineTypes(page)).toContain('delivered');
    expect(await page.getByTestId('action-resend').isEnabled()).toBe(true);
    expect(await page.getByTestId('back').count()).toBe(0);
    expect(page.url()).toMatch(/#\/this$/);
    // Item id → REST id (v2.0) → our delivery.
    expect(await page.evaluate(() => (window as unknown as { __brevdueConverted: unknown }).__brevdueConverted)).toEqual([[`EWS:${graphId}`, 'v2.0']]);
    expect(lookups).toHaveLength(1);
    const asked = new URL(lookups[0]);
    expect(decodeURIComponent(asked.pathname.split('/').pop()!)).toBe(graphId);
    expect(asked.searchParams.get('internetMessageId')).toBe('<demo@nordlys.example>');
    await b.screenshot('this-letter-found-360');

    // The user selects an ordinary email: the pane says it is not one of ours.
    await page.evaluate(() => (window as unknown as { __brevdueSelect(i: unknown): void }).__brevdueSelect({ itemId: 'EWS:AAMkNotALetter' }));
    await page.locator('[data-testid=this-letter][data-state=not-found]').waitFor();
    expect(await page.getByTestId('empty-state').textContent()).toContain('Denne e-mail er ikke et brev fra Brevdue');
    await b.screenshot('this-letter-not-found-360');

    // Back to a letter, then on to the list with the tabs (keyboard).
    await page.evaluate((id) => (window as unknown as { __brevdueSelect(i: unknown): void }).__brevdueSelect({ itemId: `EWS:${id}` }), graphId);
    await page.locator('[data-testid=this-letter][data-state=found]').waitFor();
    await page.getByTestId('nav-this').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=message-list]:visible').waitFor();
    expect(await page.getByTestId('nav-letters').getAttribute('aria-selected')).toBe('true');
    expect(await page.getByTestId('message-row').count()).toBeGreaterThan(0);
  });
});
