// The task pane against canned API answers: the states the live demo backend does not show on demand
// (server errors, network failure, contract drift, empty search, a dead delivery), plus the request
// shapes the pane sends. No server: Playwright serves addin/dist and the fixtures on a *.localhost
// origin. The live end-to-end run against the real backend is taskpane.test.ts.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page, Route } from 'playwright-core';
import { browserTest, launchBrowser, waitForCount, type LaunchedBrowser } from './browser';
import { stubOffice } from './live';
import { fixtureDestinations, fixtureMe, fixtureMessages, fixtureTriage, listResponse } from './fixtures';

const DIST = fileURLToPath(new URL('../../addin/dist/', import.meta.url));
const ORIGIN = 'http://pane.localhost';

type ApiHandler = (route: Route, url: URL) => Promise<void> | void;

const json = (route: Route, status: number, body: unknown) =>
  route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });

const fixtures = fixtureMessages();
const happyApi: ApiHandler = (route, url) => {
  if (url.pathname === '/api/me') return json(route, 200, fixtureMe);
  if (url.pathname === '/api/messages') return json(route, 200, listResponse(fixtures, url.searchParams));
  if (url.pathname === '/api/triage') return json(route, 200, fixtureTriage(fixtures));
  if (url.pathname === '/api/destinations') return json(route, 200, { items: fixtureDestinations });
  const id = /^\/api\/messages\/([^/]+)$/.exec(url.pathname)?.[1];
  const found = fixtures.find((m) => m.id === id);
  if (found) return json(route, 200, found);
  return json(route, 404, { error: { code: 'not_found', message: 'No message with that id.' } });
};

