// Keyboard and focus in the task pane, and forms that must not show stale messages, against the real
// backend in demo mode: the reroute picker's Escape closes its list before the dialog; the resend and
// reroute dialogs open away from their confirm button; the triage queue keeps the focus where a keyboard
// user works (into the picker, then on to the next letter, then the empty queue); the rule editor drops a
// save error and a dry-run result once the form changes; and a recipient archived after it was chosen
// is marked as such in the picker.
import type { Page } from 'playwright-core';
import { DEMO_FINANCE_MAILBOX } from '../../backend/src/demo/delivery-seed';
import { destinationSchema, triageListSchema, type Destination, type MessageDetail, type TriageList } from '../../shared/src/contracts';
import { browserTest, chromiumAvailable, waitForCount, type LaunchedBrowser } from './browser';
import { fixtureMessages, fixtureTriage } from './fixtures';
import { deliveredLetters, detailOf, eventually, startLive, type Live, withLiveBrowser } from './live';

let live: Live | null = null;
let letters: MessageDetail[] = [];

beforeAll(async () => {
  if (!chromiumAvailable()) return;
  live = await startLive();
  letters = await deliveredLetters(live, 2);
}, 90_000);

afterAll(async () => {
  await live?.stop();
});

const withBrowser = (name: string, run: (b: LaunchedBrowser, live: Live) => Promise<void>) => withLiveBrowser(live, name, run);

/** data-testid of the focused element (and of the closest card or dialog it sits in). */
const focused = (page: Page) => page.evaluate(() => {
  const a = document.activeElement;
  return {
    id: a?.getAttribute('data-testid') ?? a?.tagName ?? null,
    card: a?.closest('[data-testid=triage-item]')?.getAttribute('data-message-id') ?? null,
  };
});

async function openLetter(page: Page, id: string): Promise<void> {
  await page.goto(`${live!.app.url}/taskpane.html`);
  const row = page.locator(`[data-testid=message-row][data-message-id="${id}"]`);
  await row.waitFor();
  await row.click();
  await page.getByTestId('detail-heading').waitFor();
}

browserTest('reroute: focus starts in the recipient search; Escape closes the open list, not the dialog', async () => {
  await withBrowser('keyboard-reroute', async (b, l) => {
    const { page } = b;
    const letter = letters[0];
    await openLetter(page, letter.id);
    await page.getByTestId('action-reroute').focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByTestId('reroute-dialog');
    await dialog.waitFor();
    // Not on "Omdiriger": the search field, once the registry is there.
    await eventually(async () => (await focused(page)).id === 'destination-search', 'focus in the recipient search', 5000);

    const search = page.getByTestId('destination-search');
    await page.keyboard.type('fælles');
    await page.getByTestId('destination-option').first().waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await waitForCount(page.getByTestId('picked-destination'), 1);
    // A multi-select: the list stays open for the next recipient.
    expect(await search.getAttribute('aria-expanded')).toBe('true');

    await page.keyboard.press('Escape');
    await page.waitForTimeout(300);
    expect(await dialog.count()).toBe(1);
    expect(await search.getAttribute('aria-expanded')).toBe('false');
    expect(await page.getByTestId('picked-destination').count()).toBe(1);
    expect((await focused(page)).id).toBe('destination-search');

    // Typed text and a closed list: Escape clears the text first.
    await page.keyboard.type('xyz');
    await page.keyboard.press('Escape'); // the list
    await page.keyboard.press('Escape'); // the text
    await page.waitForTimeout(300);
    expect(await dialog.count()).toBe(1);
    expect(await search.inputValue()).toBe('');

    // Now Escape is the dialog's: it closes, nothing was sent.
    await page.keyboard.press('Escape');
    await waitForCount(dialog, 0);
    expect((await detailOf(l, letter.id)).deliveries.filter((d) => d.reason !== 'initial')).toHaveLength(0);
  });
});

browserTest('resend: the dialog opens on Cancel, so a stray Enter sends nothing', async () => {
  await withBrowser('keyboard-resend', async (b, l) => {
    const { page } = b;
    const letter = letters[1];
    await openLetter(page, letter.id);
    await page.getByTestId('action-resend').focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByTestId('resend-dialog');
    await dialog.waitFor();
    await eventually(async () => (await focused(page)).id === 'resend-cancel', 'focus on Cancel', 5000);
    await page.waitForTimeout(300);
    expect((await focused(page)).id).toBe('resend-cancel');
    await page.keyboard.press('Enter');
    await waitForCount(dialog, 0);
    await page.waitForTimeout(300);
    expect(await page.getByTestId('action-result').count()).toBe(0);
    expect((await detailOf(l, letter.id)).deliveries.filter((d) => d.reason !== 'initial')).toHaveLength(0);
  });
});

