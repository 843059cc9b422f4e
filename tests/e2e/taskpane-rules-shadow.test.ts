// Admin › Rules, the list: a rule stored behind the demo's "Alt til <CVR>" catch-alls (one per
// company, which together take every letter) is marked "Bruges aldrig" at 350×700, naming those
// rules in Danish, and the rules above it are not; screen readers get the same sentence on its
// controls. "Flyt før »Alt til …«" moves it just before the first of them: the mark goes, the new
// order is stored (the catch-alls untouched, as there was room), and the move is announced.
import type { Page } from 'playwright-core';
import { DEMO_ORGANISATION } from '../../backend/src/demo/letters';
import { ruleViewSchema, type RuleView } from '../../shared/src/contracts';
import { browserTest, waitForCount } from './browser';
import { adminLiveForSuite, seriousViolations } from './admin-pane';
import { eventually, type Live, withLiveBrowser } from './live';

const RULE = 'Moms til triage';
const CATCH_ALLS = DEMO_ORGANISATION.cvrs.map((c) => `Alt til ${c.name}`);

let live: Live | null = null;
adminLiveForSuite((l) => { live = l; });

const rulesFromApi = async (l: Live) => (await l.api<{ items: unknown[] }>('GET', '/admin/rules')).body.items.map((r) => ruleViewSchema.parse(r));
const names = (page: Page) => page.getByTestId('rule-item').evaluateAll((items) => items.map((i) => i.getAttribute('data-rule-name')));
const ruleItem = (page: Page, name: string) => page.locator(`[data-testid=rule-item][data-rule-name="${name}"]`);

browserTest('rules list: a rule behind the catch-alls is marked "never applies"; one click moves it where it applies', async () => {
  await withLiveBrowser(live, 'rules-shadow', async (b, l) => {
    const { page } = b;
    const demo = await rulesFromApi(l);
    expect(demo.map((r) => r.name)).toEqual(CATCH_ALLS);
    // Stored after every catch-all, as a rule saved "last" (or through the API) would be.
    const created = await l.api<RuleView>('POST', '/admin/rules', {
      name: RULE, priority: Math.max(...demo.map((r) => r.priority)) + 100, enabled: true, continue: false,
      conditions: { text: { field: 'label', regex: { pattern: 'moms', flags: 'i' } } }, action: { kind: 'triage' },
    });
    expect(created.status).toBe(201);

    await page.goto(`${l.app.url}/taskpane.html#/admin/rules`);
    await page.getByTestId('rules-list').waitFor();
    expect(await names(page)).toEqual([...CATCH_ALLS, RULE]);

    // Marked, naming the rules before it that take its letters; the catch-alls are not.
    const mine = ruleItem(page, RULE);
    await mine.getByTestId('rule-never-applies').waitFor();
    await waitForCount(page.getByTestId('rule-never-applies'), 1);
    const text = await mine.getByTestId('rule-never-applies-text').textContent();
    expect(text).toMatch(/^Bruges aldrig /);
    for (const name of CATCH_ALLS) expect(text).toContain(`»${name}«`);
    expect(text).toContain('står før og tager tilsammen alle de breve, reglen kan passe på.');
    // Screen readers: the same sentence describes the rule's switch and Edit button.
    const described = async (testId: string) => mine.getByTestId(testId).evaluate((el) => {
      const control = el.matches('[aria-describedby]') ? el : el.querySelector('[aria-describedby]');
      return (control?.getAttribute('aria-describedby') ?? '').split(' ').map((id) => document.getElementById(id)?.textContent).join(' ');
    });
    expect(await described('rule-edit')).toBe(text);
    expect(await described('rule-switch')).toBe(text);
    const fix = mine.getByTestId('rule-move-before');
    expect(await fix.textContent()).toBe(`Flyt før »${CATCH_ALLS[0]}«`);
    // Nothing sticks out of the 350 px pane.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(350);
    await mine.scrollIntoViewIfNeeded();
    await b.screenshot('rules-never-applies-350', { fullPage: false });
    expect(await seriousViolations(page)).toEqual([]);

    // One click: just before the first catch-all (there is room, so no other rule changes).
    await fix.click();
    await eventually(async () => (await names(page))[0] === RULE, 'the rule moved to the top');
    await waitForCount(page.getByTestId('rule-never-applies'), 0);
    await eventually(async () => (await page.getByTestId('rules-announce').textContent()) === `»${RULE}« er nu regel 1.`, 'the move announced');
    await eventually(async () => page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'rule-edit'
      && document.activeElement.closest('[data-testid=rule-item]')?.getAttribute('data-rule-name') === 'Moms til triage'), 'focus on the moved rule');
    const stored = await rulesFromApi(l);
    expect(stored.map((r) => r.name)).toEqual([RULE, ...CATCH_ALLS]);
    expect(stored[0].priority).toBeLessThan(demo[0].priority);
    expect(stored.slice(1).map((r) => [r.id, r.priority, r.version])).toEqual(demo.map((r) => [r.id, r.priority, r.version]));
    // As stored, too: a fresh load shows no mark.
    await page.reload();
    await page.getByTestId('rules-list').waitFor();
    expect(await names(page)).toEqual([RULE, ...CATCH_ALLS]);
    expect(await page.getByTestId('rule-never-applies').count()).toBe(0);
  }, { width: 350, height: 700 });
}, 180_000);
