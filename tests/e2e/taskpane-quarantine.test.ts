// Admin › mailboxes: letters in quarantine, against the real backend in demo mode (pipeline running).
// The mailbox shows how many it has; its list shows each letter's reason (never content); "Try again"
// takes a held letter in (it is delivered), keeps an invalid one with the server's reason, and has a
// letter never fetched fetched again. Operators see the list without the button. A letter erased at a
// data subject's request is shown as erased, without the button (the server answers 409 erased). Danish
// and English.
import type { Page } from 'playwright-core';
import { and, eq } from 'drizzle-orm';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { mailboxes, messages, quarantine } from '../../backend/src/store/schema';
import { mailboxViewSchema } from '../../shared/src/contracts';
import { browserTest, chromiumAvailable, waitForCount } from './browser';
import { eventually, startLive, type Live, withLiveBrowser } from './live';

let live: Live | null = null;

beforeAll(async () => {
  if (!chromiumAvailable()) return;
  live = await startLive({ seed: false, pollIntervalMs: 60_000 });
}, 120_000);

afterAll(async () => {
  await live?.stop();
});

const [company] = DEMO_ORGANISATION.cvrs;

async function openMailboxes(page: Page): Promise<void> {
  await page.goto(`${live!.app.url}/taskpane.html`);
  await page.getByTestId('nav-admin').click();
  await page.getByTestId('admin-tab-mailboxes').click();
  await page.getByTestId('admin-mailboxes-page').waitFor();
}

/** Three letters in quarantine of the first company's Digital Post mailbox: held and valid, invalid, never fetched. */
async function quarantineThree(l: Live) {
  const db = l.app.database.db;
  const [mb] = await db.select().from(mailboxes).where(and(eq(mailboxes.orgId, l.app.demoOrgId!), eq(mailboxes.cvr, company.cvr), eq(mailboxes.provider, 'ngdp')));
  const good = demoMemo({ recipientCvr: company.cvr, label: 'Momsangivelse fra karantæne' });
  const invalid = buildMemoXml(demoMemo({ recipientCvr: company.cvr })).replace(/(<(?:\w+:)?createdDateTime>)[^<]+/, '$10000-03-01T10:00:00Z');
  const seal = (s: string) => l.app.ctx.sealer.seal(Buffer.from(s));
  const rows = await db.insert(quarantine).values([
    { orgId: mb.orgId, mailboxId: mb.id, providerMessageId: good.messageUUID, reason: 'Given up after 5 attempts to store it: the database was restarting', rawEnc: seal(buildMemoXml(good)), receivedAt: new Date(Date.now() - 3_000) },
    { orgId: mb.orgId, mailboxId: mb.id, providerMessageId: 'ugyldig-1', reason: 'MessageBody/createdDateTime: the year 0000 does not exist', rawEnc: seal(invalid), receivedAt: new Date(Date.now() - 2_000) },
    { orgId: mb.orgId, mailboxId: mb.id, providerMessageId: 'ikke-hentet-1', reason: 'Not fetched after 5 attempts (it stays waiting at Digital Post): Digital Post answered 503', rawEnc: seal('<NotFetched/>'), receivedAt: new Date(Date.now() - 1_000) },
  ]).returning();
  return { mb, good, rows };
}

