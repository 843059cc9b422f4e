// Admin › Mailboxes tells whether saved credentials work: after "Renew credentials" or "Attach a
// mailbox" the pane follows the mailbox until the poll they started has a result, says it is being
// tried, then that they work or that they do not (with the mailbox's error: its kind's Danish headline
// and what to do, then the provider's sentence; the badge in its error state). A refused renewal is
// said at its fields in Danish; "Fetch letters" waits while a backfill runs; a nonsense e-Boks device
// id and a pasted CVR number with too many digits are refused, never cut.
import type { Page } from 'playwright-core';
import { DEMO_ORGANISATION } from '../../backend/src/demo/letters';
import { DEMO_EBOKS_DEVICE_ID, DEMO_EBOKS_SECRET } from '../../backend/src/simulators/eboks';
import { browserTest } from './browser';
import { eventually, type Live, withLiveBrowser } from './live';
import { adminLiveForSuite, mailboxOf, openAdminTab } from './admin-pane';

let live: Live | null = null;
adminLiveForSuite((l) => { live = l; });

const openMailboxes = (page: Page) => openAdminTab(page, live!, 'mailboxes');
const ERROR_STATES = ['backing_off', 'failing'];

browserTest('admin › mailboxes: a wrong e-Boks password saved by "renew credentials" is said to fail, with the error', async () => {
  await withLiveBrowser(live, 'admin-renew-feedback', async (b, l) => {
    const { page } = b;
    const company = DEMO_ORGANISATION.cvrs[2];
    const mb = await mailboxOf(l, company.cvr, 'eboks');
    await openMailboxes(page);
    const box = page.locator(`[data-testid=mailbox][data-mailbox-id="${mb.id}"]`);
    await box.getByTestId('mailbox-credentials-toggle').click();
    const form = box.getByTestId('credentials-form');
    await form.getByTestId('credential-password').fill('forkert');
    await form.getByTestId('credential-activationCode').fill('forkert');
    await form.getByTestId('credentials-save').click();
    const bar = form.getByTestId('credentials-saved');
    // First: being tried, not "it works".
    await bar.waitFor();
    expect(await bar.getAttribute('data-check')).toBe('checking');
    expect(await box.getByTestId('mailbox-state').textContent()).toBe('Prøves…');
    // Then: refused, said clearly, with the mailbox's error; the badge in its error state.
    await eventually(async () => (await bar.getAttribute('data-check')) === 'failed', 'the check to fail', 20_000);
    expect(await bar.getByTestId('credentials-saved-text').textContent()).toContain('men de virker ikke');
    expect((await bar.getByTestId('credentials-saved-error').textContent())?.length).toBeGreaterThan(8);
    // What it is and what to do, in Danish; e-Boks' own English sentence below as the technical detail.
    expect(await bar.getByTestId('credentials-saved-error-headline').textContent()).toBe('Adgangsoplysningerne til e-Boks virker ikke');
    expect(await bar.getByTestId('credentials-saved-error-detail').textContent()).toMatch(/^Teknisk detalje: e-Boks refused the logon/);
    expect(ERROR_STATES).toContain(await box.getByTestId('mailbox-state').getAttribute('data-state'));
    await box.getByTestId('mailbox-last-error').waitFor();
    expect(await box.getByTestId('mailbox-last-error').getAttribute('data-kind')).toBe('credentials_refused');
    expect(await box.getByTestId('mailbox-last-error-headline').textContent()).toMatch(/^Seneste fejl .+: Adgangsoplysningerne til e-Boks virker ikke$/);
    expect(await box.getByTestId('mailbox-last-error-action').textContent()).toContain('»Forny adgangsoplysninger«');
    expect(await box.getByTestId('mailbox-last-error-detail').textContent()).toMatch(/^Teknisk detalje: e-Boks refused the logon/);
    await b.screenshot('admin-renew-wrong-password-360');

    // The right ones: said to work.
    await form.getByTestId('credential-password').fill(DEMO_EBOKS_SECRET.password);
    await form.getByTestId('credential-activationCode').fill(DEMO_EBOKS_SECRET.activationCode);
    await form.getByTestId('credentials-save').click();
    await eventually(async () => (await bar.getAttribute('data-check')) === 'ok', 'the check to succeed', 20_000);
    expect(await bar.getByTestId('credentials-saved-text').textContent()).toContain('virker: postkassen blev hentet');
    expect(await box.getByTestId('mailbox-state').getAttribute('data-state')).toBe('ok');
  });
});

