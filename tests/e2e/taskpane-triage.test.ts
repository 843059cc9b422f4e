// The triage queue against the real backend in demo mode: the demo's catch-all rules are replaced by
// "everything to triage", the assistant learns from a few placements made through the API, and the
// pane places the next letters — with one click on a suggestion, or with other recipients chosen from
// the registry. Also: a refused placement told as the server's sentence, a reader's view, suggestions
// too unsure for a one-click button, and the focus back on the queue after a letter opened from it.
import type { Page } from 'playwright-core';
import { MIN_SUGGESTION_CONFIDENCE, confidencePercent } from '../../shared/src/confidence';
import { meSchema, triageListSchema, type TriageList } from '../../shared/src/contracts';
import { browserTest, chromiumAvailable, launchBrowser, type LaunchedBrowser } from './browser';
import { detailOf, eventually, startLive, timelineTypes, waitForTimeline, type Live, withLiveBrowser } from './live';
import { destinationIdsByName, letterFrom as letter, receiveInTriage as receive } from './triage-letters';

const SKAT = { id: '19552101', name: 'Skattestyrelsen' };
const KBH = { id: '64942212', name: 'Københavns Kommune' };
const FINANCE = 'Økonomi – fælles postkasse';
const TEAMS = 'Økonomi – Teams-kanal';

let live: Live | null = null;
let dest: Record<string, string> = {};

beforeAll(async () => {
  if (!chromiumAvailable()) return;
  live = await startLive({ seed: false, pollIntervalMs: 60_000 });
  const l = live;
  dest = await destinationIdsByName(l);
  // Only one rule: everything waits in triage.
  for (const r of (await l.api<{ items: { id: string }[] }>('GET', '/admin/rules')).body.items) {
    expect((await l.api('DELETE', `/admin/rules/${r.id}`)).status).toBe(204);
  }
  expect((await l.api('POST', '/admin/rules', { name: 'Alt til sortering', priority: 1, conditions: { always: true }, action: { kind: 'triage' } })).status).toBe(201);
  // Teach the assistant: moms letters from Skattestyrelsen go to Økonomi.
  for (let i = 1; i <= 4; i++) {
    const id = await receive(l, letter(SKAT, `Rykker: moms for ${i}. kvartal`));
    expect((await l.api('POST', `/triage/${id}/place`, { destinationIds: [dest[FINANCE]] })).status).toBe(202);
  }
}, 120_000);

afterAll(async () => {
  await live?.stop();
});

const withBrowser = (name: string, run: (b: LaunchedBrowser, live: Live) => Promise<void>) => withLiveBrowser(live, name, run);

async function openTriage(page: Page): Promise<void> {
  await page.goto(`${live!.app.url}/taskpane.html`);
  await page.getByTestId('nav-triage').click();
  await page.getByTestId('triage').waitFor();
}

const item = (page: Page, id: string) => page.locator(`[data-testid=triage-item][data-message-id="${id}"]`);

