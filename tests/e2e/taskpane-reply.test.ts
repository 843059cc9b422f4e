// Replying to Digital Post from the letter detail, against the real backend in demo mode: compose
// with the deadline in view, a file refused before upload, an attachment, send, see the receipt on
// the timeline; Digital Post down → the reason in the dialog, and "Try again" sends the same reply.
import type { Page } from 'playwright-core';
import { demoMemo, DEMO_ORGANISATION, DEMO_SENDERS, minimalPdf } from '../../backend/src/demo/letters';
import { parseMemo } from '../../backend/src/memo/parse';
import { receiveLetter } from '../helpers/app';
import { browserTest, chromiumAvailable, launchBrowser, type LaunchedBrowser } from './browser';
import { detailOf, eventually, startLive, waitForTimeline, type Live, withLiveBrowser } from './live';

let live: Live | null = null;

beforeAll(async () => {
  if (!chromiumAvailable()) return;
  live = await startLive({ seedCount: 2 });
}, 90_000);

afterAll(async () => {
  await live?.stop();
});

const withBrowser = (name: string, run: (b: LaunchedBrowser, live: Live) => Promise<void>) => withLiveBrowser(live, name, run);

/** A Digital Post letter that accepts replies for two more weeks. */
async function replyableLetter(l: Live, label: string): Promise<{ id: string; uuid: string }> {
  const memo = demoMemo({
    label, reply: true, replyByDateTime: `${new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 19)}Z`,
    recipientCvr: DEMO_ORGANISATION.cvrs[0].cvr,
    sender: {
      id: DEMO_SENDERS.erst.cvr, idType: 'CVR', label: DEMO_SENDERS.erst.name,
      contactPoint: { contactPointID: 'erst-regnskab', label: 'Regnskab', contactInfo: [{ label: 'Telefon', value: '35291000' }] },
    },
  });
  return { id: await receiveLetter(l.app, memo), uuid: memo.messageUUID };
}

async function openLetter(page: Page, l: Live, id: string): Promise<void> {
  // Straight to the letter: the seeded letters arriving meanwhile may push it down the list.
  await page.goto(`${l.app.url}/taskpane.html#/message/${id}`);
  await page.getByTestId('detail-heading').waitFor();
}

browserTest('reply: compose with the deadline shown, attach a file, send, and see the receipt on the timeline', async () => {
  await withBrowser('reply-send', async (b, l) => {
    const { page } = b;
    const { id, uuid } = await replyableLetter(l, 'Anmodning om supplerende oplysninger');
    await openLetter(page, l, id);

    await page.getByTestId('action-reply').click();
    const dialog = page.getByTestId('reply-dialog');
    await dialog.waitFor();
    expect(await page.getByTestId('reply-deadline').textContent()).toMatch(/^Svar senest /);
    expect(await dialog.textContent()).toContain(`Svar til ${DEMO_SENDERS.erst.name}`);

    // Sending nothing says what is missing.
    await page.getByTestId('reply-send').click();
    expect(await dialog.textContent()).toContain('Skriv dit svar, før du sender.');

    await page.getByTestId('reply-text').fill('Kære Erhvervsstyrelse\n\nHermed de ønskede oplysninger.\n\nMed venlig hilsen');
    expect(await dialog.textContent()).toContain('af 10.000 tegn');

    // A program is refused in the pane, before any upload; removing it clears the problem.
    const input = page.getByTestId('reply-file-input');
    await input.setInputFiles({ name: 'program.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') });
    expect(await page.getByTestId('reply-file-problem').textContent()).toContain('program.exe er ikke en filtype');
    await page.getByRole('button', { name: 'Fjern program.exe' }).click();
    expect(await page.getByTestId('reply-file-problem').count()).toBe(0);

    await input.setInputFiles({ name: 'Oplysninger.pdf', mimeType: 'application/pdf', buffer: minimalPdf('Oplysninger') });
    expect(await page.getByTestId('reply-file').allTextContents()).toEqual([expect.stringContaining('Oplysninger.pdf')]);
    await page.waitForTimeout(300); // the dialog has faded in
    await b.screenshot('reply-compose-360', { fullPage: false });

    await page.getByTestId('reply-send').click();
    await page.locator('[data-testid=reply-result][data-intent=success]').waitFor();
    expect(await dialog.count()).toBe(0);
    const sent = l.app.sims!.ngdp.api.sent();
    expect(sent).toHaveLength(1);
    expect(await page.getByTestId('reply-result-text').textContent()).toBe(`Digital Post har modtaget dit svar (forsendelse ${sent[0].transmissionId}).`);
    await waitForTimeline(page, 'reply_sent');
    const event = page.locator('[data-testid=timeline-item][data-type=reply_sent]');
    expect((await event.getByTestId('timeline-label').textContent())?.trim()).toBe('Svar sendt via Digital Post');
    expect(await event.textContent()).toContain('Demo-bruger');
    await page.locator('[data-testid=reply-item][data-status=sent]').waitFor();
    await b.screenshot('reply-sent-360');

    // Digital Post got a reply MeMo naming the letter, with the attachment.
    const memo = parseMemo(sent[0].xml);
    expect(memo.replyData.at(-1)?.messageUUID).toBe(uuid);
    expect(memo.recipient.contactPoint?.contactPointID).toBe('erst-regnskab');
    expect(memo.body.additionalDocuments.map((d) => d.files[0].filename)).toEqual(['Oplysninger.pdf']);
  });
});

browserTest('reply: Digital Post down → the reason in the dialog; "Try again" sends the same reply', async () => {
  await withBrowser('reply-retry', async (b, l) => {
    const { page } = b;
    const sim = l.app.sims!.ngdp.api;
    sim.reset();
    const { id } = await replyableLetter(l, 'Varsel om kontrolbesøg');
    await openLetter(page, l, id);
    await page.getByTestId('action-reply').click();
    await page.getByTestId('reply-dialog').waitFor();
    await page.getByTestId('reply-text').fill('Vi bekræfter besøget.');

    sim.setFaults({ outage: true });
    try {
      await page.getByTestId('reply-send').click();
      await page.getByTestId('reply-error-bar').waitFor();
      // Said in Danish; Digital Post's own (English) answer only as the technical detail.
      expect(await page.getByTestId('reply-error-text').textContent()).toMatch(/^Digital Post kunne ikke tage imod svaret lige nu/);
      expect(await page.getByTestId('reply-error-bar').getByTestId('reply-error-detail').textContent()).toMatch(/^Teknisk detalje: Digital Post answered 503/);
      expect((await page.getByTestId('reply-send').textContent())?.trim()).toBe('Prøv igen');
      await b.screenshot('reply-failed-360', { fullPage: false });
    } finally {
      sim.setFaults({});
    }
    await page.getByTestId('reply-send').click();
    await page.locator('[data-testid=reply-result][data-intent=success]').waitFor();

    const detail = await detailOf(l, id);
    const failed = detail.timeline.find((e) => e.type === 'reply_failed');
    const sentEv = detail.timeline.find((e) => e.type === 'reply_sent');
    expect(failed?.data.memoUuid).toBe(sentEv?.data.memoUuid);
    await eventually(async () => sim.sent().length === 1, 'one memo at Digital Post');
    expect(sim.sent()[0].messageUUID).toBe(sentEv?.data.memoUuid);
    await waitForTimeline(page, 'reply_sent');
  });
});
