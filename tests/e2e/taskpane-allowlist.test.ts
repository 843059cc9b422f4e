// The operator's allow-list (DESTINATIONS_ALLOWED, backend delivery/registry/allowed.ts) in the pane,
// against the real backend in demo mode: a recipient the organisation may not use now — the demo's
// Teams channel once teams are not allowed, another organisation's mailbox saved before the list — is
// never offered as a choice. The reroute and triage pickers list it last, greyed out with the reason,
// and a click does not choose it; a triage suggestion naming it has no usable button and says why.
// Danish and English.
import type { Page } from 'playwright-core';
import type { Memo } from '../../backend/src/memo/types';
import { destinations } from '../../backend/src/store/schema';
import { destinationPolicy } from '../../backend/src/delivery/registry/allowed';
import { destinationChoiceSchema, triageListSchema } from '../../shared/src/contracts';
import { browserTest, chromiumAvailable, type LaunchedBrowser } from './browser';
import { detailOf, eventually, startLive, type Live, withLiveBrowser } from './live';
import { destinationIdsByName, letterFrom, receiveInTriage as receive } from './triage-letters';

const SKAT = { id: '19552101', name: 'Skattestyrelsen' };
const FINANCE = 'Økonomi – fælles postkasse';
const TEAMS = 'Økonomi – Teams-kanal';
const RIVAL = 'Direktøren (gammel)';

let live: Live | null = null;
let dest: Record<string, string> = {};
let delivered = '';

const letter = (label: string): Memo => letterFrom(SKAT, label);

beforeAll(async () => {
  if (!chromiumAvailable()) return;
  live = await startLive({ seed: false, pollIntervalMs: 60_000 });
  const l = live;
  const db = l.app.database.db;
  // Another organisation's mailbox, registered before the operator's list existed.
  await db.insert(destinations).values({
    orgId: l.app.demoOrgId!, kind: 'user_mailbox', displayName: RIVAL, mailbox: 'direktor@rival.example', folderPath: 'Digital Post', checkedAt: new Date(),
  });
  dest = await destinationIdsByName(l);
  for (const r of (await l.api<{ items: { id: string }[] }>('GET', '/admin/rules')).body.items) {
    expect((await l.api('DELETE', `/admin/rules/${r.id}`)).status).toBe(204);
  }
  expect((await l.api('POST', '/admin/rules', { name: 'Alt til sortering', priority: 1, conditions: { always: true }, action: { kind: 'triage' } })).status).toBe(201);
  // Teach the assistant while the team is still allowed: moms letters go to the Teams channel.
  for (let i = 1; i <= 4; i++) {
    const id = await receive(l, letter(`Rykker: moms for ${i}. kvartal`));
    expect((await l.api('POST', `/triage/${id}/place`, { destinationIds: [dest[TEAMS]] })).status).toBe(202);
  }
  // A letter in the finance mailbox, to reroute from.
  delivered = await receive(l, letter('Årsopgørelse for selskabet'));
  expect((await l.api('POST', `/triage/${delivered}/place`, { destinationIds: [dest[FINANCE]] })).status).toBe(202);
  await eventually(async () => (await detailOf(l, delivered)).status === 'delivered', 'the letter delivered to the finance mailbox');
  // Now the operator allows the organisation its own mail domain only: no teams.
  l.app.ctx.destinationPolicy = destinationPolicy({ '*': { mailDomains: ['nordlys.example'], teams: [] } });
}, 180_000);

afterAll(async () => {
  await live?.stop();
});

const withBrowser = (name: string, run: (b: LaunchedBrowser, live: Live) => Promise<void>) => withLiveBrowser(live, name, run);
const option = (page: Page, name: string) => page.getByTestId('destination-option').filter({ hasText: name });

