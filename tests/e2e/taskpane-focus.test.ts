// Where the keyboard focus lands, against the real backend in demo mode: back on the button that
// opened the resend, reroute or reply dialog once it closes (Escape or confirm), on the letter's
// heading when a row is opened with Enter, back on that row after "back"; and, in a 350 px Outlook
// pane, every top tab visible, the one the arrow keys reach in view.
import type { Page } from 'playwright-core';
import { demoMemo, DEMO_ORGANISATION, DEMO_SENDERS } from '../../backend/src/demo/letters';
import type { MessageDetail } from '../../shared/src/contracts';
import { receiveLetter } from '../helpers/app';
import { browserTest, chromiumAvailable, waitForCount, type LaunchedBrowser } from './browser';
import { deliveredLetters, eventually, startLive, stubOffice, type Live, withLiveBrowser } from './live';

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

const withBrowser = (name: string, run: (b: LaunchedBrowser, live: Live) => Promise<void>, viewport?: { width: number; height: number }) =>
  withLiveBrowser(live, name, run, viewport);

/** data-testid (else tag) of the focused element, and the letter row it sits in. */
const focused = (page: Page) => page.evaluate(() => {
  const a = document.activeElement;
  return {
    id: a?.getAttribute('data-testid') ?? a?.tagName ?? null,
    row: a?.closest('[data-testid=message-row]')?.getAttribute('data-message-id') ?? null,
  };
});

const focusIs = (page: Page, id: string, what: string) =>
  eventually(async () => (await focused(page)).id === id, `focus on ${id} (${what})`, 5000)
    .catch(async (e) => { throw new Error(`${(e as Error).message}; focus is on ${JSON.stringify(await focused(page))}`); });

async function openLetter(page: Page, l: Live, id: string): Promise<void> {
  await page.goto(`${l.app.url}/taskpane.html#/message/${id}`);
  await page.getByTestId('detail-heading').waitFor();
}

/** Presses Escape until the dialog is gone (the reroute picker takes the first ones). */
async function escapeUntilClosed(page: Page, testId: string): Promise<void> {
  const dialog = page.getByTestId(testId);
  for (let i = 0; i < 4 && (await dialog.count()) > 0; i++) {
    await page.keyboard.press('Escape');
    await page.waitForTimeout(250);
  }
  await waitForCount(dialog, 0);
}

browserTest('resend: Escape and confirm both leave the focus on "Send igen", and Tab goes on to "Omdiriger"', async () => {
  await withBrowser('focus-resend', async (b, l) => {
    const { page } = b;
    await openLetter(page, l, letters[0].id);
    const opener = page.getByTestId('action-resend');

    await opener.focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('resend-dialog').waitFor();
    await focusIs(page, 'resend-cancel', 'the dialog opens on Cancel');
    await escapeUntilClosed(page, 'resend-dialog');
    await focusIs(page, 'action-resend', 'after Escape');
    await page.waitForTimeout(300);
    expect((await focused(page)).id).toBe('action-resend');

    await page.keyboard.press('Enter');
    await page.getByTestId('resend-dialog').waitFor();
    await focusIs(page, 'resend-cancel', 'the dialog opens on Cancel');
    await page.getByTestId('resend-confirm').focus();
    await page.keyboard.press('Enter');
    await waitForCount(page.getByTestId('resend-dialog'), 0);
    await page.locator('[data-testid=action-result][data-intent=success]').waitFor();
    await focusIs(page, 'action-resend', 'after confirm');
    // The detail refreshes after the resend; the focus stays put.
    await page.waitForTimeout(1000);
    expect((await focused(page)).id).toBe('action-resend');
    await page.keyboard.press('Tab');
    expect((await focused(page)).id).toBe('action-reroute');
  });
});

browserTest('reroute: Escape and confirm both leave the focus on "Omdiriger"', async () => {
  await withBrowser('focus-reroute', async (b, l) => {
    const { page } = b;
    await openLetter(page, l, letters[1].id);
    const opener = page.getByTestId('action-reroute');

    await opener.focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('reroute-dialog').waitFor();
    await focusIs(page, 'destination-search', 'the dialog opens in the search');
    await escapeUntilClosed(page, 'reroute-dialog');
    await focusIs(page, 'action-reroute', 'after Escape');

    await page.keyboard.press('Enter');
    await page.getByTestId('reroute-dialog').waitFor();
    await focusIs(page, 'destination-search', 'the dialog opens in the search');
    await page.keyboard.type('fælles');
    await page.getByTestId('destination-option').first().waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await waitForCount(page.getByTestId('picked-destination'), 1);
    await page.keyboard.press('Escape'); // the list
    await page.getByTestId('reroute-confirm').focus();
    await page.keyboard.press('Enter');
    await waitForCount(page.getByTestId('reroute-dialog'), 0);
    await page.locator('[data-testid=action-result][data-intent=success]').waitFor();
    await focusIs(page, 'action-reroute', 'after confirm');
    await page.waitForTimeout(1000);
    expect((await focused(page)).id).toBe('action-reroute');
  });
});