browserTest('triage: one click on the assistant\'s suggestion places the letter, which leaves the queue', async () => {
  await withBrowser('triage-suggestion', async (b, l) => {
    const { page } = b;
    const id = await receive(l, letter(SKAT, 'Moms: foreløbig fastsættelse'));
    const before = triageListSchema.parse((await l.api('GET', '/triage')).body);
    const mine = before.items.find((i) => i.message.id === id)!;
    expect(mine.suggestions[0]?.destinations).toEqual([FINANCE]);

    await openTriage(page);
    // The tab counts the waiting letters.
    expect(await page.getByTestId('triage-count').textContent()).toBe(String(before.total));
    const card = item(page, id);
    await card.waitFor();
    expect(await card.textContent()).toContain('Moms: foreløbig fastsættelse');
    expect(await card.getByTestId('triage-why').textContent()).toContain('Alt til sortering');
    const first = card.getByTestId('triage-suggestion').first();
    expect(await first.getByTestId('triage-place-suggestion').textContent()).toBe(`Placér i ${FINANCE}`);
    // Confidence as a Danish percentage; the explanation in Danish.
    const percent = confidencePercent(mine.suggestions[0].confidence).value;
    // (Intl puts a no-break space before the Danish percent sign.)
    expect((await first.getByTestId('triage-confidence').textContent())?.replace(/\s/g, ' ')).toBe(`${percent} % sikker`);
    expect(await first.getByTestId('triage-explanation').textContent()).toBe(mine.suggestions[0].explanation.da);
    await b.screenshot('triage-queue-360');

    await first.getByTestId('triage-place-suggestion').click();
    await page.getByTestId('triage-placed').waitFor();
    expect(await page.getByTestId('triage-placed-text').textContent()).toBe(`»Moms: foreløbig fastsættelse« er placeret: ${FINANCE}.`);
    await card.waitFor({ state: 'detached' });
    expect(await page.getByTestId('triage-total').textContent()).toBe(before.total - 1 === 1 ? '1 brev venter' : `${before.total - 1} breve venter`);
    if (before.total - 1 > 0) expect(await page.getByTestId('triage-count').textContent()).toBe(String(before.total - 1));
    else expect(await page.getByTestId('triage-count').count()).toBe(0);
    await b.screenshot('triage-placed-360');

    // Open the placed letter: its timeline says who placed it; back returns to the queue.
    await page.getByTestId('triage-placed-open').click();
    await page.getByTestId('detail-heading').waitFor();
    await waitForTimeline(page, 'placed');
    expect(await page.locator('[data-testid=timeline-item][data-type=placed]').textContent()).toContain('Demo-bruger');
    expect(await page.getByTestId('nav-triage').getAttribute('aria-selected')).toBe('true');
    expect((await page.getByTestId('back').textContent())?.trim()).toBe('Sortering');
    await page.locator('[data-testid=delivery-item][data-reason=placement][data-status=delivered]').waitFor({ timeout: 25_000 });
    expect(await timelineTypes(page)).toContain('delivered');
    await page.getByTestId('back').click();
    await page.getByTestId('triage').waitFor();

    // The server agrees: placed by the person, out of the queue.
    const after = await detailOf(l, id);
    expect(after.status).not.toBe('triage');
    expect(after.timeline.find((e) => e.type === 'placed')!.actor).toBe('Demo-bruger');
  });
});

browserTest('triage: other recipients chosen from the registry; a refused placement is told, and the letter stays', async () => {
  await withBrowser('triage-other', async (b, l) => {
    const { page } = b;
    const id = await receive(l, letter(KBH, 'Varsel om tilsyn med ventilation'));
    let refuse = true;
    await page.route(`${l.app.url}/api/triage/*/place`, (route) =>
      refuse
        ? route.fulfill({ status: 409, contentType: 'application/json', body: JSON.stringify({ error: { code: 'not_in_triage', message: 'This letter is not waiting in triage (someone may have placed it already); use reroute to send it elsewhere.' } }) })
        : route.continue());
    await openTriage(page);
    const card = item(page, id);
    await card.waitFor();

    // Choose other recipients (shown at once when the assistant has nothing to suggest).
    if (await card.getByTestId('triage-choose-other').count()) await card.getByTestId('triage-choose-other').click();
    // Nothing chosen: says so, sends nothing.
    await card.getByTestId('triage-place-other').click();
    expect(await card.textContent()).toContain('Vælg mindst én modtager.');
    const search = card.getByTestId('destination-search');
    await search.click();
    await search.pressSequentially('teams');
    await page.getByTestId('destination-option').filter({ hasText: TEAMS }).click();
    await card.getByTestId('picked-destination').filter({ hasText: TEAMS }).waitFor();
    await card.getByTestId('triage-place-other').click();

    // Refused: the server's reason in the UI's language (by its code), the letter stays in the queue.
    await card.getByTestId('triage-error').waitFor();
    expect(await card.getByTestId('triage-error-text').textContent()).toBe('Brevet venter ikke længere i sorteringen (en anden har måske placeret det allerede). Brug "Omdiriger" for at sende det et andet sted hen.');
    expect(await card.getByTestId('triage-error').textContent()).toContain('Brevet kunne ikke placeres');
    expect(await card.getByTestId('triage-error-refresh').isVisible()).toBe(true);
    await b.screenshot('triage-error-360');

    // Again, for real.
    refuse = false;
    await card.getByTestId('triage-place-other').click();
    await card.waitFor({ state: 'detached' });
    expect(await page.getByTestId('triage-placed-text').textContent()).toBe(`»Varsel om tilsyn med ventilation« er placeret: ${TEAMS}.`);
    await b.screenshot('triage-other-placed-360');
    const after = await detailOf(l, id);
    expect(after.deliveries.map((d) => d.destination.displayName)).toEqual([TEAMS]);
  });
});