browserTest('admin › mailboxes: the quarantine count and list; "try again" takes a letter in, keeps an invalid one with its reason, fetches one again', async () => {
  await withLiveBrowser(live, 'admin-quarantine', async (b, l) => {
    const { page } = b;
    const { mb, good } = await quarantineThree(l);
    await openMailboxes(page);
    const box = page.locator(`[data-testid=mailbox][data-mailbox-id="${mb.id}"]`);
    await box.waitFor();
    expect(await box.getByTestId('mailbox-quarantined').textContent()).toBe('3 breve i karantæne');
    // Another mailbox without any: a zero, and no list to open.
    const eboks = page.locator('[data-testid=mailbox][data-provider=eboks]').first();
    expect(await eboks.getByTestId('mailbox-quarantined').textContent()).toBe('0 breve i karantæne');
    expect(await eboks.getByTestId('mailbox-quarantine-toggle').count()).toBe(0);

    await box.getByTestId('mailbox-quarantine-toggle').click();
    const items = box.getByTestId('quarantine-item');
    await waitForCount(items, 3);
    expect(await items.first().textContent()).toContain('Brev ikke-hentet-1'); // newest first
    expect(await box.getByTestId('quarantine-reason').allTextContents()).toEqual([
      'Not fetched after 5 attempts (it stays waiting at Digital Post): Digital Post answered 503',
      'MessageBody/createdDateTime: the year 0000 does not exist',
      'Given up after 5 attempts to store it: the database was restarting',
    ]);
    await b.screenshot('admin-quarantine-360');

    // A held letter whose failure has passed: taken in, gone from the list, the count follows, delivered.
    const held = box.locator(`[data-testid=quarantine-item]:has-text("${good.messageUUID}")`);
    await held.getByTestId('quarantine-retry').click();
    await box.getByTestId('quarantine-result').waitFor();
    expect(await box.getByTestId('quarantine-result-text').textContent()).toBe(`Brev ${good.messageUUID} er taget imod og går videre til sortering og levering.`);
    await waitForCount(items, 2);
    await eventually(async () => (await box.getByTestId('mailbox-quarantined').textContent()) === '2 breve i karantæne', 'the count to follow');
    await eventually(async () => {
      const [m] = await l.app.database.db.select().from(messages).where(eq(messages.memoUuid, good.messageUUID));
      return m?.status === 'delivered';
    }, 'the letter delivered');

    // Still invalid: it stays, with the letter's reason, said in Danish (still_invalid's params), not the server's English.
    const invalid = box.locator('[data-testid=quarantine-item]:has-text("ugyldig-1")');
    await invalid.getByTestId('quarantine-retry').click();
    await box.getByTestId('form-error').waitFor();
    expect(await box.getByTestId('form-error').textContent()).toContain('Brev ugyldig-1 bliver i karantæne');
    expect(await box.getByTestId('form-error-text').textContent()).toMatch(/^Brevet er stadig ikke et gyldigt brev og bliver i karantæne: .*year 0000.*Hvis afsenderen sendte det sådan, så bed dem sende det igen\.$/);
    expect(await items.count()).toBe(2);
    await b.screenshot('admin-quarantine-still-invalid-360');

    // Never fetched: fetched again at the next poll.
    await box.locator('[data-testid=quarantine-item]:has-text("ikke-hentet-1")').getByTestId('quarantine-retry').click();
    await box.getByTestId('quarantine-result').waitFor();
    expect(await box.getByTestId('quarantine-result-text').textContent()).toBe('Brev ikke-hentet-1 hentes igen, næste gang postkassen tjekkes.');
    await waitForCount(items, 1);
    expect(mailboxViewSchema.parse((await l.api('GET', `/admin/mailboxes/${mb.id}`)).body).health.quarantined).toBe(1);

    // In English.
    await page.getByTestId('language-switch').click();
    await eventually(async () => (await box.getByTestId('mailbox-quarantined').textContent()) === '1 letter in quarantine', 'the English count');
    expect(await box.getByTestId('quarantine-retry').textContent()).toBe('Try again');
  });
});

browserTest('admin › mailboxes as an operator: the quarantined letters and their reasons, without "try again"', async () => {
  await withLiveBrowser(live, 'admin-quarantine-operator', async (b) => {
    const { page } = b;
    await page.setExtraHTTPHeaders({ 'X-Brevdue-Demo-Role': 'operator' });
    await openMailboxes(page);
    const box = page.locator('[data-testid=mailbox][data-provider=ngdp]').filter({ has: page.locator('[data-testid=mailbox-quarantine-toggle]') }).first();
    await box.getByTestId('mailbox-quarantine-toggle').click();
    await box.getByTestId('quarantine-item').first().waitFor();
    expect(await box.getByTestId('quarantine-admin-only').textContent()).toBe('Kun administratorer kan prøve breve igen.');
    expect(await box.getByTestId('quarantine-retry').count()).toBe(0);
  });
});

