// The Teams webhook URL allowlist: Microsoft's webhook hosts over https only; lookalikes, other
// schemes, ports, credentials and IP literals refused with a reason a person can act on.
import { LEGACY_CONNECTOR_WARNING, checkWebhookUrl } from '../../backend/src/delivery/teams/webhook-url';

const WORKFLOW = 'https://prod-12.westeurope.logic.azure.com:443/workflows/4f0c3b2a1d9e8f7a6b5c4d3e2f1a0b9c/triggers/manual/paths/invoke'
  + '?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=AbCdEf0123456789_-xyz';
const POWER_PLATFORM = 'https://default1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6.d7.environment.api.powerplatform.com:443'
  + '/powerautomate/automations/direct/workflows/0a1b2c3d4e5f/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=x';
const LEGACY = 'https://nordlys.webhook.office.com/webhookb2/11111111-2222-3333-4444-555555555555@66666666-7777-8888-9999-000000000000/IncomingWebhook/abc/def';

const refused = (url: string, extra?: string[]) => {
  const r = checkWebhookUrl(url, extra);
  if (r.ok) throw new Error(`expected ${url} to be refused`);
  return r.reason;
};

describe('allowed', () => {
  test.each([
    ['Workflows (Logic Apps) with :443', WORKFLOW],
    ['Workflows without the port', WORKFLOW.replace(':443', '')],
    ['Power Platform environment URL', POWER_PLATFORM],
    ['upper-case host', WORKFLOW.replace('prod-12.westeurope.logic.azure.com', 'PROD-12.WestEurope.Logic.Azure.com')],
  ])('%s', (_name, url) => {
    expect(checkWebhookUrl(url)).toEqual({ ok: true, kind: 'workflows' });
  });

  test('legacy connector URLs, with a warning about their retirement', () => {
    const r = checkWebhookUrl(LEGACY);
    expect(r).toEqual({ ok: true, kind: 'legacy-connector', warning: LEGACY_CONNECTOR_WARNING });
    expect(LEGACY_CONNECTOR_WARNING).toMatch(/retiring/);
    expect(LEGACY_CONNECTOR_WARNING).toMatch(/Workflows/);
  });

  test('an exact extra origin (the local simulator), http and any port included', () => {
    expect(checkWebhookUrl('http://127.0.0.1:43121/sim/workflows/abc?sig=x', ['http://127.0.0.1:43121'])).toEqual({ ok: true, kind: 'extra-origin' });
    expect(checkWebhookUrl('http://127.0.0.1:43121/x', ['http://127.0.0.1:43121/sim/workflows'])).toEqual({ ok: true, kind: 'extra-origin' });
  });
});

describe('refused', () => {
  test('http, even to a Microsoft host', () => {
    expect(refused(WORKFLOW.replace('https:', 'http:').replace(':443', ''))).toMatch(/https/);
  });

  test('other schemes', () => {
    expect(refused('ftp://prod-1.westeurope.logic.azure.com/x')).toMatch(/https/);
    expect(refused('javascript:alert(1)')).toMatch(/https/);
    expect(refused('file:///etc/passwd')).toMatch(/https/);
  });

  test('explicit ports other than 443', () => {
    expect(refused(WORKFLOW.replace(':443', ':8443'))).toMatch(/port 8443/);
    expect(refused('https://prod-1.westeurope.logic.azure.com:80/x')).toMatch(/port 80/);
  });

  test('credentials in the URL', () => {
    expect(refused('https://user:pass@prod-1.westeurope.logic.azure.com/x')).toMatch(/user name or password/);
    expect(refused('https://prod-1.westeurope.logic.azure.com@evil.example/x')).toMatch(/user name or password/);
    // Not even for an allowed extra origin.
    expect(refused('http://u:p@127.0.0.1:4000/x', ['http://127.0.0.1:4000'])).toMatch(/user name or password/);
  });

  test.each([
    'https://logic.azure.com.evil.com/workflows/x',
    'https://evil-logic.azure.com/workflows/x',
    'https://prod-1.westeurope.logic.azure.com.evil.com/x',
    'https://logic-azure.com/x',
    'https://prod-1.westeurope.logic.azure.co/x',
    'https://api.powerplatform.com.attacker.net/x',
    'https://evilapi.powerplatform.com/x',
    'https://webhook.office.com.evil.com/x',
    'https://evilwebhook.office.com/x',
    'https://example.com/webhook',
  ])('lookalike or foreign host %s', (url) => {
    expect(refused(url)).toMatch(/not one of them/);
  });

  test('the bare suffixes, without a host below them', () => {
    expect(refused('https://logic.azure.com/x')).toMatch(/not one of them/);
    expect(refused('https://api.powerplatform.com/x')).toMatch(/not one of them/);
    expect(refused('https://webhook.office.com/x')).toMatch(/not one of them/);
  });

  test.each([
    'https://127.0.0.1/x',
    'https://10.0.0.5/x',
    'https://0x7f000001/x', // the URL parser turns this into 127.0.0.1
    'https://2130706433/x',
    'https://[::1]/x',
    'https://[fd00::1]:443/x',
  ])('IP literal %s', (url) => {
    expect(refused(url)).toMatch(/IP address/);
  });

  test('a trailing dot on the host', () => {
    expect(refused('https://prod-1.westeurope.logic.azure.com./x')).toMatch(/ends with a dot/);
  });

  test('the retired outlook.office.com connector URLs', () => {
    expect(refused('https://outlook.office.com/webhook/abc@def/IncomingWebhook/x/y')).toMatch(/retired/);
  });

  test('not a URL, empty, spaces, too long', () => {
    expect(refused('prod-1.westeurope.logic.azure.com/workflows')).toMatch(/not a URL/);
    expect(refused('')).toMatch(/empty/);
    expect(refused(` ${WORKFLOW}`)).toMatch(/spaces/);
    expect(refused(`${WORKFLOW}\n`)).toMatch(/line breaks/);
    expect(refused(`${WORKFLOW}&pad=${'a'.repeat(5000)}`)).toMatch(/longer than/);
  });

  test('an extra origin matches exactly: other ports, hosts and schemes stay refused', () => {
    const extra = ['http://127.0.0.1:43121'];
    expect(refused('http://127.0.0.1:43122/x', extra)).toMatch(/https/);
    expect(refused('http://localhost:43121/x', extra)).toMatch(/https/);
    expect(refused('https://127.0.0.1:43121/x', extra)).toMatch(/port/);
    expect(refused('http://127.0.0.1:43121/x', ['not a url'])).toMatch(/https/);
  });

  test('every reason says what to do', () => {
    expect(refused('https://example.com/webhook')).toMatch(/Workflows/);
  });
});
