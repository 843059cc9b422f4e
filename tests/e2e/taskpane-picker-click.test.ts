// The rule editor at 360 px against the real backend in demo mode: a recipient picked from the
// destination picker, then Save clicked at once — the click must save (the server has the rule).
// Picked with the mouse (the list closes on the pick) and with Enter (the list stays open, so it
// closes on the blur that the click on Save causes), in Danish and in English.
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { destinations } from '../../backend/src/store/schema';
import { ruleViewSchema } from '../../shared/src/contracts';
import { browserTest, chromiumAvailable } from './browser';
import { startLive, type Live, withLiveBrowser } from './live';

const FINANCE = 'Økonomi – fælles postkasse';

let live: Live | null = null;
let financeId = '';

beforeAll(async () => {
  if (!chromiumAvailable()) return;
  live = await startLive({ seed: false, pollIntervalMs: 60_000 });
  const rows = await live.app.database.db.select().from(destinations).where(eq(destinations.orgId, live.app.demoOrgId!));
  financeId = rows.find((d) => d.displayName === FINANCE)!.id;
}, 120_000);

afterAll(async () => {
  await live?.stop();
});

const rulesFromApi = async (l: Live) => (await l.api<{ items: unknown[] }>('GET', '/admin/rules')).body.items.map((r) => ruleViewSchema.parse(r));

/** A new rule with a name and a condition, the save tried once empty (its marks shown, as a person would see them). */
async function newRule(page: Page, l: Live, name: string, english: boolean): Promise<void> {
  await page.goto(`${l.app.url}/taskpane.html#/admin/rules`);
  await page.getByTestId('rules-list').waitFor();
  if (english) {
    await page.getByTestId('language-switch').click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
  }
  await page.getByTestId('rule-new').click();
  await page.getByTestId('rule-editor').waitFor();
  await page.getByTestId('rule-save').click();
  await page.getByTestId('rule-incomplete').waitFor();
  await page.getByTestId('rule-name').fill(name);
  await page.getByTestId('add-condition').click();
  await page.getByTestId('rule-condition').first().getByTestId('condition-value').fill('Skattestyrelsen');
}

async function expectSaved(page: Page, l: Live, name: string, text: string): Promise<void> {
  await page.getByTestId('rules-success').waitFor({ timeout: 5000 });
  expect(await page.getByTestId('rules-outcome-text').textContent()).toBe(text);
  const rule = (await rulesFromApi(l)).find((r) => r.name === name);
  expect(rule?.action).toEqual({ kind: 'destinations', destinationIds: [financeId] });
}

browserTest('picker at 360 px: a recipient picked with the mouse, then Save clicked at once, saves', async () => {
  await withLiveBrowser(live, 'picker-click-mouse', async (b, l) => {
    const { page } = b;
    const name = 'Skat til Økonomi (mus)';
    await newRule(page, l, name, false);
    const input = page.getByTestId('rule-editor').getByTestId('destination-search');
    await input.click();
    await input.pressSequentially('fælles');
    await page.getByTestId('destination-option').filter({ hasText: FINANCE }).click();
    await page.getByTestId('picked-destination').filter({ hasText: FINANCE }).waitFor();
    // No leaving the picker first: straight on to Save.
    await page.getByTestId('rule-save').click();
    await expectSaved(page, l, name, `»${name}« er oprettet.`);
  });
});

browserTest('picker at 360 px, in English: picked with Enter (the list stays open), then Save clicked at once, saves', async () => {
  await withLiveBrowser(live, 'picker-click-enter', async (b, l) => {
    const { page } = b;
    const name = 'Skat til Økonomi (Enter)';
    await newRule(page, l, name, true);
    const input = page.getByTestId('rule-editor').getByTestId('destination-search');
    await input.click();
    await input.pressSequentially('fælles');
    await page.getByTestId('destination-option').filter({ hasText: FINANCE }).waitFor();
    await page.keyboard.press('Enter');
    await page.getByTestId('picked-destination').filter({ hasText: FINANCE }).waitFor();
    expect(await page.getByTestId('destination-options').isVisible()).toBe(true);
    await page.getByTestId('rule-save').click();
    await expectSaved(page, l, name, `“${name}” was created.`);
  });
});
