// The statistics view against the real backend in demo mode: the seeded letters are fetched, routed
// by the demo rules and delivered; the pane's KPI numbers match the API, the charts render, the
// breakdown switches, the language switches, and "Export CSV" downloads the API's file. At 350 px the
// automation column of both tables is on screen, and two senders of the same name are told apart.
import { readFile } from 'node:fs/promises';
import { and, isNull } from 'drizzle-orm';
import { mailboxes } from '../../backend/src/store/schema';
import { DEMO_ORGANISATION } from '../../backend/src/demo/letters';
import { statsResponseSchema, type StatsResponse } from '../../shared/src/contracts';
import { browserTest, chromiumAvailable, launchBrowser } from './browser';
import { eventually, startLive, type Live, withLiveBrowser } from './live';
import { letterFrom, receiveLetter } from './triage-letters';

let live: Live | null = null;

beforeAll(async () => {
  if (!chromiumAvailable()) return;
  live = await startLive({ pollIntervalMs: 60_000 });
}, 120_000);

afterAll(async () => {
  await live?.stop();
});

const stats = async (l: Live, qs: string): Promise<StatsResponse> => statsResponseSchema.parse((await l.api('GET', `/stats?${qs}`)).body);

/** Once every seeded letter settled (none still being routed or delivered), some delivered: the stats by channel. */
const settled = (l: Live): Promise<StatsResponse> =>
  eventually(async () => {
    // Every demo mailbox polled once (e-Boks and mit.dk start up to 10 s after Digital Post), so no
    // letter arrives between this read and the pane's.
    const unpolled = await l.app.database.db.select({ id: mailboxes.id }).from(mailboxes).where(and(isNull(mailboxes.lastFetchAt), isNull(mailboxes.removedAt)));
    if (unpolled.length > 0) return false;
    const s = await stats(l, 'granularity=day&by=channel');
    return s.totals.fetched > 0 && s.totals.inProgress === 0 && s.totals.delivered > 0 && s;
  }, 'the demo letters delivered', 60_000);

