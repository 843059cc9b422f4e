// A reply being written is not thrown away by one key: Escape or "Annuller" with text or files asks
// first (keep writing, close and keep the draft, discard), the draft comes back when the dialog is
// opened again for the same letter (not for another), and discarding empties it. Digital Post down:
// the pane says so in Danish, with Digital Post's English words only as the technical detail. At the
// pane's 350 px, the attachment hint is its own line under "Vedhæft filer".
import type { Page } from 'playwright-core';
import { demoMemo, DEMO_ORGANISATION, DEMO_SENDERS } from '../../backend/src/demo/letters';
import { receiveLetter } from '../helpers/app';
import { browserTest, chromiumAvailable, waitForCount } from './browser';
import { startLive, waitForTimeline, withLiveBrowser, type Live } from './live';

let live: Live | null = null;

beforeAll(async () => {
  if (!chromiumAvailable()) return;
  live = await startLive({ seedCount: 0 });
}, 90_000);

afterAll(async () => {
  await live?.stop();
});

async function replyableLetter(l: Live, label: string): Promise<string> {
  return receiveLetter(l.app, demoMemo({
    label, reply: true, replyByDateTime: `${new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 19)}Z`,
    recipientCvr: DEMO_ORGANISATION.cvrs[0].cvr,
    sender: { id: DEMO_SENDERS.erst.cvr, idType: 'CVR', label: DEMO_SENDERS.erst.name },
  }));
}

/** To a letter inside the running pane (no reload: the drafts live as long as the pane does). */
async function showLetter(page: Page, id: string): Promise<void> {
  await page.evaluate((hash) => { window.location.hash = hash; }, `#/message/${id}`);
  await page.waitForFunction((i) => document.querySelector('[data-testid=detail-heading]') !== null && window.location.hash.endsWith(i), id);
  await page.getByTestId('action-reply').waitFor();
}

async function openReply(page: Page): Promise<void> {
  await page.getByTestId('action-reply').click();
  await page.getByTestId('reply-dialog').waitFor();
}

const TEXT = 'Kære Erhvervsstyrelse\n\nVi sender de ønskede oplysninger i næste uge.\n\nMed venlig hilsen';

