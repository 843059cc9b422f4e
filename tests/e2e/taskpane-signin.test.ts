// Demo sign-in: the labelled demo user and its role switcher. Choosing "reader" reloads the pane as a
// reader (the backend honours X-Brevdue-Demo-Role in demo mode only): the admin section disappears
// and the letter actions say why they are off; switching back to administrator restores them.
import { browserTest, chromiumAvailable, launchBrowser } from './browser';
import { startLive, type Live } from './live';

let live: Live | null = null;
beforeAll(async () => { if (chromiumAvailable()) live = await startLive({ seed: false }); }, 60_000);
afterAll(async () => { await live?.stop(); });

browserTest('the demo role switcher shows the pane as a reader, operator or administrator', async () => {
  const b = await launchBrowser({ viewport: { width: 400, height: 760 } });
  try {
    const { page } = b;
    await page.goto(`${live!.app.url}/taskpane.html`);
    await page.getByTestId('demo-badge').waitFor();
    const role = page.getByTestId('demo-role');
    expect(await role.inputValue()).toBe('admin');
    await page.getByTestId('nav-admin').waitFor();
    await b.screenshot('signin-demo-admin');

    await Promise.all([page.waitForEvent('load'), role.selectOption('reader')]);
    await page.getByTestId('demo-badge').waitFor();
    expect(await page.getByTestId('demo-role').inputValue()).toBe('reader');
    expect(await page.getByTestId('nav-admin').count()).toBe(0);
    await page.getByTestId('nav-stats').waitFor(); // statistics stay for everyone
    // The API agrees: the page's own requests now carry the reader role.
    const me = await page.evaluate(async () => (await fetch('api/me', { headers: { 'X-Brevdue-Demo-Role': sessionStorage.getItem('brevdue.demoRole') ?? '' } })).json());
    expect(me.roles).toEqual(['reader']);
    await b.screenshot('signin-demo-reader');

    await Promise.all([page.waitForEvent('load'), page.getByTestId('demo-role').selectOption('operator')]);
    await page.getByTestId('nav-admin').waitFor(); // operators see the admin section (read-only parts inside)
    expect(await page.getByTestId('demo-role').inputValue()).toBe('operator');
    expect(b.pageErrors).toEqual([]);
  } finally {
    await b.close();
  }
});
