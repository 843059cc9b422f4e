// Serving the task pane and API over HTTPS (TLS_CERT_PATH/TLS_KEY_PATH; what a sideload into Outlook
// needs), with a throwaway certificate for 127.0.0.1 from the test PKI.
import https from 'node:https';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { createTestPki, type TestPki } from '../../backend/src/simulators/ngdp/test-pki';

function get(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https.get(url, { ca }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('HTTPS', () => {
  let pki: TestPki;
  let app: Brevdue;
  beforeAll(async () => {
    pki = createTestPki();
    app = await startBrevdue({ dataDir: null, demo: true, seed: false, tls: pki.server });
  });
  afterAll(async () => { await app?.stop(); pki?.cleanup(); });

  test('the API and the task pane answer over TLS with the configured certificate', async () => {
    expect(app.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await get(`${app.url}/api/health`, pki.ca.cert);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body).database).toBe('ok');
    const pane = await get(`${app.url}/taskpane.html`, pki.ca.cert);
    expect(pane.status).toBe(200);
    expect(pane.body).toContain('<div id="root"');
  });

  test('a client that does not trust the certificate is refused by TLS', async () => {
    await expect(get(`${app.url}/api/health`, pki.stranger.ca)).rejects.toThrow(/certificate/i);
  });
});
