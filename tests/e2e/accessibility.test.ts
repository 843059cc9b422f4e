// axe-core on every view of the task pane, against the real backend in demo mode: no serious or
// critical violation (WCAG 2.1 A/AA rules) in the letters list, a letter, triage, statistics and the
// admin pages, in Danish and in English. Each view's result is also saved as a screenshot.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { browserTest, chromiumAvailable, launchBrowser } from './browser';
import { eventually, startLive, type Live } from './live';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let live: Live | null = null;
let letterId = '';

beforeAll(async () => {
  if (!chromiumAvailable()) return;
  live = await startLive();
  const l = live;
  letterId = await eventually(async () => {
    const r = await l.api<{ items: { id: string; status: string }[] }>('GET', '/messages?limit=5');
    return r.body.items.find((i) => i.status === 'delivered')?.id;
  }, 'a delivered demo letter', 60_000);
}, 120_000);

afterAll(async () => { await live?.stop(); });

interface AxeViolation { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }

async function seriousViolations(page: Page): Promise<string[]> {
  // Through the DevTools protocol, not a <script> tag: the pane's CSP (rightly) refuses inline scripts.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    // Tabster's focus sentinels (<i tabindex=0 aria-hidden data-tabster-dummy>, Fluent's keyboard
    // navigation) hand focus on at once; axe cannot know that, so they are left out of the check.
    const r = await axe.run({ include: [document], exclude: [['[data-tabster-dummy]']] } as unknown as Document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  }) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

const VIEWS: { name: string; hash: () => string; ready: string }[] = [
  { name: 'letters', hash: () => '#/', ready: '[data-testid="message-count"]' },
  { name: 'letter', hash: () => `#/message/${letterId}`, ready: '[data-testid="timeline"]' },
  { name: 'triage', hash: () => '#/triage', ready: '[data-testid="triage-total"]' },
  { name: 'statistics', hash: () => '#/stats', ready: '[data-testid="stats-view"]' },
  { name: 'admin-rules', hash: () => '#/admin/rules', ready: '[data-testid="admin-rules-page"], [data-testid="admin-rules"]' },
  { name: 'admin-recipients', hash: () => '#/admin/recipients', ready: '[data-testid^="admin-recipients"]' },
  { name: 'admin-mailboxes', hash: () => '#/admin/mailboxes', ready: '[data-testid^="admin-mailboxes"]' },
  { name: 'admin-settings', hash: () => '#/admin/settings', ready: '[data-testid^="admin-settings"]' },
  { name: 'admin-roles', hash: () => '#/admin/roles', ready: '[data-testid="admin-roles-page"] h2' },
];

const RUNS: { locale: string; colorScheme: 'light' | 'dark'; forcedColors: 'active' | 'none'; theme: string }[] = [
  { locale: 'da-DK', colorScheme: 'light', forcedColors: 'none', theme: 'light' },
  { locale: 'en-US', colorScheme: 'dark', forcedColors: 'none', theme: 'dark' },
  { locale: 'da-DK', colorScheme: 'light', forcedColors: 'active', theme: 'highContrast' },
];

for (const { locale, colorScheme, forcedColors, theme } of RUNS) {
  browserTest(`no serious accessibility violations on any view (${locale}, ${theme} theme)`, async () => {
    const b = await launchBrowser({ locale, colorScheme, forcedColors, viewport: { width: 420, height: 800 } });
    const problems: string[] = [];
    try {
      for (const v of VIEWS) {
        await b.page.goto(`${live!.app.url}/taskpane.html${v.hash()}`);
        await b.page.waitForSelector(v.ready, { timeout: 20_000 });
        // Let data-driven content (lists, charts) settle before checking.
        await b.page.waitForLoadState('networkidle').catch(() => {});
        expect(await b.page.getAttribute('[data-theme]', 'data-theme')).toBe(theme);
        await b.screenshot(`a11y-${v.name}-${locale}-${theme}`);
        for (const p of await seriousViolations(b.page)) problems.push(`${v.name}: ${p}`);
      }
      expect(b.pageErrors).toEqual([]);
    } finally {
      await b.close();
    }
    expect(problems).toEqual([]);
  }, 240_000);
}
