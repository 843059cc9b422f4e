// Admin › Roles against the real backend in demo mode: grant a role to an Entra group limited to one
// CVR number (picked from the organisation's, never typed), see it listed with the CVR number's name,
// change its role and add a destination limit, a duplicate refused with the server's sentence, remove
// it after confirmation. Also the form's own checks, and an operator's view (no grants, a note).
import type { Page } from 'playwright-core';
import { DEMO_ORGANISATION } from '../../backend/src/demo/letters';
import { roleGrantSchema } from '../../shared/src/contracts';
import { browserTest } from './browser';
import { eventually, type Live, withLiveBrowser } from './live';
import { adminLiveForSuite, openAdminTab, seriousViolations as axeSeriousViolations } from './admin-pane';

let live: Live | null = null;
adminLiveForSuite((l) => { live = l; });

const GROUP_ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const [HOLDING, EJENDOMME] = DEMO_ORGANISATION.cvrs;

const grantsNow = async (l: Live) => (await l.api<{ items: unknown[] }>('GET', '/admin/role-grants')).body.items.map((g) => roleGrantSchema.parse(g));
const resultText = (page: Page) => page.getByTestId('admin-result-text').textContent();

/** axe-core's serious and critical WCAG 2.1 A/AA findings (as accessibility.test.ts, for the open dialog). */
async function seriousViolations(page: Page): Promise<string[]> {
  // Half-faded popovers and dialogs fail colour contrast: check once the motion has settled.
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
  // After a dialog closed, Fluent takes aria-hidden off the rest of the page a moment later.
  await page.waitForFunction(() => document.querySelector('[role="dialog"]') !== null || !document.getElementById('root')?.hasAttribute('aria-hidden'));
  return axeSeriousViolations(page);
}

const openRoles = (page: Page, l: Live) => openAdminTab(page, l, 'roles');