browserTest('triage: "choose other recipients" puts the focus in the picker; after placing it moves on, then to the empty queue', async () => {
  await withBrowser('keyboard-triage', async (b, l) => {
    const { page } = b;
    // Two letters waiting (canned), placements accepted; the registry is the demo's own.
    const base = fixtureTriage(fixtureMessages()).items[0];
    const second = { ...base, message: { ...base.message, id: '00000000-0000-4000-8000-000000000099', label: 'Høring om lokalplan' } };
    let queue: TriageList['items'] = [base, second];
    const placed: string[] = [];
    await page.route((u) => u.pathname === '/api/triage', (route) => route.fulfill({
      status: 200, contentType: 'application/json', body: JSON.stringify(triageListSchema.parse({ items: queue, total: queue.length })),
    }));
    await page.route((u) => /^\/api\/triage\/[^/]+\/place$/.test(u.pathname), (route) => {
      const id = route.request().url().split('/').at(-2)!;
      placed.push(id);
      queue = queue.filter((i) => i.message.id !== id);
      return route.fulfill({ status: 202, contentType: 'application/json', body: JSON.stringify({ deliveryIds: ['00000000-0000-4000-8000-000000000777'] }) });
    });
    await page.goto(`${l.app.url}/taskpane.html#/triage`);
    const cards = page.getByTestId('triage-item');
    await waitForCount(cards, 2);

    // Enter on "Vælg andre modtagere": the button gives way to the picker, which takes the focus.
    await cards.first().getByTestId('triage-choose-other').focus();
    await page.keyboard.press('Enter');
    await eventually(async () => {
      const f = await focused(page);
      return f.id === 'destination-search' && f.card === base.message.id;
    }, 'focus in the first card\'s recipient search', 5000);

    await page.keyboard.type('fælles');
    await page.getByTestId('destination-option').first().waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await waitForCount(cards.first().getByTestId('picked-destination'), 1);
    await page.keyboard.press('Escape');
    await cards.first().getByTestId('triage-place-other').focus();
    await page.keyboard.press('Enter');

    // Placed: the focus is on the next letter's first action, not lost on <body>.
    await waitForCount(cards, 1);
    expect(placed).toEqual([base.message.id]);
    await eventually(async () => {
      const f = await focused(page);
      return f.id === 'triage-place-suggestion' && f.card === second.message.id;
    }, 'focus on the next letter\'s suggestion', 5000);
    await b.screenshot('keyboard-triage-next-360', { fullPage: false });

    // Enter places that one too; the queue is empty and says so, with the focus there.
    await page.keyboard.press('Enter');
    await waitForCount(cards, 0);
    expect(placed).toEqual([base.message.id, second.message.id]);
    await eventually(async () => (await focused(page)).id === 'triage-empty', 'focus on the empty queue', 5000);
  });
});

async function newRule(page: Page, l: Live, name: string): Promise<void> {
  await page.goto(`${l.app.url}/taskpane.html#/admin/rules`);
  await page.getByTestId('rules-list').waitFor();
  await page.getByTestId('rule-new').click();
  await page.getByTestId('rule-editor').waitFor();
  await page.getByTestId('rule-name').fill(name);
  await page.getByTestId('add-condition').click();
  await page.getByTestId('rule-condition').first().getByTestId('condition-value').fill('Skattestyrelsen');
}

async function pick(page: Page, name: string, search: string): Promise<void> {
  const input = page.getByTestId('rule-editor').getByTestId('destination-search');
  await input.click();
  await input.pressSequentially(search);
  await page.getByTestId('destination-option').filter({ hasText: name }).click();
  await page.getByTestId('picked-destination').filter({ hasText: name }).waitFor();
  await page.getByTestId('rule-name').click(); // the list closes
}

browserTest('rule editor: a save error goes once the form is edited; a dry-run result goes when the form changes', async () => {
  await withBrowser('rule-editor-stale', async (b, l) => {
    const { page } = b;
    await newRule(page, l, 'Skat med forkert mappe');
    await pick(page, 'Økonomi – fælles postkasse', 'fælles');
    const template = page.getByTestId('rule-folder-template');
    await template.fill('{sender}/{year}/{bogus}');
    await page.getByTestId('rule-save').click();
    await page.getByTestId('rule-save-error').waitFor();

    // Fixing the field removes the old refusal at once (it no longer describes the form).
    await template.fill('{sender}/{year}');
    await waitForCount(page.getByTestId('rule-save-error'), 0);

    // A dry run of this form, then a change: the result is gone rather than describing the old form.
    await page.getByTestId('dry-run-run').click();
    await page.getByTestId('dry-run-result').waitFor();
    await page.getByTestId('rule-name').fill('Skat med rigtig mappe');
    await waitForCount(page.getByTestId('dry-run-result'), 0);
    // Run again: a result for the form as it is now.
    await page.getByTestId('dry-run-run').click();
    await page.getByTestId('dry-run-result').waitFor();
  });
});

browserTest('rule editor: a recipient archived after it was chosen is marked as archived, with a message', async () => {
  await withBrowser('rule-editor-archived', async (b, l) => {
    const { page } = b;
    const created = await l.api<Destination>('POST', '/admin/destinations', {
      kind: 'shared_mailbox', displayName: 'Midlertidig – moms', mailbox: DEMO_FINANCE_MAILBOX, folderPath: 'Digital Post/Moms',
    });
    expect(created.status).toBe(201);
    const temp = destinationSchema.parse(created.body);

    await newRule(page, l, 'Moms til midlertidig');
    await pick(page, temp.displayName, 'midlertidig');
    // Archived meanwhile (another tab, another admin).
    expect((await l.api('DELETE', `/admin/destinations/${temp.id}`)).status).toBe(204);

    await page.getByTestId('rule-save').click();
    await page.getByTestId('rule-save-error').waitFor();
    // The picker learns it: the tag says "(arkiveret)", the field says which one to remove.
    const tag = page.locator('[data-testid=picked-destination][data-gone=true]');
    await tag.waitFor();
    expect(await tag.textContent()).toContain('Midlertidig – moms (arkiveret)');
    const field = page.getByTestId('rule-destinations');
    expect(await field.textContent()).toContain('Midlertidig – moms er arkiveret eller findes ikke længere blandt de godkendte modtagere. Fjern den, før du gemmer.');
    await b.screenshot('rule-editor-archived-360');

    // Removing it clears the mark.
    await tag.click();
    await waitForCount(page.getByTestId('picked-destination'), 0);
    expect(await field.textContent()).not.toContain('arkiveret');
  });
});
