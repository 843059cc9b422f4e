// Settings › Retention, shortened, end to end in the pane (demo backend, 360 px): while a value is
// lower than the saved one the pane shows what the next purge would then delete (letters, letters in
// quarantine, the oldest date, what legal hold keeps), in Danish and English; saving asks to confirm
// those numbers in a dialog and sends nothing before; cancelling saves nothing; a count that grew
// meanwhile is refused by the server and shown again to confirm; confirmed, the setting is saved and
// nothing is deleted yet (the daily purge does that).
import { and, eq, isNull } from 'drizzle-orm';
import { demoMemo } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { storeLetter } from '../../backend/src/store/letters';
import { messages, quarantine } from '../../backend/src/store/schema';
import { appendAudit } from '../../backend/src/audit/chain';
import { QUARANTINE_RETRY_ACTION } from '../../backend/src/retention/purge';
import { retentionSettingsSchema } from '../../shared/src/contracts';
import { browserTest, chromiumAvailable } from './browser';
import { eventually, startLive, type Live, withLiveBrowser } from './live';
import { mailboxOf, openAdminTab, seriousViolations } from './admin-pane';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);
/** As the pane writes a date (format.ts formatDate) in Copenhagen. */
const dateIn = (locale: string, d: Date) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'Europe/Copenhagen' }).format(d);

// Without the job runner: the daily purge must not run in the middle of the test and change the counts.
let live: Live | null = null;
beforeAll(async () => {
  if (!chromiumAvailable()) return;
  live = await startLive({ seed: false, runJobs: false });
}, 120_000);
afterAll(async () => { await live?.stop(); });

async function oldLetter(l: Live, daysAgo: number): Promise<string> {
  const memo = demoMemo({ label: `Lægeerklæring ${daysAgo}` });
  const mb = await mailboxOf(l, memo.recipient.id, 'ngdp');
  const { messageId } = await storeLetter(l.app.database.db, l.app.ctx.sealer, mb, memo, Buffer.from(buildMemoXml(memo)));
  await l.app.database.db.update(messages).set({ receivedAt: ago(daysAgo), status: 'delivered' }).where(eq(messages.id, messageId));
  return messageId;
}