/** Serve the built pane and hand /api to `api` (which may be swapped during a test). */
async function servePane(page: Page, api: { current: ApiHandler }, requests: URL[]): Promise<void> {
  await page.route(`${ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    // How to sign in is the server's answer, not a state under test: the demo (no token).
    if (url.pathname === '/api/auth-config') return json(route, 200, { mode: 'demo' });
    if (url.pathname.startsWith('/api/')) {
      requests.push(url);
      return api.current(route, url);
    }
    const file = path.join(DIST, url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname));
    if (!file.startsWith(DIST) || !existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ path: file });
  });
}

async function withPane(
  run: (b: LaunchedBrowser, api: { current: ApiHandler }, requests: URL[]) => Promise<void>,
  viewport = { width: 360, height: 760 },
): Promise<void> {
  if (!existsSync(path.join(DIST, 'taskpane.html'))) {
    throw new Error('addin/dist is missing: run `npm run build:addin` first (npm run test:jest does).');
  }
  const b = await launchBrowser({ viewport });
  const api = { current: happyApi };
  const requests: URL[] = [];
  try {
    await servePane(b.page, api, requests);
    await run(b, api, requests);
    expect(b.pageErrors).toEqual([]);
  } catch (e) {
    await b.screenshot(`FAILED-${expect.getState().currentTestName?.replace(/\W+/g, '-') ?? 'states'}`).catch(() => {});
    throw e;
  } finally {
    await b.close();
  }
}

browserTest('list: rows, filters and search send the right queries (Danish by default)', async () => {
  await withPane(async (b, _api, requests) => {
    const { page } = b;
    await page.goto(`${ORIGIN}/`); // index.html sends "/" to the task pane
    await page.waitForURL(/taskpane\.html/);
    await waitForCount(page.getByTestId('message-row'), fixtures.length);
    expect(await page.getByTestId('header-org').textContent()).toBe(fixtureMe.orgName);
    expect(await page.getByTestId('demo-badge').isVisible()).toBe(true);
    expect(await page.getByTestId('message-count').textContent()).toBe('5 breve');
    // Status badges in Danish, newest first.
    const statuses = await page.getByTestId('message-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
    expect(statuses).toEqual(['delivered', 'delivered', 'failed', 'triage', 'routed']);
    expect(await page.getByTestId('message-row').first().getByTestId('status-badge').textContent()).toBe('Leveret');
    expect(await page.getByTestId('reply-by').first().textContent()).toMatch(/^Svar senest /);
    await b.screenshot('states-list-350');

    // CVR filter built from the list.
    await page.getByTestId('cvr-filter').selectOption('31022266');
    await waitForCount(page.getByTestId('message-row'), 2);
    expect(requests.at(-1)?.searchParams.get('cvr')).toBe('31022266');
    await page.getByTestId('cvr-filter').selectOption('');
    await waitForCount(page.getByTestId('message-row'), 5);

    // Full-text search goes to the server as q; no hits shows a helpful empty state.
    await page.getByTestId('search').fill('årsrapport');
    await waitForCount(page.getByTestId('message-row'), 1);
    expect(requests.at(-1)?.searchParams.get('q')).toBe('årsrapport');
    await page.getByTestId('search').fill('findes ikke');
    await page.getByTestId('empty-state').waitFor();
    expect(await page.getByTestId('empty-state').textContent()).toContain('Ingen breve matcher søgningen');
    // Demo mode sends no token while the auth seam has none.
    expect(requests.length).toBeGreaterThan(0);
  });
});

browserTest('detail: dead delivery with its error, timeline sorted by time; wide layout', async () => {
  await withPane(async (b) => {
    const { page } = b;
    await page.goto(`${ORIGIN}/taskpane.html`);
    await page.locator('[data-testid=message-row][data-status=failed]').click();
    await page.getByTestId('detail-heading').waitFor();
    expect(await page.getByTestId('detail-heading').textContent()).toBe('Afgørelse om refusion af sygedagpenge');
    const delivery = page.getByTestId('delivery-item');
    expect(await delivery.getAttribute('data-status')).toBe('dead');
    expect(await delivery.textContent()).toContain('Graph 404 ErrorInvalidUser');
    expect(await delivery.getByTestId('delivery-folder').textContent()).toContain('Indbakke/Digital Post');
    const types = await page.getByTestId('timeline-item').evaluateAll((items) => items.map((i) => i.getAttribute('data-type')));
    expect(types[0]).toBe('fetched');
    expect(types.at(-1)).toBe('delivery_failed');
    expect(await page.getByTestId('timeline-label').last().textContent()).toBe('Levering fejlede');
    await b.screenshot('states-detail-failed-1000');
    // Back keeps the list (and its state).
    await page.getByTestId('back').click();
    await waitForCount(page.getByTestId('message-row'), fixtures.length);
  }, { width: 1000, height: 900 });
});

browserTest('errors: the API message, a network failure and contract drift are told to a person', async () => {
  await withPane(async (b, api) => {
    const { page } = b;
    api.current = (route, url) =>
      url.pathname === '/api/messages'
        ? json(route, 503, { error: { code: 'database_down', message: 'Databasen svarer ikke lige nu. Prøv igen om et øjeblik.' } })
        : happyApi(route, url);
    await page.goto(`${ORIGIN}/taskpane.html`);
    await page.getByTestId('error').waitFor();
    expect(await page.getByTestId('error-message').textContent()).toBe('Databasen svarer ikke lige nu. Prøv igen om et øjeblik.');
    expect(await page.getByTestId('header-org').textContent()).toBe(fixtureMe.orgName);
    await b.screenshot('states-error-api-350');

    // Retry after the server recovers.
    api.current = happyApi;
    await page.getByRole('button', { name: 'Prøv igen' }).click();
    await waitForCount(page.getByTestId('message-row'), fixtures.length);
    expect(await page.getByTestId('error').count()).toBe(0);

    // No answer at all (server down), and an answer outside the contract.
    api.current = (route) => route.abort('connectionrefused');
    await page.reload();
    await page.getByTestId('error').first().waitFor();
    expect(await page.getByTestId('error-message').first().textContent()).toContain('Brevdue-serveren svarer ikke');
    await b.screenshot('states-error-network-350');

    api.current = (route, url) =>
      url.pathname === '/api/messages' ? json(route, 200, { items: [{ id: 'nope' }], total: 1 }) : happyApi(route, url);
    await page.reload();
    await page.getByTestId('error').waitFor();
    expect(await page.getByTestId('error-message').textContent()).toContain('Serveren sendte et svar, som ruden ikke kan læse');

    // A letter that does not exist: the API's 404 message.
    api.current = happyApi;
    await page.goto(`${ORIGIN}/taskpane.html#/message/00000000-0000-4000-8000-999999999999`);
    await page.reload();
    await page.getByTestId('message-detail').getByTestId('error').waitFor();
    expect(await page.getByTestId('message-detail').getByTestId('error-message').textContent()).toBe('No message with that id.');
  });
});