browserTest('triage: a suggestion naming a recipient the operator does not allow cannot be placed and says why; the picker greys such recipients out', async () => {
  await withBrowser('allowlist-triage', async (b, l) => {
    const { page } = b;
    const id = await receive(l, letter('Moms: foreløbig fastsættelse'));
    const queued = triageListSchema.parse((await l.api('GET', '/triage')).body).items.find((i) => i.message.id === id)!;
    expect(queued.suggestions[0].destinations).toEqual([TEAMS]);
    // The registry says which, and why.
    const registry = ((await l.api<{ items: unknown[] }>('GET', '/destinations')).body.items).map((d) => destinationChoiceSchema.parse(d));
    expect(Object.fromEntries(registry.map((d) => [d.displayName, d.unusable?.code ?? null]))).toMatchObject({ [FINANCE]: null, [TEAMS]: 'team_not_allowed', [RIVAL]: 'mailbox_domain_not_allowed' });

    await page.goto(`${l.app.url}/taskpane.html`);
    await page.getByTestId('nav-triage').click();
    const card = page.locator(`[data-testid=triage-item][data-message-id="${id}"]`);
    await card.waitFor();
    const first = card.getByTestId('triage-suggestion').first();
    const button = first.getByTestId('triage-place-suggestion');
    expect(await button.textContent()).toBe(`Placér i ${TEAMS}`);
    await eventually(async () => (await first.getByTestId('triage-suggestion-unusable').count()) === 1, 'the suggestion marked');
    expect(await first.getByTestId('triage-suggestion-unusable').textContent())
      .toBe(`${TEAMS}: kan ikke modtage breve nu. Driften af Brevdue tillader ikke dette team for jeres organisation.`);
    expect(await button.getAttribute('aria-disabled')).toBe('true');
    await button.click({ force: true });
    await page.waitForTimeout(300);
    expect((await detailOf(l, id)).status).toBe('triage');

    // Other recipients: the refused ones last, greyed out with the reason; a click chooses nothing.
    if (await card.getByTestId('triage-choose-other').count()) await card.getByTestId('triage-choose-other').click();
    await card.getByTestId('destination-search').click();
    await option(page, FINANCE).waitFor();
    const names = await page.getByTestId('destination-option').evaluateAll((els) => els.map((e) => [e.textContent, e.getAttribute('data-unusable'), e.getAttribute('aria-disabled')]));
    const firstRefused = names.findIndex(([, code]) => code !== null);
    expect(firstRefused).toBeGreaterThan(0);
    expect(names.slice(firstRefused).every(([, code, disabled]) => code !== null && disabled === 'true')).toBe(true);
    expect(names.slice(0, firstRefused).every(([, code, disabled]) => code === null && disabled !== 'true')).toBe(true);
    expect(await option(page, TEAMS).getByTestId('destination-unusable-reason').textContent())
      .toBe('Kan ikke modtage breve. Driften af Brevdue tillader ikke dette team for jeres organisation.');
    expect(await option(page, RIVAL).getByTestId('destination-unusable-reason').textContent())
      .toBe('Kan ikke modtage breve. Driften af Brevdue tillader ikke postkasser i rival.example for jeres organisation.');
    await option(page, RIVAL).scrollIntoViewIfNeeded();
    await b.screenshot('allowlist-triage-picker-360', { fullPage: false });
    await option(page, TEAMS).click({ force: true });
    await page.waitForTimeout(200);
    expect(await card.getByTestId('picked-destination').count()).toBe(0);
    await option(page, FINANCE).click();
    await card.getByTestId('picked-destination').filter({ hasText: FINANCE }).waitFor();
    expect(await card.getByTestId('picked-destination').count()).toBe(1);
    await card.getByTestId('triage-place-other').click();
    await card.waitFor({ state: 'detached' });
    expect((await detailOf(l, id)).deliveries.map((d) => d.destination.displayName)).toEqual([FINANCE]);
  });
});

browserTest('reroute in English: recipients the operator does not allow are shown greyed out with the reason and cannot be chosen', async () => {
  await withBrowser('allowlist-reroute', async (b, l) => {
    const { page } = b;
    await page.goto(`${l.app.url}/taskpane.html`);
    await page.getByTestId('language-switch').click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    const row = page.locator(`[data-testid=message-row][data-message-id="${delivered}"]`);
    await row.waitFor();
    await row.click();
    await page.getByTestId('detail-heading').waitFor();
    await page.getByTestId('action-reroute').click();
    const dialog = page.getByTestId('reroute-dialog');
    await dialog.waitFor();
    await dialog.getByTestId('destination-search').click();
    await option(page, TEAMS).waitFor();
    expect(await option(page, TEAMS).getAttribute('aria-disabled')).toBe('true');
    expect(await option(page, TEAMS).getByTestId('destination-unusable-reason').textContent())
      .toBe('Cannot receive letters. The operator of Brevdue does not allow this team for your organisation.');
    expect(await option(page, RIVAL).getByTestId('destination-unusable-reason').textContent())
      .toBe('Cannot receive letters. The operator of Brevdue does not allow mailboxes in rival.example for your organisation.');
    await option(page, RIVAL).scrollIntoViewIfNeeded();
    await b.screenshot('allowlist-reroute-picker-en-360', { fullPage: false });
    // Neither a click nor the keyboard chooses one.
    await option(page, RIVAL).click({ force: true });
    await dialog.getByTestId('destination-search').pressSequentially('direkt');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(200);
    expect(await dialog.getByTestId('picked-destination').count()).toBe(0);
    // Confirming sends nothing: nothing is chosen.
    await page.keyboard.press('Escape');
    await dialog.getByTestId('reroute-confirm').click();
    expect(await dialog.textContent()).toContain('Choose at least one recipient.');
    expect((await detailOf(l, delivered)).deliveries).toHaveLength(1);
  });
});