browserTest('statistics: KPIs match the API, charts render, the breakdown and language switch, CSV downloads', async () => {
  const l = live!;
  const api = await settled(l);
  expect(api.totals.automatic + api.totals.manual).toBe(api.totals.delivered);

  const b = await launchBrowser({ viewport: { width: 360, height: 1100 } });
  try {
    const { page } = b;
    // Start in English; the switch to Danish is part of the test.
    await page.addInitScript(() => { if (!sessionStorage.getItem('started')) { sessionStorage.setItem('started', '1'); localStorage.setItem('brevdue.language', 'en'); } });
    await page.goto(`${l.app.url}/taskpane.html#/stats`);
    await page.getByTestId('stats-kpis').waitFor({ timeout: 20_000 });

    expect(await page.getByTestId('kpi-fetched').textContent()).toBe(new Intl.NumberFormat('en-GB').format(api.totals.fetched));
    expect(await page.getByTestId('kpi-delivered').textContent()).toBe(new Intl.NumberFormat('en-GB').format(api.totals.delivered));
    expect(await page.getByTestId('kpi-rate').textContent()).toBe(`${Math.round(api.totals.automationRate! * 100)}%`);

    // The time chart draws bars in an SVG with an accessible name; the same numbers are in a table.
    const chart = page.locator('[data-testid=stats-over-time-chart] svg[aria-label]').first();
    await chart.waitFor({ timeout: 10_000 });
    expect(await chart.getAttribute('aria-label')).toMatch(/^Bar chart of letters fetched per day/);
    expect(await page.locator('[data-testid=stats-over-time-chart] svg rect').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=stats-series-table] tbody tr').count()).toBe(30);
    await page.locator('[data-testid=stats-breakdown-chart] svg').first().waitFor();
    expect(await page.getByTestId('stats-breakdown-table').getByTestId('stats-group-name').allTextContents())
      .toEqual(api.breakdown.map((r) => ({ ngdp: 'Digital Post', eboks: 'e-Boks', mitdk: 'mit.dk' } as Record<string, string>)[r.key!]));
    await b.screenshot('stats-en-360');

    // Breakdown by CVR number: the demo companies, as the API counts them.
    const byCvr = await stats(l, 'granularity=day&by=cvr');
    await page.getByTestId('stats-by').selectOption('cvr');
    await page.locator('[data-testid=stats-breakdown][data-by=cvr]').waitFor();
    const rows = await page.getByTestId('stats-breakdown-table').locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [tr.querySelector('[data-testid=stats-group-name]')?.textContent, tr.querySelector('td')?.textContent]));
    expect(rows).toEqual(byCvr.breakdown.map((r) => [`${r.label} (${r.key})`, String(r.fetched)]));
    expect(byCvr.breakdown.every((r) => DEMO_ORGANISATION.cvrs.some((c) => c.cvr === r.key))).toBe(true);

    // Danish: texts and the percent sign with a space.
    await page.getByTestId('language-switch').click();
    await page.waitForFunction(() => document.documentElement.lang === 'da');
    expect(await page.locator('#stats-title').textContent()).toBe('Statistik');
    expect(await page.getByTestId('stats-export').textContent()).toBe('Eksportér CSV');
    expect((await page.getByTestId('kpi-rate').textContent())?.replace(/\s/g, ' ')).toBe(`${Math.round(api.totals.automationRate! * 100)} %`);
    expect(await page.locator('[data-testid=stats-over-time-chart] svg[aria-label]').first().getAttribute('aria-label')).toMatch(/^Søjlediagram over hentede breve pr\. dag/);
    await b.screenshot('stats-da-360');

    // Export: the file the API made for this period and breakdown, with Danish column names.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('stats-export').click()]);
    expect(download.suggestedFilename()).toBe(`brevdue-statistik-${api.from}-${api.to}.csv`);
    const bytes = await readFile((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
    expect(lines[0]).toBe('Dag;CVR-nummer;Navn;Hentet;Leveret;Automatisk;Manuelt;Til sortering;Fejlet;Under behandling;Automatiseringsgrad (%)');
    const busiest = api.series.filter((s) => s.fetched > 0).map((s) => s.bucket);
    const first = byCvr.breakdown[0];
    expect(lines.slice(1).some((line) => busiest.some((day) => line.startsWith(`${day};${first.key};${first.label};`)))).toBe(true);
    expect(lines.slice(1).reduce((sum, line) => sum + Number(line.split(';')[3]), 0)).toBe(api.totals.fetched);
    expect(b.pageErrors).toEqual([]);
  } catch (e) {
    await b.screenshot('FAILED-stats').catch(() => {});
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n--- backend log (last lines) ---\n${l.log.slice(-15).join('\n')}`);
  } finally {
    await b.close();
  }
}, 180_000);

browserTest('statistics at 350 px: the breakdown\'s automation column is on screen; two senders of one name are told apart by id', async () => {
  await withLiveBrowser(live, 'stats-350', async (b, l) => {
    const { page } = b;
    await settled(l); // no demo letter arrives meanwhile
    // Two senders both called Skattestyrelsen (the tax agency's two CVR numbers).
    for (const id of ['73423023', '19552101']) await receiveLetter(l, letterFrom({ id, name: 'Skattestyrelsen' }, 'Moms: foreløbig fastsættelse'));
    const bySender = await eventually(async () => {
      const s = await stats(l, 'granularity=day&by=sender');
      return s.breakdown.filter((r) => r.label === 'Skattestyrelsen').length === 2 && s;
    }, 'both Skattestyrelsen senders counted');

    await page.goto(`${l.app.url}/taskpane.html#/stats`);
    await page.getByTestId('stats-kpis').waitFor({ timeout: 20_000 });
    await page.getByTestId('stats-by').selectOption('sender');
    await page.locator('[data-testid=stats-breakdown][data-by=sender]').waitFor();
    const table = page.getByTestId('stats-breakdown-table');
    await eventually(async () => (await table.getByTestId('stats-group-name').count()) === bySender.breakdown.length, 'the sender rows');
    const names = await table.getByTestId('stats-group-name').allTextContents();
    expect(names).toEqual(expect.arrayContaining(['Skattestyrelsen (73423023)', 'Skattestyrelsen (19552101)']));
    expect(new Set(names).size).toBe(names.length);
    // The chart draws one bar each, not one bar of both.
    expect(await page.locator('[data-testid=stats-breakdown-chart] svg').first().textContent()).toContain('Skattestyrelsen (');

    for (const by of ['sender', 'cvr', 'channel'] as const) {
      if (by !== 'sender') {
        await page.getByTestId('stats-by').selectOption(by);
        await page.locator(`[data-testid=stats-breakdown][data-by=${by}]`).waitFor();
      }
      const rate = table.getByTestId('stats-breakdown-rate');
      expect(await rate.textContent()).toBe('Automatisering');
      // No horizontal scroll: the table fits its region.
      const fits = await table.evaluate((t) => ({ scrollWidth: t.parentElement!.scrollWidth, clientWidth: t.parentElement!.clientWidth }));
      expect([by, fits.scrollWidth <= fits.clientWidth, fits]).toEqual([by, true, fits]);
      // The header and each row's rate: brought into view vertically only (nothing may scroll sideways
      // to show them), inside the 350 px viewport, and what the browser finds at their centre.
      for (const cell of [rate, ...await table.getByTestId('stats-group-rate').all()]) {
        const seen = await cell.evaluate((el) => {
          el.scrollIntoView({ block: 'center', inline: 'nearest' });
          const r = el.getBoundingClientRect();
          const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          let sideways = 0;
          for (let a: Element | null = el.parentElement; a; a = a.parentElement) sideways += a.scrollLeft;
          return { right: r.right, sideways, hit: hit !== null && (hit === el || el.contains(hit)) };
        });
        expect([by, seen]).toEqual([by, { right: expect.any(Number), sideways: 0, hit: true }]);
        expect(seen.right).toBeLessThanOrEqual(350);
      }
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(350);
    }
    await page.getByTestId('stats-by').selectOption('sender');
    await table.scrollIntoViewIfNeeded();
    await b.screenshot('stats-breakdown-350', { fullPage: false });
  }, { width: 350, height: 700 });
}, 180_000);

