// Admin › Modtagere › "Tilføj modtager" refused by the server, in Danish at 350 × 700 (demo backend,
// Graph simulator): an address that is not one is marked at the mailbox field with a Danish sentence
// and that field gets the focus (not "mailbox: the mailbox must be …" in the bar); a mailbox Exchange
// does not know is said in Danish at the same field, with no English sentence as the message; a
// webhook URL Brevdue may not post to is said at the webhook field, Graph's English only as the small
// technical detail. Changing the field takes its mark away. The form's own problems come as any zod
// refusal's (field_* per field, backend api/zod-problems.ts), placed as on every admin form: a Teams
// channel with a team id too long and a webhook address that is not one marks both fields at once.
import type { Locator, Page } from 'playwright-core';
import { DEMO_TEAM } from '../../backend/src/demo/delivery-seed';
import { browserTest } from './browser';
import { eventually, type Live, withLiveBrowser } from './live';
import { adminLiveForSuite, openAdminTab, seriousViolations } from './admin-pane';

let live: Live | null = null;
adminLiveForSuite((l) => { live = l; });

const PANE = { width: 350, height: 700 };

/** The message the input is described by (Fluent's Field links its validation message with aria-describedby). */
async function fieldMessage(input: Locator): Promise<string> {
  await eventually(async () => (await input.getAttribute('aria-invalid')) === 'true', 'the field to be marked invalid');
  const ids = (await input.getAttribute('aria-describedby'))?.split(' ') ?? [];
  const texts = await Promise.all(ids.map((id) => input.page().locator(`[id="${id}"]`).textContent()));
  return texts.join(' ');
}

const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName ?? null);
/** Nothing may be wider than the pane. */
const overflowsSideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

browserTest('admin › recipients: a refused save is said in Danish at its field, which gets the focus', async () => {
  await withLiveBrowser(live, 'recipient-refusals', async (b, l) => {
    const { page } = b;
    const posts: number[] = [];
    // The problems' codes of each 400, as the pane got them.
    const codes: string[][] = [];
    page.on('response', (r) => {
      if (r.request().method() !== 'POST' || !r.url().endsWith('/api/admin/destinations')) return;
      posts.push(r.status());
      if (r.status() === 400) void r.json().then((body: { error: { problems?: { code: string }[] } }) => codes.push((body.error.problems ?? []).map((p) => p.code)));
    });
    await openAdminTab(page, l, 'recipients');
    await page.getByTestId('recipient-add').click();
    const dialog = page.getByTestId('recipient-dialog');
    await dialog.waitFor();
    const mailbox = dialog.getByTestId('recipient-mailbox-input');

    // Not an address: the server's per-field problem, at the field, in Danish; the focus there.
    await dialog.getByTestId('recipient-name-input').fill('Løn – fælles postkasse');
    await mailbox.fill('ikke en adresse');
    await dialog.getByTestId('recipient-folder-input').fill('Digital Post/Løn');
    await dialog.getByTestId('recipient-save').click();
    expect(await fieldMessage(mailbox)).toBe('Skriv en e-mailadresse, fx post@firma.dk.');
    expect(posts).toEqual([400]); // the server said it, not a check in the pane
    await eventually(async () => codes.length === 1, 'the answer read');
    expect(codes).toEqual([['field_not_email']]);
    await eventually(async () => (await focused(page)) === 'recipient-mailbox-input', 'the mailbox field to have the focus');
    expect(await dialog.getByTestId('form-error-text').textContent()).toBe('Ret det markerede felt.');
    expect(await dialog.getByTestId('recipient-name-input').getAttribute('aria-invalid')).not.toBe('true');
    expect(await dialog.textContent()).not.toMatch(/mailbox:|e-mail address|must be/);
    await b.screenshot('recipient-refused-address-350', { fullPage: false });

    // Changing the field takes the server's mark away.
    await mailbox.fill('ukendt@nordlys.example');
    await eventually(async () => (await mailbox.getAttribute('aria-invalid')) !== 'true', 'the mark to go');

    // A mailbox Exchange does not know: a Danish sentence saying what to do, at the field; no English as the message.
    await dialog.getByTestId('recipient-save').click();
    await eventually(async () => posts.length === 2, 'the second save');
    expect(posts[1]).toBe(422);
    expect(await fieldMessage(mailbox)).toBe('Exchange kender ikke postkassen ukendt@nordlys.example, eller Brevdues app må ikke bruge den. '
      + 'Tjek adressen for stavefejl; findes postkassen, skal IT give Brevdues app adgang til den (appens Exchange RBAC-omfang).');
    await eventually(async () => (await focused(page)) === 'recipient-mailbox-input', 'the mailbox field to have the focus');
    expect(await dialog.getByTestId('form-error-text').textContent()).toBe('Ret det markerede felt.');
    expect(await dialog.textContent()).not.toMatch(/Microsoft Graph does not know|The destination was not saved|docs\/DEPLOYMENT/);
    expect(await overflowsSideways(page)).toBe(false);
    expect(await seriousViolations(page)).toEqual([]);
    await b.screenshot('recipient-refused-unknown-mailbox-350', { fullPage: false });

    // A Teams channel: a team id too long and a webhook address that is not one, both marked at once in Danish.
    await dialog.getByTestId('recipient-kind-teams_channel').click();
    const team = dialog.getByTestId('recipient-team-input');
    await team.fill('x'.repeat(201));
    await dialog.getByTestId('recipient-channel-input').fill(DEMO_TEAM.channelId);
    const hook = dialog.getByTestId('recipient-webhook-input');
    await hook.fill('ikke en adresse');
    await dialog.getByTestId('recipient-save').click();
    expect(await fieldMessage(team)).toBe('Højst 200 tegn.');
    expect(await fieldMessage(hook)).toMatch(/^Indsæt hele webhook-adressen; den begynder med https:\/\/\. Kan kun skrives/); // then the field's hint
    await eventually(async () => codes.length === 2, 'the answer read');
    expect(codes[1]).toEqual(['field_too_long', 'field_not_url']);
    await eventually(async () => (await focused(page)) === 'recipient-team-input', 'the first marked field to have the focus');
    expect(await dialog.getByTestId('form-error-text').textContent()).toBe('Ret de markerede felter.');
    expect(await dialog.textContent()).not.toMatch(/teamId|webhookUrl|must be|limited to/);
    await b.screenshot('recipient-refused-teams-fields-350', { fullPage: false });

    // Whose webhook URL is not Microsoft's: at the webhook field; the check's English reason only as the small detail.
    await team.fill(DEMO_TEAM.id);
    await hook.fill('https://hooks.example.com/teams?sig=abc');
    await dialog.getByTestId('recipient-save').click();
    expect(await fieldMessage(hook)).toMatch(/^Webhook-adressen \(til hooks\.example\.com\) kan ikke bruges: Brevdue sender kun til Microsofts Teams-webhooks/);
    await eventually(async () => (await focused(page)) === 'recipient-webhook-input', 'the webhook field to have the focus');
    expect(await dialog.getByTestId('form-error-text').textContent()).toBe('Ret det markerede felt.');
    expect(await dialog.getByTestId('form-error-detail').textContent()).toMatch(/^Teknisk detalje: Brevdue posts only to Microsoft's Teams webhook hosts/);
    await b.screenshot('recipient-refused-webhook-350', { fullPage: false });
  }, PANE);
});
