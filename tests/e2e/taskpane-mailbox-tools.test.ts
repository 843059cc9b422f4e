// Admin › mailboxes, inside a mailbox's card, against the real backend in demo mode (simulators):
// "Renew credentials" — a mit.dk mailbox whose refresh tokens mit.dk no longer accepts gets new ones
// from the form (required fields checked, nothing stored shown), and its next poll succeeds with them;
// "Fetch earlier letters" — a Digital Post backfill started from the pane (dates checked, the API's
// refusal shown) whose progress the list follows until done. Operators see neither button to act.
import type { Page } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { DEMO_ORGANISATION } from '../../backend/src/demo/letters';
import { DEMO_MITDK_REFRESH_TOKENS } from '../../backend/src/simulators/mitdk';
import { pollDueNow } from '../../backend/src/ingest/quarantine-retry';
import { mailboxes } from '../../backend/src/store/schema';
import { mailboxViewSchema } from '../../shared/src/contracts';
import { browserTest, waitForCount } from './browser';
import { eventually, type Live, withLiveBrowser } from './live';
import { adminLiveForSuite, mailboxOf, openAdminTab, seriousViolations } from './admin-pane';

let live: Live | null = null;
adminLiveForSuite((l) => { live = l; });

const openMailboxes = (page: Page) => openAdminTab(page, live!, 'mailboxes');