browserTest('statistics at 350 px: the over-time table fits without scrolling sideways; each period\'s other counts under it', async () => {
  await withLiveBrowser(live, 'stats-series-350', async (b, l) => {
    const { page } = b;
    const api = await settled(l);
    await page.goto(`${l.app.url}/taskpane.html#/stats`);
    await page.getByTestId('stats-kpis').waitFor({ timeout: 20_000 });
    await page.getByTestId('stats-toggle-table').click();
    const table = page.getByTestId('stats-series-table');
    await eventually(async () => (await table.locator('tbody tr').count()) === api.series.length, 'the period rows');

    expect(await table.locator('thead th').allTextContents()).toEqual(['Periode', 'Hentede breve', 'Automatisering']);
    // The counts that have no column of their own, under the period, as the API has them.
    const busiest = api.series.reduce((a, x) => (x.fetched > a.fetched ? x : a));
    const row = table.locator('tbody tr').nth(api.series.indexOf(busiest));
    expect(await row.getByTestId('stats-bucket-details').textContent())
      .toBe(`${busiest.delivered} leveret · ${busiest.automatic} automatisk · ${busiest.manual} manuelt`);

    // No horizontal scroll: the table fits its region, and the page the pane.
    const fits = await table.evaluate((t) => ({ scrollWidth: t.parentElement!.scrollWidth, clientWidth: t.parentElement!.clientWidth }));
    expect([fits.scrollWidth <= fits.clientWidth, fits]).toEqual([true, fits]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(350);
    // The rate's header and a row's rate: reached by scrolling down only, inside the pane, and what is there.
    for (const cell of [table.getByTestId('stats-series-rate'), row.getByTestId('stats-bucket-rate')]) {
      const seen = await cell.evaluate((el) => {
        el.scrollIntoView({ block: 'center', inline: 'nearest' });
        const r = el.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        let sideways = 0;
        for (let a: Element | null = el.parentElement; a; a = a.parentElement) sideways += a.scrollLeft;
        return { right: r.right, sideways, hit: hit !== null && (hit === el || el.contains(hit)) };
      });
      expect(seen).toEqual({ right: expect.any(Number), sideways: 0, hit: true });
      expect(seen.right).toBeLessThanOrEqual(350);
    }
    await row.scrollIntoViewIfNeeded();
    await b.screenshot('stats-series-350', { fullPage: false });
  }, { width: 350, height: 700 });
}, 180_000);