browserTest('admin › mailboxes: a letter erased at a data subject\'s request is shown as erased, without "try again"; one erased meanwhile turns erased when tried', async () => {
  await withLiveBrowser(live, 'admin-quarantine-erased', async (b, l) => {
    const { page } = b;
    const db = l.app.database.db;
    const [mb] = await db.select().from(mailboxes).where(and(eq(mailboxes.orgId, l.app.demoOrgId!), eq(mailboxes.cvr, company.cvr), eq(mailboxes.provider, 'ngdp')));
    const seal = (s: string) => l.app.ctx.sealer.seal(Buffer.from(s));
    // As a data subject request leaves it (dsr/requests.ts): the content sealed empty, erased_at set.
    const [erased, soon] = await db.insert(quarantine).values([
      { orgId: mb.orgId, mailboxId: mb.id, providerMessageId: 'slettet-1', reason: 'MessageBody: the CPR number 010203-XXXX is not valid', rawEnc: seal(''), receivedAt: new Date(Date.now() - 2_000), erasedAt: new Date(Date.now() - 60_000) },
      { orgId: mb.orgId, mailboxId: mb.id, providerMessageId: 'slettes-nu-1', reason: 'MessageBody: invalid', rawEnc: seal('<Invalid/>'), receivedAt: new Date(Date.now() - 1_000) },
    ]).returning();
    await openMailboxes(page);
    const box = page.locator(`[data-testid=mailbox][data-mailbox-id="${mb.id}"]`);
    await box.getByTestId('mailbox-quarantine-toggle').click();
    const gone = box.locator(`[data-testid=quarantine-item][data-quarantine-id="${erased.id}"]`);
    await gone.waitFor();
    expect(await gone.getAttribute('data-erased')).toBe('true');
    expect(await gone.getByTestId('quarantine-erased-badge').textContent()).toBe('Slettet');
    expect(await gone.getByTestId('quarantine-erased').textContent())
      .toMatch(/^Slettet .+ efter anmodning fra den registrerede: indholdet er væk, så der er intet at prøve igen\. Posten slettes, når opbevaringsperioden udløber\.$/);
    expect(await gone.getByTestId('quarantine-retry').count()).toBe(0);
    expect(await gone.getByTestId('quarantine-reason').count()).toBe(0);
    await b.screenshot('admin-quarantine-erased-360');

    // Erased while the list was open: trying it says why in Danish (409 erased), and it shows as erased.
    const other = box.locator(`[data-testid=quarantine-item][data-quarantine-id="${soon.id}"]`);
    await other.getByTestId('quarantine-retry').waitFor();
    expect(await other.getAttribute('data-erased')).toBeNull();
    await db.update(quarantine).set({ rawEnc: seal(''), erasedAt: new Date() }).where(eq(quarantine.id, soon.id));
    await other.getByTestId('quarantine-retry').click();
    await box.getByTestId('form-error').waitFor();
    expect(await box.getByTestId('form-error-text').textContent())
      .toBe('Brevet blev slettet efter anmodning fra den registrerede: indholdet er væk, så der er intet at prøve igen. Posten slettes, når opbevaringsperioden udløber.');
    await eventually(async () => (await other.getAttribute('data-erased')) === 'true', 'the letter shown as erased');
    expect(await other.getByTestId('quarantine-retry').count()).toBe(0);
    const [still] = await db.select().from(quarantine).where(eq(quarantine.id, soon.id));
    expect(still.erasedAt).not.toBeNull(); // nothing taken in

    // In English.
    await page.getByTestId('language-switch').click();
    await eventually(async () => (await gone.getByTestId('quarantine-erased-badge').textContent()) === 'Erased', 'the English badge');
    expect(await gone.getByTestId('quarantine-erased').textContent()).toMatch(/^Erased .+ at the data subject’s request: its content is gone, so there is nothing to try again\./);
  });
});