browserTest('Settings › Retention: a shorter period shows what the next purge deletes and is saved only once confirmed', async () => {
  await withLiveBrowser(live, 'settings-retention-confirm', async (b, l) => {
    const { page } = b;
    const db = l.app.database.db;
    const orgId = l.app.demoOrgId!;
    const settingsNow = async () => retentionSettingsSchema.parse((await l.api('GET', '/admin/retention-settings')).body);
    expect(await settingsNow()).toEqual({ retentionDays: 90, quarantineKeepDays: 90 });
    // Between the saved 90 days and the new 30: two letters, one on legal hold, and a quarantined
    // letter an admin tried again (it goes at the retention period), the oldest.
    await oldLetter(l, 60);
    await oldLetter(l, 50);
    const held = await oldLetter(l, 60);
    expect((await l.api('PUT', `/messages/${held}/legal-hold`)).status).toBe(200);
    const mb = await mailboxOf(l, demoMemo().recipient.id, 'ngdp');
    const [tried] = await db.insert(quarantine).values({
      orgId, mailboxId: mb.id, providerMessageId: 'tried-again', reason: 'MessageBody: not a MeMo', rawEnc: l.app.ctx.sealer.seal('not a MeMo'), receivedAt: ago(70),
    }).returning();
    await appendAudit(db, { orgId, actor: 'test', action: QUARANTINE_RETRY_ACTION, targetType: 'quarantine', targetId: tried.id, details: {} });
    const unpurged = async () => (await db.select({ id: messages.id }).from(messages).where(and(eq(messages.orgId, orgId), isNull(messages.purgedAt)))).length;
    const lettersBefore = await unpurged();

    let puts = 0;
    page.on('request', (r) => { if (r.method() === 'PUT' && r.url().endsWith('/admin/retention-settings')) puts++; });
    await openAdminTab(page, l, 'settings');
    const retention = page.getByTestId('retention');
    const preview = retention.getByTestId('retention-preview');
    await retention.getByTestId('retention-means').waitFor();
    // The saved values: nothing to show.
    expect(await preview.count()).toBe(0);

    // Lowered: what would go, counted by the server.
    await retention.getByTestId('retention-input').fill('30');
    const da = `2 breve og 1 brev i karantæne slettes ved næste oprydning, det ældste fra ${dateIn('da-DK', tried.receivedAt)}. 1 brev med retslig tilbageholdelse bevares.`;
    await eventually(async () => (await preview.textContent()) === da, 'the preview in Danish');
    expect(await preview.getAttribute('data-deletes')).toBe('3');

    // Saving asks first, with the same numbers; nothing is sent before.
    await retention.getByTestId('retention-save').click();
    const dialog = page.getByTestId('retention-confirm');
    await dialog.waitFor();
    expect(await dialog.getByRole('heading').textContent()).toBe('Slet breve ved næste oprydning?');
    expect(await dialog.getByTestId('retention-confirm-text').textContent()).toBe(da);
    expect(await dialog.textContent()).toContain('Det kan ikke fortrydes.');
    expect(puts).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await b.screenshot('settings-retention-confirm-360', { fullPage: false });

    // Cancelled: nothing saved.
    await dialog.getByRole('button', { name: 'Annuller' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(puts).toBe(0);
    expect(await settingsNow()).toEqual({ retentionDays: 90, quarantineKeepDays: 90 });

    // Asked again; meanwhile another letter passes the new limit: the server refuses the old count,
    // the dialog shows the new one and why it asks again.
    await retention.getByTestId('retention-save').click();
    await dialog.waitFor();
    await oldLetter(l, 40);
    await dialog.getByTestId('retention-confirm-confirm').click();
    await dialog.getByTestId('form-error-text').waitFor();
    expect(await dialog.getByTestId('form-error-text').textContent())
      .toBe('Med de nye værdier slettes nu 4 breve ved næste oprydning (breve i karantæne medregnet). Intet blev gemt; se tallet, og bekræft igen.');
    expect(await dialog.getByTestId('retention-confirm-text').textContent()).toMatch(/^3 breve og 1 brev i karantæne slettes ved næste oprydning/);
    expect(puts).toBe(1);
    expect(await settingsNow()).toEqual({ retentionDays: 90, quarantineKeepDays: 90 });

    // Confirmed: saved; the letters are still there until the daily purge.
    await dialog.getByTestId('retention-confirm-confirm').click();
    await dialog.waitFor({ state: 'detached' });
    await eventually(async () => (await retention.getByTestId('admin-result-text').textContent().catch(() => null))
      === 'Gemt: brevenes indhold slettes 30 dage efter modtagelsen; breve i karantæne, som ingen har prøvet igen, 90 dage senere.', 'the saved retention');
    expect(await settingsNow()).toEqual({ retentionDays: 30, quarantineKeepDays: 90 });
    expect(await unpurged()).toBe(lettersBefore + 1);
    expect(await db.select().from(quarantine).where(eq(quarantine.id, tried.id))).toHaveLength(1);
    // The saved value is no longer lower than itself.
    expect(await preview.count()).toBe(0);

    // In English, the quarantine period lowered.
    await page.getByTestId('language-switch').click();
    await eventually(async () => (await retention.getByRole('heading').textContent()) === 'Retention', 'the English heading');
    await retention.getByTestId('quarantine-keep-input').fill('7');
    await eventually(async () => (await preview.textContent())
      === `3 letters and 1 letter in quarantine will be deleted at the next clean-up, the oldest from ${dateIn('en-GB', tried.receivedAt)}. 1 letter on legal hold is kept.`, 'the preview in English');
    // Raised again: nothing to show.
    await retention.getByTestId('quarantine-keep-input').fill('120');
    await eventually(async () => (await preview.count()) === 0, 'no preview for a longer period');
    await page.getByTestId('language-switch').click();
  });
});

browserTest('Settings › Retention: a period the server refuses is said at its field, in Danish', async () => {
  await withLiveBrowser(live, 'settings-retention-server-fields', async (b, l) => {
    const { page } = b;
    const settingsNow = async () => retentionSettingsSchema.parse((await l.api('GET', '/admin/retention-settings')).body);
    const before = await settingsNow();
    await openAdminTab(page, l, 'settings');
    const retention = page.getByTestId('retention');
    await retention.getByTestId('retention-means').waitFor();
    const days = retention.getByTestId('retention-input');
    const keep = retention.getByTestId('quarantine-keep-input');

    // A server stricter than the pane (whose own check passes a longer period, so the request is
    // changed on its way): each period's problem at its field in the form's words; no English, no bar.
    await page.route('**/api/admin/retention-settings', async (route) => {
      const r = route.request();
      if (r.method() !== 'PUT') return route.continue();
      await route.continue({ postData: JSON.stringify({ ...r.postDataJSON(), retentionDays: 5, quarantineKeepDays: 7.5 }) });
    });
    await days.fill(String(before.retentionDays + 30));
    await retention.getByTestId('retention-save').click();
    await eventually(async () => (await keep.getAttribute('aria-invalid')) === 'true', 'the quarantine period marked by the server');
    expect(await days.getAttribute('aria-invalid')).toBe('true');
    expect(await retention.getByText('Skriv et helt antal dage fra 7 til 3.650.', { exact: true }).count()).toBe(1);
    expect(await retention.getByText('Skriv et helt antal dage fra 7 til 3.650 for breve i karantæne.', { exact: true }).count()).toBe(1);
    expect(await retention.getByTestId('form-error').count()).toBe(0);
    expect(await retention.textContent()).not.toMatch(/retentionDays|quarantineKeepDays|at least|number of days/);
    expect(await settingsNow()).toEqual(before);
    await b.screenshot('settings-retention-server-fields-360');
    await page.unroute('**/api/admin/retention-settings');

    // Changing a field takes its mark away.
    await keep.fill('100');
    await eventually(async () => (await keep.getAttribute('aria-invalid')) !== 'true', 'the quarantine period\'s mark to go');
    expect(await days.getAttribute('aria-invalid')).toBe('true');
  });
});