browserTest('reply draft: Escape asks before discarding, the draft survives closing, discard empties it; a failure is said in Danish', async () => {
  await withLiveBrowser(live, 'reply-draft', async (b, l) => {
    const { page } = b;
    const sim = l.app.sims!.ngdp.api;
    sim.reset();
    const first = await replyableLetter(l, 'Anmodning om oplysninger');
    const other = await replyableLetter(l, 'Varsel om kontrolbesøg');
    await page.goto(`${l.app.url}/taskpane.html#/message/${first}`);
    await page.getByTestId('detail-heading').waitFor();

    await openReply(page);
    const dialog = page.getByTestId('reply-dialog');
    const text = page.getByTestId('reply-text');

    // The attachment hint is its own block under the button, not text flowing beside it.
    const button = (await page.getByTestId('reply-attach').boundingBox())!;
    const hint = (await page.getByTestId('reply-attach-hint').boundingBox())!;
    expect(hint.y).toBeGreaterThanOrEqual(button.y + button.height - 1);
    expect(hint.x).toBeLessThanOrEqual(button.x + 1);

    await text.fill(TEXT);
    await page.getByTestId('reply-file-input').setInputFiles({ name: 'Oplysninger.txt', mimeType: 'text/plain', buffer: Buffer.from('Tal og bilag') });
    await waitForCount(page.getByTestId('reply-file'), 1);

    // Escape asks; "Fortsæt med at skrive" goes back with everything, the cursor in the text.
    await text.press('Escape');
    const confirm = page.getByTestId('reply-discard-confirm');
    await confirm.waitFor();
    expect(await dialog.count()).toBe(1);
    expect(await confirm.textContent()).toContain('Kassér svaret?');
    await page.waitForTimeout(200); // the dialog's own focus handling has settled
    await b.screenshot('reply-discard-confirm-350', { fullPage: false });
    await page.getByTestId('reply-keep-editing').click();
    await waitForCount(confirm, 0);
    expect(await text.inputValue()).toBe(TEXT);
    expect(await page.getByTestId('reply-file').allTextContents()).toEqual([expect.stringContaining('Oplysninger.txt')]);
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'reply-text');

    // "Annuller" asks too; Escape on the question is "keep writing".
    await page.getByTestId('reply-cancel').click();
    await confirm.waitFor();
    await page.keyboard.press('Escape');
    await waitForCount(confirm, 0);
    expect(await text.inputValue()).toBe(TEXT);

    // Closing and keeping the draft: the letter says there is one, and reopening brings it back.
    await page.getByTestId('reply-cancel').click();
    await page.getByTestId('reply-keep-draft').click();
    await waitForCount(dialog, 0);
    await page.getByTestId('reply-draft-note').waitFor();

    // Another letter has no draft; an empty reply closes without asking.
    await showLetter(page, other);
    expect(await page.getByTestId('reply-draft-note').count()).toBe(0);
    await openReply(page);
    expect(await text.inputValue()).toBe('');
    await page.keyboard.press('Escape');
    await waitForCount(dialog, 0);

    await showLetter(page, first);
    await page.getByTestId('reply-draft-note').waitFor();
    await openReply(page);
    expect(await text.inputValue()).toBe(TEXT);
    expect(await page.getByTestId('reply-file').allTextContents()).toEqual([expect.stringContaining('Oplysninger.txt')]);

    // Discarding empties it for good.
    await text.press('Escape');
    await page.getByTestId('reply-discard').click();
    await waitForCount(dialog, 0);
    expect(await page.getByTestId('reply-draft-note').count()).toBe(0);
    await openReply(page);
    expect(await text.inputValue()).toBe('');
    expect(await page.getByTestId('reply-file').count()).toBe(0);
    expect(sim.sent()).toEqual([]);

    // Digital Post down: what happened and what to do in Danish; its English words only as the detail.
    await text.fill('Vi bekræfter datoen.');
    sim.setFaults({ outage: true });
    try {
      await page.getByTestId('reply-send').click();
      await page.getByTestId('reply-error-bar').waitFor();
    } finally {
      sim.setFaults({});
    }
    const said = (await page.getByTestId('reply-error-bar').getByTestId('reply-error-text').textContent()) ?? '';
    expect(said).toMatch(/^Digital Post kunne ikke tage imod svaret lige nu, så det er ikke modtaget\..*prøv igen om nogle minutter\.$/);
    expect(said).not.toMatch(/answered|Nothing was received|SERVICE_UNAVAILABLE/);
    expect(await page.getByTestId('reply-error-bar').getByTestId('reply-error-detail').textContent()).toMatch(/^Teknisk detalje: Digital Post answered 503 to POST \/memos\/: SERVICE_UNAVAILABLE/);
    expect((await page.getByTestId('reply-send').textContent())?.trim()).toBe('Prøv igen');
    await page.waitForTimeout(300);
    await b.screenshot('reply-failed-danish-350', { fullPage: false });

    // The server keeps the failed reply (listed, with its own "Prøv igen"): closing loses nothing, so it does not ask.
    await page.getByTestId('reply-cancel').click();
    await waitForCount(dialog, 0);
    const item = page.locator('[data-testid=reply-item][data-status=failed]');
    await item.waitFor();
    expect(await item.getByTestId('reply-error').textContent()).toMatch(/^Digital Post kunne ikke tage imod svaret lige nu/);
    expect(await item.getByTestId('reply-error-detail').textContent()).toMatch(/^Teknisk detalje: Digital Post answered 503/);
    await waitForTimeline(page, 'reply_failed');
    const event = (await page.locator('[data-testid=timeline-item][data-type=reply_failed]').textContent()) ?? '';
    expect(event).toContain('blev ikke sendt: Digital Post kunne ikke tage imod svaret lige nu');
    expect(event).not.toMatch(/answered 503|Nothing was received/);
  }, { width: 350, height: 800 });
}, 150_000);
