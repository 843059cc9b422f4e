// Helpers for browser tests against the real backend in demo mode: start it, call its API from the
// test, wait for the pipeline, and stand in for office.js inside the page.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launchBrowser, type LaunchedBrowser } from './browser';
import { startBrevdue, type Brevdue, type StartOptions } from '../../backend/src/app';
import { messageDetailSchema, messageListResponseSchema, type MessageDetail } from '../../shared/src/contracts';

const DIST_PAGE = fileURLToPath(new URL('../../addin/dist/taskpane.html', import.meta.url));

export interface Live {
  app: Brevdue;
  log: string[];
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

export async function startLive(opts: StartOptions = {}): Promise<Live> {
  if (!existsSync(DIST_PAGE)) throw new Error('addin/dist is missing: run `npm run build:addin` first (npm run test:jest does).');
  const log: string[] = [];
  const app = await startBrevdue({ port: 0, dataDir: null, demo: true, seed: true, processEveryMs: 100, log: (l) => log.push(l), ...opts });
  return {
    app,
    log,
    async api<T>(method: string, path: string, body?: unknown) {
      const res = await fetch(`${app.url}/api${path}`, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
    },
    stop: () => app.stop(),
  };
}

/** Polls `check` until it returns a truthy value. */
export async function eventually<T>(check: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 25_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** Letters delivered to a mailbox, with documents: the ones the tests act on. */
export async function deliveredLetters(live: Live, atLeast: number): Promise<MessageDetail[]> {
  return eventually(async () => {
    const list = messageListResponseSchema.parse((await live.api('GET', '/messages?limit=200')).body);
    const done = list.items.filter((m) => m.status === 'delivered' && m.documentCount > 0);
    if (done.length < atLeast) return null;
    const details = await Promise.all(done.map(async (m) => messageDetailSchema.parse((await live.api('GET', `/messages/${m.id}`)).body)));
    const usable = details.filter((d) => d.deliveries.some((x) => x.status === 'delivered' && x.graphMessageId && x.destination.mailbox));
    return usable.length >= atLeast ? usable : null;
  }, `${atLeast} delivered letters`);
}

export async function detailOf(live: Live, id: string): Promise<MessageDetail> {
  return messageDetailSchema.parse((await live.api('GET', `/messages/${id}`)).body);
}

/** The timeline's event types as the pane shows them. */
export function timelineTypes(page: Page): Promise<(string | null)[]> {
  return page.getByTestId('timeline-item').evaluateAll((items) => items.map((i) => i.getAttribute('data-type')));
}

/** Waits until the pane's timeline shows an event of this type (the detail refreshes itself while copies travel). */
export async function waitForTimeline(page: Page, type: string, timeoutMs = 25_000): Promise<void> {
  await page.locator(`[data-testid=timeline-item][data-type=${type}]`).first().waitFor({ timeout: timeoutMs });
}

export interface OfficeItem { itemId: string; internetMessageId?: string }

/**
 * Serves a stand-in for office.js (the page loads it from Microsoft's CDN, which the harness blocks):
 * Outlook on the web, a mailbox with `item` open in read mode, convertToRestId that strips an
 * "EWS:" prefix (so the test controls the REST id the pane asks about), and ItemChanged. The test
 * selects another item with `window.__brevdueSelect(itemOrNull)`.
 */
export async function stubOffice(page: Page, item: OfficeItem | null): Promise<void> {
  const script = `
    (function () {
      var handlers = [];
      var mailbox = {
        item: null,
        convertToRestId: function (id, version) {
          window.__brevdueConverted = (window.__brevdueConverted || []).concat([[id, version]]);
          return id.indexOf('EWS:') === 0 ? id.slice(4) : id;
        },
        addHandlerAsync: function (type, handler, cb) { handlers.push([type, handler]); if (cb) cb({ status: 'succeeded' }); },
        removeHandlerAsync: function (type, cb) { handlers = handlers.filter(function (h) { return h[0] !== type; }); if (cb) cb({ status: 'succeeded' }); },
      };
      function select(item) {
        mailbox.item = item ? { itemId: item.itemId, internetMessageId: item.internetMessageId || null, itemType: 'message' } : null;
      }
      select(${JSON.stringify(item)});
      window.__brevdueSelect = function (item) {
        select(item);
        handlers.forEach(function (h) { if (h[0] === 'olkItemSelectedChanged') h[1]({ type: 'olkItemSelectedChanged' }); });
      };
      window.Office = {
        HostType: { Outlook: 'Outlook' },
        PlatformType: { OfficeOnline: 'OfficeOnline' },
        EventType: { ItemChanged: 'olkItemSelectedChanged' },
        MailboxEnums: { RestVersion: { v1_0: 'v1.0', v2_0: 'v2.0', Beta: 'beta' } },
        context: { displayLanguage: 'da-DK', diagnostics: { platform: 'OfficeOnline' }, mailbox: mailbox },
        onReady: function (cb) {
          var info = { host: 'Outlook', platform: 'OfficeOnline' };
          if (cb) cb(info);
          return Promise.resolve(info);
        },
      };
    })();`;
  // A page route wins over the harness's context route that blocks the internet.
  await page.route('https://appsforoffice.microsoft.com/**', (route) =>
    route.fulfill({ status: 200, contentType: 'application/javascript', body: script }));
}

/**
 * One browser for one test against `live`: the page must raise no error; a failure leaves a
 * screenshot (FAILED-<name>) and the backend's last log lines in the message.
 */
export async function withLiveBrowser(
  live: Live | null, name: string, run: (b: LaunchedBrowser, live: Live) => Promise<void>,
  viewport = { width: 360, height: 900 },
): Promise<void> {
  if (!live) throw new Error('the demo backend did not start');
  const b = await launchBrowser({ viewport });
  try {
    await run(b, live);
    expect(b.pageErrors).toEqual([]);
  } catch (e) {
    await b.screenshot(`FAILED-${name}`).catch(() => {});
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n--- backend log (last lines) ---\n${live.log.slice(-15).join('\n')}`);
  } finally {
    await b.close();
  }
}