browserTest('admin › roles: grant with a CVR limit, listed by name; change the role; a duplicate refused; remove', async () => {
  await withLiveBrowser(live, 'admin-roles', async (b, l) => {
    const { page } = b;
    expect(await grantsNow(l)).toEqual([]);
    await openRoles(page, l);
    await page.getByText('Ingen roller tildelt her endnu').waitFor();
    expect(await page.getByTestId('roles-limits-explained').textContent()).toContain('ENTRA_GROUP_ROLES gælder altid hele organisationen');

    // The form's own checks: nothing is sent.
    await page.getByTestId('grant-add').click();
    const dialog = page.getByTestId('grant-dialog');
    await dialog.getByTestId('grant-save').click();
    await dialog.getByText('Indsæt objekt-id’et fra Entra ID.').waitFor();
    await dialog.getByText('Udfyld navnet.').waitFor();
    await dialog.getByTestId('grant-object-id').fill('Økonomi-teamet');
    await dialog.getByText('Et objekt-id har formen 3f2504e0-4f89-41d3-9a0c-0305e82c3301.').waitFor();
    expect(await dialog.getByText('Findes i Entra ID › Grupper › vælg gruppen › Oversigt › Objekt-id.').count()).toBe(1);
    expect(await grantsNow(l)).toEqual([]);

    // A group, as reader, limited to one CVR number chosen from the list (searching by name).
    await dialog.getByTestId('grant-object-id').fill(` ${GROUP_ID.toUpperCase()} `);
    await dialog.getByTestId('grant-name-input').fill('Økonomi-teamet');
    await dialog.getByTestId('grant-role-reader').check();
    const search = dialog.getByTestId('cvr-search');
    await search.click();
    const options = page.getByTestId('cvr-option');
    await eventually(async () => (await options.count()) === DEMO_ORGANISATION.cvrs.length, 'every CVR number offered');
    await search.pressSequentially('ejendom');
    await eventually(async () => (await options.count()) === 1, 'one match');
    await options.filter({ hasText: EJENDOMME.name }).click();
    await dialog.getByTestId('picked-cvr').filter({ hasText: EJENDOMME.name }).waitFor();
    await dialog.getByRole('heading').click(); // closes the list
    await page.waitForTimeout(300); // the list fades out
    await b.screenshot('admin-roles-add-360', { fullPage: false });
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByTestId('grant-save').click();
    await dialog.waitFor({ state: 'detached' });
    expect(await resultText(page)).toBe('»Økonomi-teamet« har fået rollen læser.');

    const card = page.locator('[data-testid=grant][data-name="Økonomi-teamet"]');
    expect(await card.getByTestId('grant-role').textContent()).toBe('Læser');
    expect(await card.getByTestId('grant-principal').textContent()).toBe(`Entra-gruppe · ${GROUP_ID}`);
    expect(await card.getByTestId('grant-cvrs').textContent()).toBe(`CVR-numre: ${EJENDOMME.name}`);
    expect(await card.getByTestId('grant-destinations').textContent()).toBe('Modtagere: Alle');
    let [saved] = await grantsNow(l);
    expect(saved).toMatchObject({ principalType: 'group', principalId: GROUP_ID, displayName: 'Økonomi-teamet', role: 'reader', cvrs: [EJENDOMME.cvr], destinationIds: null });
    await b.screenshot('admin-roles-list-360');
    expect(await seriousViolations(page)).toEqual([]);

    // Edit: operator, a second CVR number and a destination limit.
    await card.getByTestId('grant-edit').click();
    const edit = page.getByTestId('grant-dialog');
    expect(await edit.getByTestId('grant-object-id').count()).toBe(0); // who is fixed once granted
    expect(await edit.getByTestId('grant-role-reader').isChecked()).toBe(true);
    await edit.getByTestId('grant-role-operator').check();
    await edit.getByTestId('cvr-search').click();
    await page.getByTestId('cvr-option').filter({ hasText: HOLDING.name }).click();
    await edit.getByTestId('destination-search').click();
    await page.getByTestId('destination-option').filter({ hasText: 'Økonomi – fælles postkasse' }).click();
    await edit.getByTestId('picked-destination').filter({ hasText: 'Økonomi – fælles postkasse' }).waitFor();
    await edit.getByRole('heading').click();
    await edit.getByTestId('grant-save').click();
    await edit.waitFor({ state: 'detached' });
    expect(await resultText(page)).toBe('»Økonomi-teamet« er gemt som operatør.');
    await eventually(async () => (await card.getAttribute('data-role')) === 'operator', 'the changed role');
    expect(await card.getByTestId('grant-role').textContent()).toBe('Operatør');
    expect(await card.getByTestId('grant-cvrs').textContent()).toBe(`CVR-numre: ${EJENDOMME.name}, ${HOLDING.name}`);
    expect(await card.getByTestId('grant-destinations').textContent()).toBe('Modtagere: Økonomi – fælles postkasse');
    [saved] = await grantsNow(l);
    expect(saved).toMatchObject({ role: 'operator', cvrs: [EJENDOMME.cvr, HOLDING.cvr] });
    expect(saved.destinationIds).toHaveLength(1);

    // The same group as operator again: the server refuses, and the dialog says so in Danish.
    await page.getByTestId('grant-add').click();
    const again = page.getByTestId('grant-dialog');
    await again.getByTestId('grant-object-id').fill(GROUP_ID);
    await again.getByTestId('grant-name-input').fill('Økonomi igen');
    await again.getByTestId('grant-role-operator').check();
    await again.getByTestId('grant-save').click();
    await again.getByTestId('form-error').waitFor();
    // In the reader's language, from the names the answer carries (was the server's English sentence).
    expect(await again.getByTestId('form-error-text').textContent()).toBe('»Økonomi-teamet« har allerede rollen operatør. Ret den tildeling i stedet for at tilføje en til.');
    await b.screenshot('admin-roles-duplicate-360', { fullPage: false });
    await again.getByRole('button', { name: 'Annuller' }).click();
    await again.waitFor({ state: 'detached' });
    expect(await grantsNow(l)).toHaveLength(1);

    // Remove, after confirmation.
    await card.getByTestId('grant-remove').click();
    const confirm = page.getByTestId('grant-remove-dialog');
    expect(await confirm.textContent()).toContain('Fjern rollen operatør fra »Økonomi-teamet«?');
    await confirm.getByTestId('grant-remove-dialog-confirm').click();
    await card.waitFor({ state: 'detached' });
    expect(await resultText(page)).toBe('»Økonomi-teamet« har ikke længere rollen operatør.');
    expect(await grantsNow(l)).toEqual([]);
    // The demo user's roles are unlimited: the header names no limit.
    expect(await page.getByTestId('header-limits').count()).toBe(0);
  });
});

browserTest('admin › roles as an operator: a note instead of the grants', async () => {
  await withLiveBrowser(live, 'admin-roles-operator', async (b, l) => {
    const { page } = b;
    await page.setExtraHTTPHeaders({ 'X-Brevdue-Demo-Role': 'operator' });
    await openRoles(page, l);
    expect(await page.getByTestId('admin-only').textContent()).toBe('Kun administratorer uden begrænsning kan se og tildele roller. Din rolle: operatør.');
    expect(await page.getByTestId('grant-add').count()).toBe(0);
    expect(await page.getByTestId('grant-list').count()).toBe(0);
  });
});

browserTest('the header says politely when the caller\'s roles are limited', async () => {
  await withLiveBrowser(live, 'header-limits', async (b, l) => {
    const { page } = b;
    // The demo user's roles are unlimited; /api/me is answered as for a reader limited to two CVR numbers.
    await page.route('**/api/me', async (route) => {
      const res = await route.fetch();
      const me = { ...await res.json(), roles: ['reader'], grants: [{ role: 'reader', cvrs: [HOLDING.cvr, EJENDOMME.cvr], destinationIds: null }] };
      await route.fulfill({ response: res, json: me });
    });
    await page.goto(`${l.app.url}/taskpane.html`);
    const limits = page.getByTestId('header-limits');
    await limits.waitFor();
    expect(await limits.textContent()).toBe('Læser · begrænset til 2 CVR-numre');
    expect(await limits.getAttribute('title')).toMatch(/Spørg en administrator/);
    await b.screenshot('header-limits-360', { fullPage: false });
  });
});