const health = async (l: Live, id: string) => mailboxViewSchema.parse((await l.api('GET', `/admin/mailboxes/${id}`)).body).health;
const opened = (l: Live, sealed: Buffer | null) => JSON.parse(l.app.ctx.sealer.open(sealed!).toString('utf8')) as Record<string, unknown>;
const day = (offsetDays: number) => {
  const d = new Date(Date.now() + offsetDays * 86_400_000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

browserTest('admin › mailboxes: renewing a mit.dk mailbox\'s refresh tokens makes its polls succeed again', async () => {
  await withLiveBrowser(live, 'admin-renew-credentials', async (b, l) => {
    const { page } = b;
    const mitdkCompany = DEMO_ORGANISATION.cvrs[3];
    const mb = await mailboxOf(l, mitdkCompany.cvr, 'mitdk');
    // Tokens mit.dk no longer accepts (as after the refresh tokens expired): its poll fails.
    const stale = { dppRefreshToken: 'expired-dpp', ngdpRefreshToken: 'expired-ngdp' };
    await l.app.database.db.update(mailboxes).set({ secretEnc: l.app.ctx.sealer.seal(JSON.stringify(stale)) }).where(eq(mailboxes.id, mb.id));
    await pollDueNow(l.app.database.db, mb.id);
    await eventually(async () => (await health(l, mb.id)).consecutiveFailures > 0, 'the poll with stale tokens to fail');

    await openMailboxes(page);
    const box = page.locator(`[data-testid=mailbox][data-mailbox-id="${mb.id}"]`);
    await box.getByTestId('mailbox-last-error').waitFor();
    await box.getByTestId('mailbox-credentials-toggle').click();
    const form = box.getByTestId('credentials-form');
    await form.waitFor();
    // Nothing stored is shown: empty, masked fields.
    for (const key of ['dppRefreshToken', 'ngdpRefreshToken']) {
      const input = form.getByTestId(`credential-${key}`);
      expect(await input.inputValue()).toBe('');
      expect(await input.getAttribute('type')).toBe('password');
    }
    expect(await form.getByLabel('Fornyelsestoken (refresh token, dpp)').count()).toBe(1);
    // Required fields checked here, before anything is sent.
    await form.getByTestId('credential-dppRefreshToken').fill(DEMO_MITDK_REFRESH_TOKENS.dppRefreshToken);
    await form.getByTestId('credentials-save').click();
    await eventually(async () => (await form.textContent())?.includes('Udfyld feltet.'), 'the required field\'s message');
    expect(opened(l, (await mailboxOf(l, mitdkCompany.cvr, 'mitdk')).secretEnc)).toEqual(stale);
    await b.screenshot('admin-renew-credentials-360');

    const renewedAt = Date.now();
    await form.getByTestId('credential-ngdpRefreshToken').fill(DEMO_MITDK_REFRESH_TOKENS.ngdpRefreshToken);
    await form.getByTestId('credential-ngdpRefreshToken').press('Enter'); // the keyboard submits the form
    await form.getByTestId('credentials-saved').waitFor();
    // Saved, then tried by the poll it starts: said to work once that poll has fetched with them.
    expect(await form.getByTestId('credentials-saved-text').textContent())
      .toMatch(new RegExp(`^De nye adgangsoplysninger til mit\\.dk-postkassen for ${mitdkCompany.name} (er gemt\\. Postkassen hentes nu med dem|virker)`));
    await eventually(async () => (await form.getByTestId('credentials-saved').getAttribute('data-check')) === 'ok', 'the pane to say they work', 20_000);
    expect(await form.getByTestId('credential-dppRefreshToken').inputValue()).toBe('');
    expect(await form.getByTestId('credential-ngdpRefreshToken').inputValue()).toBe('');

    // Stored (sealed) and used: the next poll signs in with them and succeeds (mit.dk then rotates them).
    const h = await eventually(async () => {
      const x = await health(l, mb.id);
      return x.consecutiveFailures === 0 && x.lastFetchAt && Date.parse(x.lastFetchAt) >= renewedAt - 1000 ? x : null;
    }, 'the poll with the new tokens to succeed');
    expect(h.state).toBe('ok');
    expect(opened(l, (await mailboxOf(l, mitdkCompany.cvr, 'mitdk')).secretEnc)).not.toEqual(stale);
    // The API never returns them.
    expect(JSON.stringify((await l.api('GET', `/admin/mailboxes/${mb.id}`)).body)).not.toContain('refresh');

    // In English, the Digital Post form with its certificate choice.
    await page.getByTestId('language-switch').click();
    const ngdp = page.locator('[data-testid=mailbox][data-provider=ngdp]').first();
    await ngdp.getByTestId('mailbox-credentials-toggle').click();
    const ngdpForm = ngdp.getByTestId('credentials-form');
    await ngdpForm.getByLabel('PEM text (certificate and private key)').check();
    await ngdpForm.getByTestId('credentials-save').click();
    await eventually(async () => (await ngdpForm.textContent())?.includes('Paste the certificate as PEM text'), 'the PEM message');
    expect(await ngdpForm.textContent()).toContain('Fill this in.');
    expect(await seriousViolations(page)).toEqual([]);
  });
});

browserTest('admin › mailboxes: "fetch earlier letters" starts a Digital Post backfill and follows it until done', async () => {
  await withLiveBrowser(live, 'admin-backfill', async (b, l) => {
    const { page } = b;
    const company = DEMO_ORGANISATION.cvrs[0];
    const mb = await mailboxOf(l, company.cvr, 'ngdp');
    await openMailboxes(page);
    const box = page.locator(`[data-testid=mailbox][data-mailbox-id="${mb.id}"]`);
    await box.getByTestId('mailbox-backfill-toggle').click();
    const section = box.getByTestId('backfill');
    await section.getByTestId('backfill-empty').waitFor();
    // Defaults: the last 30 days.
    expect(await section.getByTestId('backfill-from').inputValue()).toBe(day(-30));
    expect(await section.getByTestId('backfill-to').inputValue()).toBe(day(0));
    expect(await section.getByLabel('Fra').count()).toBe(1);

    // Checked here: the future, and to before from.
    await section.getByTestId('backfill-from').fill(day(2));
    await section.getByTestId('backfill-start').click();
    await eventually(async () => (await section.textContent())?.includes('Dagen må ikke ligge i fremtiden.'), 'the future message');
    await section.getByTestId('backfill-from').fill(day(-3));
    await section.getByTestId('backfill-to').fill(day(-5));
    await section.getByTestId('backfill-start').click();
    await eventually(async () => (await section.textContent())?.includes('Den sidste dag skal være samme dag som eller efter den første.'), 'the order message');
    await section.getByTestId('backfill-from').fill(day(-30));
    await section.getByTestId('backfill-to').fill(day(0));

    await section.getByTestId('backfill-start').click();
    await section.getByTestId('backfill-started').waitFor();
    const items = section.getByTestId('backfill-item');
    await waitForCount(items, 1);
    expect(await items.first().getAttribute('data-status')).toBe('RUNNING');
    // Digital Post takes one at a time: "Fetch letters" waits while this one runs, and says why.
    expect(await section.getByTestId('backfill-start').isDisabled()).toBe(true);
    expect(await section.getByTestId('backfill-running').textContent()).toBe('Der kan først hentes flere breve, når den igangværende hentning er færdig.');
    await b.screenshot('admin-backfill-running-360');

    // The list follows it by itself until done.
    await eventually(async () => (await items.first().getAttribute('data-status')) === 'FINISHED', 'the backfill to finish in the list', 20_000);
    expect(await items.first().getAttribute('data-progress')).toBe('1');
    expect(await items.first().getByTestId('backfill-status').textContent()).toMatch(/^Færdig · \d+ af \d+ hentet, 0 fejlet$/);
    const api = (await l.api<{ items: { status: string }[] }>('GET', `/admin/mailboxes/${mb.id}/backfill`)).body.items;
    expect(api.map((x) => x.status)).toEqual(['FINISHED']);
    await b.screenshot('admin-backfill-done-360');
    expect(await seriousViolations(page)).toEqual([]);

    // Closing the section stops asking: no more requests for the list.
    let asked = 0;
    page.on('request', (r) => { if (r.url().includes('/backfill')) asked += 1; });
    await box.getByTestId('mailbox-backfill-toggle').click();
    await page.waitForTimeout(4_000);
    expect(asked).toBe(0);
  });
});

browserTest('admin › mailboxes as an operator: backfill progress without "start", and no "renew credentials"', async () => {
  await withLiveBrowser(live, 'admin-mailbox-tools-operator', async (b) => {
    const { page } = b;
    await page.setExtraHTTPHeaders({ 'X-Brevdue-Demo-Role': 'operator' });
    await openMailboxes(page);
    await page.getByTestId('mailbox').first().waitFor();
    expect(await page.getByTestId('mailbox-credentials-toggle').count()).toBe(0);
    const box = page.locator('[data-testid=mailbox][data-provider=ngdp]').first();
    await box.getByTestId('mailbox-backfill-toggle').click();
    const section = box.getByTestId('backfill');
    await section.getByTestId('backfill-admin-only').waitFor();
    expect(await section.getByTestId('backfill-admin-only').textContent()).toBe('Kun administratorer kan hente tidligere breve.');
    expect(await section.getByTestId('backfill-start').count()).toBe(0);
    expect(await section.getByTestId('backfill-form').count()).toBe(0);
    // The list itself is there (the first company's backfill from the admin test, or none).
    await section.locator('[data-testid=backfill-item], [data-testid=backfill-empty]').first().waitFor();
  });
});