browserTest('reply: Escape on an empty reply leaves the focus on "Svar", or on the heading when "Svar" is disabled', async () => {
  await withBrowser('focus-reply', async (b, l) => {
    const { page } = b;
    const memo = demoMemo({
      label: 'Spørgsmål om årsregnskab', reply: true,
      replyByDateTime: `${new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 19)}Z`,
      recipientCvr: DEMO_ORGANISATION.cvrs[0].cvr,
      sender: {
        id: DEMO_SENDERS.erst.cvr, idType: 'CVR', label: DEMO_SENDERS.erst.name,
        contactPoint: { contactPointID: 'erst-regnskab', label: 'Regnskab', contactInfo: [{ label: 'Telefon', value: '35291000' }] },
      },
    });
    const id = await receiveLetter(l.app, memo);
    await openLetter(page, l, id);

    await page.getByTestId('action-reply').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('reply-dialog').waitFor();
    await page.waitForTimeout(300);
    await escapeUntilClosed(page, 'reply-dialog');
    await focusIs(page, 'action-reply', 'after Escape');

    // A button that can no longer take the focus (disabled meanwhile): the letter's heading does.
    await page.keyboard.press('Enter');
    await page.getByTestId('reply-dialog').waitFor();
    await page.getByTestId('action-reply').evaluate((el) => el.setAttribute('disabled', ''));
    await escapeUntilClosed(page, 'reply-dialog');
    await focusIs(page, 'detail-heading', 'after Escape, the button disabled');
  });
});

browserTest('list: Enter on a row puts the focus on the letter\'s heading; back puts it on that row again', async () => {
  await withBrowser('focus-row', async (b, l) => {
    const { page } = b;
    await page.goto(`${l.app.url}/taskpane.html`);
    await page.getByTestId('message-row').nth(2).waitFor();
    await page.getByTestId('sort-letter').focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
    const row = (await focused(page)).row;
    expect(row).not.toBeNull();

    await page.keyboard.press('Enter');
    await page.getByTestId('detail-heading').waitFor();
    await focusIs(page, 'detail-heading', 'the letter opened');
    expect(await page.getByTestId('message-detail').getAttribute('data-message-id')).toBe(row);
    // The heading is where reading starts; the next Tab goes on into the letter.
    await page.keyboard.press('Tab');
    expect((await focused(page)).id).not.toBe('BODY');

    await page.getByTestId('back').focus();
    await page.keyboard.press('Enter');
    await waitForCount(page.getByTestId('message-detail'), 0);
    await eventually(async () => (await focused(page)).row === row, 'focus back on the opened row', 5000)
      .catch(async (e) => { throw new Error(`${(e as Error).message}; focus is on ${JSON.stringify(await focused(page))}`); });
    // Arrow keys carry on from there.
    await page.keyboard.press('ArrowDown');
    const next = (await focused(page)).row;
    expect(next).not.toBeNull();
    expect(next).not.toBe(row);
  });
});

/** Whether the element is wholly inside the viewport and nothing (no clipping parent) covers its corners. */
const fullyVisible = (page: Page, testId: string) => page.getByTestId(testId).evaluate((el) => {
  const r = el.getBoundingClientRect();
  if (r.width === 0 || r.left < 0 || r.top < 0 || r.right > window.innerWidth || r.bottom > window.innerHeight) return false;
  const inset = 2;
  return [[r.left + inset, r.top + inset], [r.right - inset, r.top + inset], [r.left + inset, r.bottom - inset], [r.right - inset, r.bottom - inset]]
    .every(([x, y]) => { const hit = document.elementFromPoint(x, y); return !!hit && el.contains(hit); });
});

browserTest('tabs: in a 350 px Outlook pane every tab is fully visible, and the one the arrow keys reach is in view', async () => {
  await withBrowser('focus-tabs', async (b, l) => {
    const { page } = b;
    await stubOffice(page, null);
    await page.goto(`${l.app.url}/taskpane.html`);
    await page.getByTestId('nav-admin').waitFor();
    const tabs = ['nav-this', 'nav-letters', 'nav-triage', 'nav-stats', 'nav-admin'];
    for (const tab of tabs) expect([tab, await fullyVisible(page, tab)]).toEqual([tab, true]);
    await b.screenshot('focus-tabs-350', { fullPage: false });

    await page.getByTestId('nav-this').focus();
    for (const tab of tabs.slice(1)) {
      await page.keyboard.press('ArrowRight');
      expect((await focused(page)).id).toBe(tab);
      expect([tab, await fullyVisible(page, tab)]).toEqual([tab, true]);
    }
    // Enter opens it.
    await page.keyboard.press('Enter');
    await eventually(async () => (await page.getByTestId('nav-admin').getAttribute('aria-selected')) === 'true', 'the admin tab selected', 5000);
  }, { width: 350, height: 700 });
});