browserTest('admin › mailboxes: attaching e-Boks checks the device id, and a wrong password is said to fail', async () => {
  await withLiveBrowser(live, 'admin-attach-feedback', async (b, l) => {
    const { page } = b;
    const holding = DEMO_ORGANISATION.cvrs[0];
    const elsewhere = await mailboxOf(l, DEMO_ORGANISATION.cvrs[2].cvr, 'eboks');
    await openMailboxes(page);
    const card = page.locator(`[data-testid=cvr][data-cvr="${holding.cvr}"]`);
    await card.getByTestId('mailbox').first().waitFor();
    await card.getByTestId('mailbox-attach-toggle').click();
    const form = card.getByTestId('attach-form');
    await form.getByLabel('e-Boks', { exact: true }).check();
    await form.getByTestId('attach-baseUrl').fill(elsewhere.config.baseUrl as string);
    await form.getByTestId('attach-deviceId').fill('x'.repeat(3000));
    await form.getByTestId('credential-identity').fill(holding.cvr);
    await form.getByTestId('credential-password').fill('forkert');
    await form.getByTestId('credential-activationCode').fill('forkert');
    await form.getByTestId('attach-submit').click();
    await eventually(async () => (await form.getByTestId('attach-deviceId').getAttribute('aria-invalid')) === 'true', 'the device id refused');
    expect(await form.textContent()).toContain('højst 64 bogstaver');
    expect((await mailboxOf(l, holding.cvr, 'eboks'))).toBeUndefined();

    await form.getByTestId('attach-deviceId').fill(DEMO_EBOKS_DEVICE_ID);
    await form.getByTestId('attach-submit').click();
    const bar = card.getByTestId('mailbox-attached-check');
    await bar.waitFor();
    expect(await bar.getAttribute('data-check')).toBe('checking');
    await eventually(async () => (await bar.getAttribute('data-check')) === 'failed', 'the check to fail', 20_000);
    expect(await bar.textContent()).toContain('men den kan ikke hentes');
    const box = card.locator('[data-testid=mailbox][data-provider=eboks]');
    expect(ERROR_STATES).toContain(await box.getByTestId('mailbox-state').getAttribute('data-state'));
    await box.getByTestId('mailbox-last-error').waitFor();
  });
});

browserTest('admin › mailboxes: a refused certificate is said at its field in Danish, without OpenSSL\'s words', async () => {
  await withLiveBrowser(live, 'admin-renew-refused', async (b) => {
    const { page } = b;
    await openMailboxes(page);
    const ngdp = page.locator('[data-testid=mailbox][data-provider=ngdp]').first();
    await ngdp.getByTestId('mailbox-credentials-toggle').click();
    const form = ngdp.getByTestId('credentials-form');
    await form.getByTestId('credential-systemPassword').fill('x');
    await form.getByLabel('PEM-tekst (certifikat og privat nøgle)').check();
    await form.getByTestId('credential-certificate').fill('-----BEGIN CERTIFICATE-----\nnonsense\n-----END CERTIFICATE-----');
    await form.getByTestId('credential-privateKey').fill('-----BEGIN PRIVATE KEY-----\nnonsense\n-----END PRIVATE KEY-----');
    await form.getByTestId('credentials-save').click();
    await form.getByTestId('error').waitFor();
    expect(await form.getByTestId('error-message').textContent()).toContain('Ret de markerede felter.');
    expect(await form.getByTestId('credential-certificate').getAttribute('aria-invalid')).toBe('true');
    expect(await form.textContent()).toContain('Certifikatet kan ikke læses som et X.509-certifikat.');
    expect(await form.textContent()).not.toMatch(/error:|routines|asn1/);
  });
});

browserTest('admin › mailboxes: "fetch letters" waits while a backfill runs; a CVR number with 9 digits is refused, not cut', async () => {
  await withLiveBrowser(live, 'admin-backfill-running', async (b, l) => {
    const { page } = b;
    await openMailboxes(page);
    const mb = await mailboxOf(l, DEMO_ORGANISATION.cvrs[1].cvr, 'ngdp');
    const box = page.locator(`[data-testid=mailbox][data-mailbox-id="${mb.id}"]`);
    await box.getByTestId('mailbox-backfill-toggle').click();
    const section = box.getByTestId('backfill');
    await section.locator('[data-testid=backfill-item], [data-testid=backfill-empty]').first().waitFor();
    await section.getByTestId('backfill-start').click();
    await section.getByTestId('backfill-started').waitFor();
    await eventually(async () => (await section.getByTestId('backfill-start').isDisabled()), 'the start button disabled while it runs');
    expect(await section.getByTestId('backfill-running').textContent()).toContain('når den igangværende hentning er færdig');
    // Done: it may start again.
    await eventually(async () => !(await section.getByTestId('backfill-start').isDisabled()), 'the button back when done', 30_000);

    const f = page.getByTestId('cvr-add-form');
    const input = f.getByTestId('cvr-input');
    await input.fill('12 34 56 74 9');
    await f.getByTestId('cvr-name-input').fill('Forkert');
    await f.getByTestId('cvr-add').click();
    await eventually(async () => (await input.getAttribute('aria-invalid')) === 'true', 'the number refused');
    expect(await input.inputValue()).toBe('12 34 56 74 9');
    expect(await page.locator('[data-testid=cvr][data-cvr="12345674"]').count()).toBe(0);
    // Spaces alone are fine.
    await input.fill('12 34 56 74');
    await f.getByTestId('cvr-add').click();
    await page.locator('[data-testid=cvr][data-cvr="12345674"]').waitFor();
  });
});
