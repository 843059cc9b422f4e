// Headless Chromium for the browser tests: the system /usr/bin/chromium driven by playwright-core,
// a fresh throw-away profile per launch, and no way out to the internet (every request that is not
// for localhost is aborted, so office.js from Microsoft's CDN fails fast and the pane runs in
// plain-browser demo mode).
//
// Policy when Chromium is missing: the test prints ONE line saying it was not run and why, and
// passes — unless BREVDUE_REQUIRE_BROWSER=1, then it fails. Use `browserTest` for that.
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The system Chromium; BREVDUE_CHROMIUM_PATH overrides it (another distro's path, or to try the policy below). */
export const CHROMIUM_PATH = process.env.BREVDUE_CHROMIUM_PATH || '/usr/bin/chromium';
export const SCREENSHOT_DIR = fileURLToPath(new URL('./screenshots/', import.meta.url));

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export function chromiumAvailable(): boolean {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function browserRequired(): boolean {
  return process.env.BREVDUE_REQUIRE_BROWSER === '1';
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLocalUrl(url: string): boolean {
  try {
    const u = new URL(url);
    if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:') return true;
    return LOCAL_HOSTS.has(u.hostname) || u.hostname.endsWith('.localhost');
  } catch {
    return false;
  }
}

export interface LaunchedBrowser {
  context: BrowserContext;
  page: Page;
  /** Non-local URLs that were blocked. */
  blocked: string[];
  /** Uncaught page errors and console.error lines, for assertions and for failure messages. */
  pageErrors: string[];
  consoleErrors: string[];
  /** Saves tests/e2e/screenshots/<name>.png; whole page unless `fullPage` is false (dialogs and popovers are fixed to the viewport). */
  screenshot(name: string, opts?: { fullPage?: boolean }): Promise<string>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  viewport?: { width: number; height: number };
  locale?: string;
  /** Emulated system colour scheme and Windows high-contrast mode (the pane follows both). */
  colorScheme?: 'light' | 'dark';
  forcedColors?: 'active' | 'none';
}

export async function launchBrowser(opts: LaunchOptions = {}): Promise<LaunchedBrowser> {
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'brevdue-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: opts.viewport ?? { width: 360, height: 720 },
      locale: opts.locale ?? 'da-DK',
      timezoneId: 'Europe/Copenhagen',
      serviceWorkers: 'block',
      colorScheme: opts.colorScheme ?? 'light',
      forcedColors: opts.forcedColors ?? 'none',
    });
  } catch (e) {
    await rm(userDataDir, { recursive: true, force: true });
    throw e;
  }

  const blocked: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLocalUrl(url)) return route.continue();
    blocked.push(url);
    return route.abort('internetdisconnected');
  });

  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    // A blocked request is logged by Chromium as a console error; that is the point of blocking.
    if (/net::ERR_INTERNET_DISCONNECTED|net::ERR_FAILED/.test(text)) return;
    consoleErrors.push(text);
  });

  return {
    context,
    page,
    blocked,
    pageErrors,
    consoleErrors,
    async screenshot(name: string, shotOpts: { fullPage?: boolean } = {}) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      const file = path.join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path: file, fullPage: shotOpts.fullPage ?? true });
      return file;
    },
    async close() {
      await context.close().catch(() => {});
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Waits until the locator matches exactly `count` elements (Playwright's expect is not in playwright-core). */
export async function waitForCount(locator: { count(): Promise<number> }, count: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = -1;
  while (Date.now() < until) {
    last = await locator.count();
    if (last === count) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected ${count} matching elements within ${timeoutMs} ms, saw ${last}`);
}

/**
 * `test(name, fn)` for a test that needs Chromium. Without /usr/bin/chromium it prints one line and
 * passes (or fails when BREVDUE_REQUIRE_BROWSER=1).
 */
export function browserTest(name: string, fn: () => Promise<void>, timeoutMs = 120_000): void {
  if (chromiumAvailable()) {
    test(name, fn, timeoutMs);
    return;
  }
  const why = `${CHROMIUM_PATH} is missing (install it with: apt-get install chromium)`;
  if (browserRequired()) {
    test(name, () => {
      throw new Error(`Browser test "${name}" cannot run: ${why}, and BREVDUE_REQUIRE_BROWSER=1 requires it.`);
    });
    return;
  }
  test(name, () => {
    // Once per test file, straight to stderr: one plain line, not jest's multi-line console block.
    if (notRunReported) return;
    notRunReported = true;
    process.stderr.write(`\n[browser test NOT RUN] ${path.basename(expect.getState().testPath ?? name)}: ${why}. Set BREVDUE_REQUIRE_BROWSER=1 to make this a failure.\n`);
  });
}
let notRunReported = false;
