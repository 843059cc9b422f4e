// Helpers for browser tests of the pane's admin pages against the live demo backend (./live.ts): the
// backend for the file's tests, open an admin tab, a demo mailbox's row, and axe-core's serious findings on the page as it is.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { and, eq } from 'drizzle-orm';
import { mailboxes } from '../../backend/src/store/schema';
import { chromiumAvailable } from './browser';
import { startLive, type Live } from './live';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * The demo backend without seed letters, polling once a minute, for the tests of this file: started
 * before them when Chromium is there (and handed to `use`), stopped after them.
 */
export function adminLiveForSuite(use: (l: Live) => void): void {
  let live: Live | null = null;
  beforeAll(async () => {
    if (!chromiumAvailable()) return;
    live = await startLive({ seed: false, pollIntervalMs: 60_000 });
    use(live);
  }, 120_000);
  afterAll(async () => {
    await live?.stop();
  });
}

/** Opens the pane, then Admin › `tab`, and waits for the tab's page. */
export async function openAdminTab(page: Page, l: Live, tab: 'recipients' | 'mailboxes' | 'settings' | 'roles'): Promise<void> {
  await page.goto(`${l.app.url}/taskpane.html`);
  await page.getByTestId('nav-admin').click();
  await page.getByTestId(`admin-tab-${tab}`).click();
  await page.getByTestId(`admin-${tab}-page`).waitFor();
}

/** The demo organisation's mailbox of `provider` for CVR number `cvr`, as stored. */
export async function mailboxOf(l: Live, cvr: string, provider: string) {
  const [mb] = await l.app.database.db.select().from(mailboxes)
    .where(and(eq(mailboxes.orgId, l.app.demoOrgId!), eq(mailboxes.cvr, cvr), eq(mailboxes.provider, provider)));
  return mb;
}

/** axe-core's serious and critical WCAG 2.1 A/AA findings (as tests/e2e/accessibility.test.ts), now. */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    type V = { id: string; impact: string | null; nodes: { target: string[] }[] };
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: V[] }> } }).axe;
    const r = await axe.run({ include: [document], exclude: [['[data-tabster-dummy]']] }, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}
