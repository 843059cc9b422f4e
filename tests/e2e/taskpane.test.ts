// End to end: the real backend in demo mode (simulated Digital Post and Exchange, seeded letters),
// the built task pane it serves, and headless Chromium with the internet blocked (so office.js does
// not load and the pane runs as in a plain browser). A letter must arrive, be delivered, and be
// traceable in the pane, in Danish and in English.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startBrevdue } from '../../backend/src/app';
import { browserTest, launchBrowser, type LaunchedBrowser } from './browser';

const DIST_PAGE = fileURLToPath(new URL('../../addin/dist/taskpane.html', import.meta.url));
const DELIVERY_TIMEOUT_MS = 20_000;

async function waitForDeliveredRow(b: LaunchedBrowser): Promise<void> {
  const delivered = b.page.locator('[data-testid=message-row][data-status=delivered]');
  const until = Date.now() + DELIVERY_TIMEOUT_MS;
  while (Date.now() < until) {
    if (await delivered.count()) return;
    // The list refreshes itself every few seconds; clicking refresh makes the test independent of that.
    const refresh = b.page.getByTestId('refresh');
    if (await refresh.isEnabled().catch(() => false)) await refresh.click().catch(() => {});
    await b.page.waitForTimeout(1000);
  }
  const statuses = await b.page.getByTestId('message-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
  throw new Error(`no delivered letter within ${DELIVERY_TIMEOUT_MS} ms; rows: ${JSON.stringify(statuses)}`);
}

browserTest('task pane traces a delivered demo letter (Danish, then English)', async () => {
  if (!existsSync(DIST_PAGE)) throw new Error('addin/dist is missing: run `npm run build:addin` first (npm run test:jest does).');
  const logLines: string[] = [];
  const app = await startBrevdue({ port: 0, dataDir: null, demo: true, seed: true, log: (l) => logLines.push(l) });
  let b: LaunchedBrowser | null = null;
  try {
    b = await launchBrowser({ viewport: { width: 360, height: 800 } });
    const { page } = b;
    await page.goto(`${app.url}/taskpane.html`);

    // Header: demo user, clearly marked.
    await page.getByTestId('header-org').waitFor();
    await page.getByTestId('demo-badge').waitFor();

    // Letters arrive and get delivered within seconds.
    await waitForDeliveredRow(b);
    await b.screenshot('taskpane-list-da-360');

    const row = page.locator('[data-testid=message-row][data-status=delivered]').first();
    const label = (await row.getByTestId('message-label').textContent())?.trim();
    expect(label).toBeTruthy();
    await row.click();

    // Detail: heading, a document, a delivery, and a timeline ending in delivered.
    const heading = page.getByTestId('detail-heading');
    await heading.waitFor();
    expect((await heading.textContent())?.trim()).toBe(label);
    await page.getByTestId('timeline-item').first().waitFor();
    expect(await page.getByTestId('document-item').count()).toBeGreaterThan(0);
    expect((await page.getByTestId('document-name').first().textContent())?.trim()).toBeTruthy();
    expect(await page.locator('[data-testid=delivery-item][data-status=delivered]').count()).toBeGreaterThan(0);
    const types = await page.getByTestId('timeline-item').evaluateAll((items) => items.map((i) => i.getAttribute('data-type')));
    expect(types).toContain('delivered');
    expect(types[0]).toBe('fetched');
    const deliveredItem = page.locator('[data-testid=timeline-item][data-type=delivered]').first();
    expect((await deliveredItem.getByTestId('timeline-label').textContent())?.trim()).toBe('Leveret');
    await b.screenshot('taskpane-detail-da-360');

    // Switch to English: the labels change, the letter stays.
    await page.getByTestId('language-switch').click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    expect((await deliveredItem.getByTestId('timeline-label').textContent())?.trim()).toBe('Delivered');
    expect((await page.getByTestId('back').textContent())?.trim()).toBe('All letters');
    expect((await heading.textContent())?.trim()).toBe(label);
    await b.screenshot('taskpane-detail-en-360');

    // Back to the list, in English, wide.
    await page.getByTestId('back').click();
    await page.getByTestId('message-row').first().waitFor();
    expect(await page.getByTestId('message-count').textContent()).toMatch(/letter/);
    await page.setViewportSize({ width: 1000, height: 800 });
    await b.screenshot('taskpane-list-en-1000');

    expect(b.pageErrors).toEqual([]);
    expect(b.consoleErrors).toEqual([]);
    // Only the internet was blocked (office.js), never the backend.
    expect(b.blocked.every((u) => !u.startsWith(app.url))).toBe(true);
  } catch (e) {
    if (b) await b.screenshot('FAILED-taskpane').catch(() => {});
    const tail = logLines.slice(-20).join('\n');
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n--- backend log (last lines) ---\n${tail}`);
  } finally {
    await b?.close();
    await app.stop();
  }
}, 120_000);
