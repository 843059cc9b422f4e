// Admin › Rules, the review's scenario against the demo (one "Alt til <CVR>" catch-all per company):
// a new rule "Moms til Økonomi" is suggested first; placed last it is warned about, naming the rules
// that take its letters, and the dry run names the rule that still places them; placed first, the dry
// run shows letters changing and it is saved as rule 1. And a changed draft is not lost without
// asking: another admin tab, "back", leaving Admin and a hash change ask; cancel keeps the draft,
// confirm discards it; an unchanged rule leaves without asking.
import { and, eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import type { Memo } from '../../backend/src/memo/types';
import { storeLetter } from '../../backend/src/store/letters';
import { mailboxes } from '../../backend/src/store/schema';
import { ruleViewSchema } from '../../shared/src/contracts';
import { browserTest, waitForCount } from './browser';
import { adminLiveForSuite, seriousViolations } from './admin-pane';
import { detailOf, eventually, type Live, withLiveBrowser } from './live';

const SKAT = { id: '19552101', name: 'Skattestyrelsen' };
const FINANCE = 'Økonomi – fælles postkasse';
const RULE = 'Moms til Økonomi';
const [CVR] = DEMO_ORGANISATION.cvrs;
const CATCH_ALL = `Alt til ${CVR.name}`;

let live: Live | null = null;
adminLiveForSuite((l) => { live = l; });

/** Stores a letter to the first CVR as the poller would and waits until the demo's rules routed it. */
async function receive(l: Live, label: string): Promise<string> {
  const memo: Memo = demoMemo({ recipientCvr: CVR.cvr, label });
  memo.sender = { id: SKAT.id, idType: 'CVR', label: SKAT.name };
  const [mb] = await l.app.database.db.select().from(mailboxes)
    .where(and(eq(mailboxes.orgId, l.app.demoOrgId!), eq(mailboxes.cvr, CVR.cvr), eq(mailboxes.provider, 'ngdp')));
  const r = await storeLetter(l.app.database.db, l.app.ctx.sealer, mb, memo, Buffer.from(buildMemoXml(memo)));
  await l.app.ctx.jobs.routeSoon(r.messageId);
  await eventually(async () => (await detailOf(l, r.messageId)).status !== 'received', `letter ${label} routed`);
  return r.messageId;
}

const rulesFromApi = async (l: Live) => (await l.api<{ items: unknown[] }>('GET', '/admin/rules')).body.items.map((r) => ruleViewSchema.parse(r));
const names = (page: Page) => page.getByTestId('rule-item').evaluateAll((items) => items.map((i) => i.getAttribute('data-rule-name')));

async function openRules(page: Page, l: Live): Promise<void> {
  await page.goto(`${l.app.url}/taskpane.html#/admin/rules`);
  await page.getByTestId('rules-list').waitFor();
}

async function runDryRun(page: Page): Promise<void> {
  await page.getByTestId('dry-run-run').click();
  await page.getByTestId('dry-run-result').waitFor();
}

browserTest('rules: a new rule behind the catch-alls is warned about, the dry run names the winner, placed first it applies', async () => {
  await withLiveBrowser(live, 'rules-placement', async (b, l) => {
    const { page } = b;
    await receive(l, 'Moms: foreløbig fastsættelse');
    await receive(l, 'Rykker for moms');
    await receive(l, 'Varsel om tilsyn');
    const demo = await rulesFromApi(l);
    await openRules(page, l);

    await page.getByTestId('rule-new').click();
    await page.getByTestId('rule-editor').waitFor();
    await page.getByTestId('rule-name').fill(RULE);
    await page.getByTestId('add-condition').click();
    const cond = page.getByTestId('rule-condition').first();
    await cond.getByTestId('condition-kind').selectOption('text');
    await cond.getByTestId('condition-op').selectOption('regex');
    await cond.getByTestId('condition-value').fill('moms');
    const search = page.getByTestId('rule-editor').getByTestId('destination-search');
    await search.click();
    await search.pressSequentially('fælles');
    await page.getByTestId('destination-option').filter({ hasText: FINANCE }).click();
    await page.getByTestId('picked-destination').filter({ hasText: FINANCE }).waitFor();
    await search.blur();

    // Suggested: first, ahead of the catch-alls that would take every letter it could match; no warning.
    const placement = page.getByTestId('rule-placement');
    expect(await placement.inputValue()).toBe('first');
    expect(await page.getByTestId('rule-editor').textContent()).toContain(`Reglen bliver regel 1 af ${demo.length + 1}.`);
    expect(await page.getByTestId('rule-shadowed').count()).toBe(0);

    // Last, where it used to go: the warning names the rules before it that take all its letters.
    await placement.selectOption('last');
    await page.getByTestId('rule-shadowed').waitFor();
    const warning = await page.getByTestId('rule-shadowed-text').textContent();
    for (const c of DEMO_ORGANISATION.cvrs) expect(warning).toContain(`»Alt til ${c.name}«`);
    expect(warning).toContain('tager tilsammen alle de breve');
    await page.getByTestId('rule-shadowed').scrollIntoViewIfNeeded();
    await b.screenshot('rules-placement-shadowed-360', { fullPage: false });
    expect(await seriousViolations(page)).toEqual([]);

    // The dry run: nothing changes, and it says which rule still places the letters.
    await runDryRun(page);
    expect(await page.getByTestId('dry-run-summary').textContent()).toBe('Intet brev ville skifte modtager eller mappe.');
    expect(await page.getByTestId('dry-run-reason').allTextContents())
      .toEqual([`Alle 2 breve, reglen passer på, ville blive placeret af reglen »${CATCH_ALL}«, som står før.`]);

    // First: the warning goes, and the dry run shows both letters going to Økonomi.
    await placement.selectOption('first');
    await waitForCount(page.getByTestId('rule-shadowed'), 0);
    await runDryRun(page);
    expect(await page.getByTestId('dry-run-summary').textContent()).toBe('2 af 3 breve ville gå et andet sted hen.');
    await waitForCount(page.getByTestId('dry-run-change'), 2);
    expect(await page.getByTestId('dry-run-after').allTextContents()).toEqual([FINANCE, FINANCE]);
    expect(await page.getByTestId('dry-run-reason').count()).toBe(0);

    // Saved as rule 1, ahead of every catch-all.
    await page.getByTestId('rule-save').click();
    await page.getByTestId('rules-success').waitFor();
    expect(await names(page)).toEqual([RULE, ...demo.map((r) => r.name)]);
    const stored = await rulesFromApi(l);
    expect(stored.map((r) => r.name)).toEqual([RULE, ...demo.map((r) => r.name)]);
    // Room before the first rule: no other rule was renumbered.
    expect(stored.slice(1).map((r) => [r.priority, r.version])).toEqual(demo.map((r) => [r.priority, r.version]));

    // Opened again, it keeps its place and says nothing is wrong; the dry run names no earlier rule.
    await page.locator(`[data-testid=rule-item][data-rule-name="${RULE}"]`).getByTestId('rule-edit').click();
    await page.getByTestId('rule-editor').waitFor();
    expect(await placement.inputValue()).toBe('first');
    expect(await page.getByTestId('rule-shadowed').count()).toBe(0);
    await runDryRun(page);
    expect(await page.getByTestId('dry-run-reason').allTextContents()).toEqual(['Reglen passer på 2 breve, men de ville komme samme sted hen som nu.']);
    // Nothing changed (a dry run is no change): back without a question.
    await page.getByTestId('rule-editor-back').click();
    await page.getByTestId('rules-list').waitFor();
  });
}, 180_000);

browserTest('rules: a changed draft asks before it is left; cancel keeps it, confirm discards it', async () => {
  await withLiveBrowser(live, 'rules-unsaved', async (b, l) => {
    const { page } = b;
    const before = await rulesFromApi(l);
    await openRules(page, l);
    const dialog = page.getByTestId('rule-discard-dialog');

    // A new rule, half done, then another admin tab: asked; cancel keeps the draft where it was.
    await page.getByTestId('rule-new').click();
    await page.getByTestId('rule-name').fill('Halvfærdig regel');
    await page.getByTestId('add-condition').click();
    await page.getByTestId('rule-condition').first().getByTestId('condition-value').fill('Skattestyrelsen');
    await page.getByTestId('admin-tab-recipients').click();
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Den nye regel er ikke gemt.');
    await b.screenshot('rules-unsaved-ask-360', { fullPage: false });
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByTestId('rule-discard-cancel').click();
    await dialog.waitFor({ state: 'detached' });
    expect(await page.getByTestId('rule-name').inputValue()).toBe('Halvfærdig regel');
    expect(await page.getByTestId('rule-condition').first().getByTestId('condition-value').inputValue()).toBe('Skattestyrelsen');
    expect(await page.evaluate(() => location.hash)).toBe('#/admin/rules');

    // Leaving Admin, and a hash change from outside (the browser's back button, a link): asked too.
    await page.getByTestId('nav-letters').click();
    await dialog.waitFor();
    await page.getByTestId('rule-discard-cancel').click();
    await dialog.waitFor({ state: 'detached' });
    await page.evaluate(() => { location.hash = '#/triage'; });
    await dialog.waitFor();
    expect(await page.evaluate(() => location.hash)).toBe('#/admin/rules');
    await page.getByTestId('rule-discard-cancel').click();
    await dialog.waitFor({ state: 'detached' });
    expect(await page.getByTestId('rule-name').inputValue()).toBe('Halvfærdig regel');

    // "Back to the rules": asked; confirm discards the draft and nothing is saved.
    await page.getByTestId('rule-editor-back').click();
    await dialog.waitFor();
    await page.getByTestId('rule-discard-confirm').click();
    await page.getByTestId('rules-list').waitFor();
    expect(await page.getByTestId('rule-editor').count()).toBe(0);
    expect((await rulesFromApi(l)).map((r) => r.id)).toEqual(before.map((r) => r.id));

    // An existing rule, unchanged: left without a question.
    const first = page.getByTestId('rule-item').first();
    await first.getByTestId('rule-edit').click();
    await page.getByTestId('rule-editor').waitFor();
    await page.getByTestId('admin-tab-recipients').click();
    await page.getByTestId('admin-recipients-page').waitFor();
    expect(await dialog.count()).toBe(0);

    // Changed (its place counts too): another tab asks; confirm goes there and keeps the stored rule.
    await page.getByTestId('admin-tab-rules').click();
    await page.getByTestId('rules-list').waitFor();
    await page.getByTestId('rule-item').first().getByTestId('rule-edit').click();
    await page.getByTestId('rule-placement').selectOption('last');
    await page.getByTestId('admin-tab-recipients').click();
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(`Dine ændringer af »${before[0].name}« er ikke gemt.`);
    await page.getByTestId('rule-discard-confirm').click();
    await page.getByTestId('admin-recipients-page').waitFor();
    expect(await page.evaluate(() => location.hash)).toBe('#/admin/recipients');
    expect((await rulesFromApi(l)).map((r) => [r.id, r.priority, r.version])).toEqual(before.map((r) => [r.id, r.priority, r.version]));
  });
});