browserTest('new views: triage and "This letter" failures are told, with a way to try again', async () => {
  await withPane(async (b, api) => {
    const { page } = b;
    const triageDown = 'Sorteringskøen er midlertidigt utilgængelig.';
    api.current = (route, url) =>
      url.pathname === '/api/triage'
        ? json(route, 503, { error: { code: 'unavailable', message: triageDown } })
        : happyApi(route, url);
    await page.goto(`${ORIGIN}/taskpane.html#/triage`);
    await page.getByTestId('triage').getByTestId('error').waitFor();
    expect(await page.getByTestId('triage').getByTestId('error').textContent()).toContain('Sorteringskøen kunne ikke hentes');
    expect(await page.getByTestId('triage').getByTestId('error-message').textContent()).toBe(triageDown);
    // The tab's count failed quietly (it is decoration); the view said what went wrong.
    expect(await page.getByTestId('triage-count').count()).toBe(0);
    await b.screenshot('states-triage-error-350');

    api.current = happyApi;
    await page.getByTestId('triage').getByRole('button', { name: 'Prøv igen' }).click();
    await waitForCount(page.getByTestId('triage-item'), 1);
    expect(await page.getByTestId('triage-explanation').textContent()).toContain('Københavns Kommune');
    // Keyboard: the tabs move with the arrow keys.
    await page.getByTestId('nav-triage').focus();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Enter');
    await waitForCount(page.getByTestId('message-row'), fixtures.length);
    expect(page.url()).toMatch(/#\/$/);
  });
});

browserTest('"This letter" lookup: a server error is told and retried; not-a-letter says so', async () => {
  await withPane(async (b, api, requests) => {
    const { page } = b;
    const delivered = fixtures.find((m) => m.deliveries[0]?.graphMessageId)!;
    await stubOffice(page, { itemId: `EWS:${delivered.deliveries[0].graphMessageId}` });
    let fail = true;
    api.current = (route, url) => {
      if (url.pathname.startsWith('/api/messages/by-graph-id/')) {
        if (fail) return json(route, 500, { error: { code: 'internal', message: 'Something went wrong on our side (reference 42).' } });
        const id = decodeURIComponent(url.pathname.split('/').pop()!);
        const found = fixtures.find((m) => m.deliveries.some((d) => d.graphMessageId === id));
        return found ? json(route, 200, found) : json(route, 404, { error: { code: 'not_found', message: 'Not ours.' } });
      }
      return happyApi(route, url);
    };
    await page.goto(`${ORIGIN}/taskpane.html`);
    await page.locator('[data-testid=this-letter][data-state=error]').waitFor();
    expect(await page.getByTestId('error-message').textContent()).toBe('Something went wrong on our side (reference 42).');
    await b.screenshot('states-this-letter-error-350');
    fail = false;
    await page.getByRole('button', { name: 'Prøv igen' }).click();
    await page.locator('[data-testid=this-letter][data-state=found]').waitFor();
    expect(await page.getByTestId('detail-heading').textContent()).toBe(delivered.label);
    // The fixture user is a reader: the actions are there, disabled.
    expect(await page.getByTestId('action-resend').getAttribute('aria-disabled')).toBe('true');
    const lookups = requests.filter((u) => u.pathname.startsWith('/api/messages/by-graph-id/'));
    expect(lookups).toHaveLength(2);
    // The detail came with the lookup: no second request for the letter.
    expect(requests.filter((u) => u.pathname === `/api/messages/${delivered.id}`)).toHaveLength(0);

    // Compose mode / nothing open.
    await page.evaluate(() => (window as unknown as { __brevdueSelect(i: unknown): void }).__brevdueSelect(null));
    await page.locator('[data-testid=this-letter][data-state=no-item]').waitFor();
    expect(await page.getByTestId('empty-state').textContent()).toContain('Intet brev er åbent');
    await page.getByTestId('this-letter-show-list').click();
    await waitForCount(page.getByTestId('message-row'), fixtures.length);
  });
});