/** data-testid (else tag) of the focused element, and the triage card it sits in. */
const focused = (page: Page) => page.evaluate(() => {
  const a = document.activeElement;
  return {
    id: a?.getAttribute('data-testid') ?? a?.tagName ?? null,
    card: a?.closest('[data-testid=triage-item]')?.getAttribute('data-message-id') ?? null,
  };
});

const focusOn = (page: Page, want: { id?: string; card: string }, what: string) =>
  eventually(async () => { const f = await focused(page); return f.card === want.card && (!want.id || f.id === want.id); }, `focus ${what}`, 5000)
    .catch(async (e) => { throw new Error(`${(e as Error).message}; focus is on ${JSON.stringify(await focused(page))}`); });

/** Opens a card's letter from the keyboard and goes back with the "Sortering" link, by keyboard too. */
async function openAndBack(page: Page, id: string, meanwhile: () => Promise<void> = async () => {}): Promise<void> {
  await item(page, id).getByTestId('triage-open').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('detail-heading').waitFor();
  await meanwhile();
  await page.getByTestId('back').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('triage').waitFor();
}

browserTest('triage: back from a letter opened from the queue puts the focus on its card, or on the next one when it was placed meanwhile', async () => {
  await withBrowser('triage-focus-back', async (b, l) => {
    const { page } = b;
    for (const label of ['Moms: rentetilskrivning', 'Moms: afstemning af konto']) await receive(l, letter(SKAT, label));
    await openTriage(page);
    await eventually(async () => (await page.getByTestId('triage-item').count()) >= 2, 'two letters in the queue');
    const order = () => page.getByTestId('triage-item').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-message-id')!));
    const [first, second] = await order();

    // Still waiting: the focus is back on its title, and Tab goes on into the same card.
    await openAndBack(page, first);
    await focusOn(page, { id: 'triage-open', card: first }, 'on the opened letter\'s title');
    await page.keyboard.press('Tab');
    expect((await focused(page)).card).toBe(first);

    // Placed while it was open (by someone else): the focus goes to the next letter's first action.
    await openAndBack(page, first, async () => {
      expect((await l.api('POST', `/triage/${first}/place`, { destinationIds: [dest[FINANCE]] })).status).toBe(202);
    });
    await eventually(async () => !(await order()).includes(first), 'the placed letter out of the queue');
    await focusOn(page, { card: second }, 'on the next letter');
    expect((await focused(page)).id).toMatch(/^(triage-place-suggestion|triage-choose-other|destination-search)$/);
  });
});

browserTest('triage: a reader sees the queue but cannot place', async () => {
  await withBrowser('triage-reader', async (b, l) => {
    const { page } = b;
    const id = await receive(l, letter(SKAT, 'Moms: kontrolbesøg'));
    const me = meSchema.parse((await l.api('GET', '/me')).body);
    await page.route(`${l.app.url}/api/me`, (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ ...me, roles: ['reader'] }) }));
    // In English this time.
    await page.goto(`${l.app.url}/taskpane.html#/triage`);
    await page.getByTestId('language-switch').click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    const card = item(page, id);
    await card.waitFor();
    const place = card.getByTestId('triage-place-suggestion').first();
    await eventually(async () => (await place.getAttribute('data-permission')) === 'denied', 'the reader\'s disabled button');
    expect(await place.getAttribute('aria-disabled')).toBe('true');
    expect(await place.textContent()).toBe(`Place in ${FINANCE}`);
    expect(await card.getByTestId('triage-confidence').first().textContent()).toMatch(/^\d+% sure$/);
    await place.hover();
    expect(await page.getByRole('tooltip').textContent()).toBe('Only administrators and operators can resend, reroute and place letters. Your role: reader.');
    await b.screenshot('triage-reader-en-360', { fullPage: false });
    await place.click({ force: true });
    await page.waitForTimeout(300);
    expect((await detailOf(l, id)).status).toBe('triage');
  });
});

