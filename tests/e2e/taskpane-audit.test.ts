// Admin › Audit log in the pane: a setting change made through the API shows up with who did it,
// the filter narrows by action prefix, the CSV export carries the chain's hashes; a reader never sees it.
import { readFileSync } from 'node:fs';
import { browserTest, chromiumAvailable, launchBrowser, waitForCount } from './browser';
import { eventually, startLive, type Live } from './live';

let live: Live | null = null;
beforeAll(async () => {
  if (!chromiumAvailable()) return;
  live = await startLive();
  expect((await live.api('PUT', '/admin/retention-settings', { retentionDays: 60 })).status).toBe(200);
  expect((await live.api('POST', '/admin/cvrs', { cvr: '35954716', name: 'Revisionstest ApS' })).status).toBe(201);
  // Entries are written as each response finishes.
  await eventually(async () => ((await live!.api<{ items: unknown[] }>('GET', '/admin/audit')).body.items.length >= 2), 'two audit entries');
}, 60_000);
afterAll(async () => { await live?.stop(); });

browserTest('the audit log lists, filters and exports what admins did', async () => {
  const b = await launchBrowser({ viewport: { width: 400, height: 800 } });
  try {
    const { page } = b;
    await page.goto(`${live!.app.url}/taskpane.html#/admin/audit`);
    await page.getByTestId('audit-list').waitFor();
    const retention = page.locator('[data-testid=audit-entry][data-action="settings.retention.update"]');
    await waitForCount(retention, 1);
    expect(await retention.innerText()).toMatch(/Demo-bruger/);
    await b.screenshot('audit-list');

    // Filter by a prefix: only the settings changes stay.
    await page.getByTestId('audit-action').fill('settings.');
    await page.getByRole('button', { name: /^Vis$/ }).click();
    await waitForCount(page.locator('[data-testid=audit-entry]:not([data-action^="settings."])'), 0);
    await waitForCount(retention, 1);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-export').click()]);
    expect(download.suggestedFilename()).toBe('brevdue-audit.csv');
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('\ufeffseq,at,actor,actor_ip,action,target_type,target_id,details,prev_hash,hash');
    expect(csv).toMatch(/settings\.retention\.update/);
    expect(csv).not.toMatch(/cvr\.add|cvr\.create/); // the filter applies to the export too
    expect(b.pageErrors).toEqual([]);
  } finally {
    await b.close();
  }
});

browserTest('an admin sets and lifts a legal hold on a letter; both are audited', async () => {
  const l = live!;
  const id = await eventually(async () => (await l.api<{ items: { id: string; status: string }[] }>('GET', '/messages?limit=5')).body.items.find((i) => i.status === 'delivered')?.id, 'a delivered letter', 60_000);
  const b = await launchBrowser({ viewport: { width: 400, height: 900 } });
  try {
    const { page } = b;
    await page.goto(`${l.app.url}/taskpane.html#/message/${id}`);
    const hold = page.getByRole('switch', { name: /Retslig tilbageholdelse/ });
    await hold.waitFor();
    await hold.check();
    await eventually(async () => (await l.api<{ legalHold?: boolean }>('GET', `/messages/${id}`)).body.legalHold === true, 'the hold set');
    await b.screenshot('legal-hold-on');
    await hold.uncheck();
    await eventually(async () => (await l.api<{ legalHold?: boolean }>('GET', `/messages/${id}`)).body.legalHold === false, 'the hold lifted');
    const actions = await eventually(async () => {
      const a = (await l.api<{ items: { action: string; targetId: string | null }[] }>('GET', '/admin/audit?action=letter.legal_hold.')).body.items;
      return a.length >= 2 && a;
    }, 'both audited');
    expect(actions.every((a) => a.targetId === id)).toBe(true);
  } finally {
    await b.close();
  }
});

browserTest('a reader gets no audit log', async () => {
  const b = await launchBrowser({ viewport: { width: 400, height: 800 } });
  try {
    const { page } = b;
    // The role is in place before any of the pane's scripts run: one load, straight to the audit page.
    await page.addInitScript(() => sessionStorage.setItem('brevdue.demoRole', 'reader'));
    await page.goto(`${live!.app.url}/taskpane.html#/admin/audit`);
    await page.getByTestId('admin-only').waitFor();
    expect(await page.getByTestId('audit-list').count()).toBe(0);
    const r = await page.evaluate(async () => (await fetch('api/admin/audit', { headers: { 'X-Brevdue-Demo-Role': 'reader' } })).status);
    expect(r).toBe(403);
  } finally {
    await b.close();
  }
});