browserTest('triage at 350 px: a suggestion the assistant is unsure of has no one-click button, and says "under 1 %", not "0 %"', async () => {
  await withLiveBrowser(live, 'triage-uncertain', async (b, l) => {
    const { page } = b;
    const sure = await receive(l, letter(SKAT, 'Moms: ændret foreløbig fastsættelse'));
    const unsure = await receive(l, letter(KBH, 'Orientering om vejarbejde'));
    const real = triageListSchema.parse((await l.api('GET', '/triage')).body);
    // The server offers nothing it is less than 1 % sure of.
    for (const i of real.items) for (const sg of i.suggestions) expect(sg.confidence).toBeGreaterThanOrEqual(MIN_SUGGESTION_CONFIDENCE);
    const top = real.items.find((i) => i.message.id === sure)!.suggestions[0];
    expect(top.destinations).toEqual([FINANCE]);
    expect(top.confidence).toBeGreaterThanOrEqual(0.1);
    const others = Object.keys(dest).filter((n) => n !== FINANCE && n !== TEAMS);
    const low = (name: string, confidence: number) => ({
      destinationIds: [dest[name]], destinations: [name], confidence,
      explanation: { da: `Breve fra afsendere med »skattestyrelsen« i navnet gik til ${name} 2 af 7 gange. Alt i alt peger brevet dog mere på ${FINANCE}.`, en: 'x' },
    });
    // Low runners-up as an older server (or a rounding) might send them; a letter with only a low one.
    await page.route((url) => url.pathname === '/api/triage', async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as TriageList;
      for (const i of body.items) {
        if (i.message.id === sure) i.suggestions = [i.suggestions[0], low(TEAMS, 0.06), low(others[0], 0.004)];
        if (i.message.id === unsure) i.suggestions = [low(TEAMS, 0.05)];
      }
      await route.fulfill({ response, json: body });
    });
    await openTriage(page);

    const card = item(page, sure);
    await card.waitFor();
    const rows = card.getByTestId('triage-suggestion');
    expect(await rows.count()).toBe(3);
    // The sure one: its button. The others: names and confidence, no button; "under 1 %", never "0 %".
    expect(await card.getByTestId('triage-place-suggestion').count()).toBe(1);
    expect(await rows.nth(0).getByTestId('triage-place-suggestion').textContent()).toBe(`Placér i ${FINANCE}`);
    for (const [n, name, badge] of [[1, TEAMS, '6 % sikker'], [2, others[0], 'under 1 % sikker']] as const) {
      const row = rows.nth(n);
      expect(await row.getAttribute('data-one-click')).toBe('false');
      expect(await row.getByTestId('triage-place-suggestion').count()).toBe(0);
      expect(await row.getByTestId('triage-suggestion-name').textContent()).toBe(name);
      expect((await row.getByTestId('triage-confidence').textContent())?.replace(/\s/g, ' ')).toBe(badge);
    }
    expect(await card.textContent()).not.toMatch(/(^|[^\d])0\s?% sikker/);
    expect((await card.getByTestId('triage-uncertain').textContent())?.replace(/\s/g, ' '))
      .toBe('Forslag under 10 % får ingen knap. Passer et af dem, så vælg det under »Vælg andre modtagere«.');
    // Choosing another way is still there.
    expect(await card.getByTestId('triage-choose-other').isVisible()).toBe(true);

    // Nothing sure enough for a click: no button, and the recipients to choose from are open at once.
    const lone = item(page, unsure);
    await lone.scrollIntoViewIfNeeded();
    expect(await lone.getByTestId('triage-place-suggestion').count()).toBe(0);
    expect(await lone.getByTestId('destination-search').isVisible()).toBe(true);
    expect(await lone.getByTestId('triage-place-other').isVisible()).toBe(true);

    // Nothing wider than the pane.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(350);
    await card.scrollIntoViewIfNeeded();
    await b.screenshot('triage-uncertain-350', { fullPage: false });
  }, { width: 350, height: 700 });
});
