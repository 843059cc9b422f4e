// "Attach a mailbox" (addin/src/components/admin/mailboxes/): which providers are offered, the
// suggested addresses and prefilled settings (never credentials), the form's own checks, the request
// it sends (accepted by the backend's own schemas), and the server's refusal placed at the fields —
// using the backend's check itself (api/admin.ts newMailboxProblems) with the installation's policy.
import type { i18n } from 'i18next';
import { ApiError, createApiClient } from '../../addin/src/api/client';
import {
  PROVIDER_BASE_URLS, attachBody, attachProblems, baseUrlSuggestions, initialSettings, mailboxForm, providersToAttach,
} from '../../addin/src/components/admin/mailboxes/attach';
import { placeProblems } from '../../addin/src/components/admin/field-problems';
import { credentialProblems, credentialsBody, formFieldOf } from '../../addin/src/components/admin/mailboxes/credentials';
import { newMailboxProblems } from '../../backend/src/api/admin';
import { providerModule } from '../../backend/src/ingest/connectors';
import { splitSecretSettings } from '../../backend/src/ingest/provider';
import { PROVIDER_BASE_URL_DEFAULTS, providerUrlPolicy } from '../../backend/src/ingest/provider-urls';
import { EBOKS_DEFAULT_BASE_URL } from '../../backend/src/ingest/eboks/client';
import { MITDK_DEFAULT_BASE_URL } from '../../backend/src/ingest/mitdk/client';
import { mailboxViewSchema, type CvrView, type MailboxView, type Provider } from '../../shared/src/contracts';
import { paneLanguages, tr } from '../helpers/i18n';

const SIM = 'http://127.0.0.1:4000/sim';
const policy = providerUrlPolicy({ ngdp: [`${SIM}/ngdp/apis/v1`], eboks: [`${SIM}/eboks/mobile/1/xml.svc/en-gb`], mitdk: [`${SIM}/mitdk/view/client`] }, { allowHttp: true });
const SYSTEM = '6f1c2a9e-3b7d-4c1e-9a2f-5d8e7b6c4a31';

const mailbox = (provider: Provider, config: Record<string, unknown>): MailboxView => mailboxViewSchema.parse({
  id: crypto.randomUUID(), cvr: '72494814', provider, config, hasCredentials: true, paused: false,
  health: { state: 'ok', lastFetchAt: null, lastErrorAt: null, lastError: null, lastErrorKind: null, consecutiveFailures: 0, nextAttemptAfter: null, waitingAtProvider: null, undelivered: 0, quarantined: 0 },
});
const CVRS: CvrView[] = [
  { cvr: '72494814', name: 'Nordlys Holding A/S', mailboxes: [mailbox('ngdp', { baseUrl: `${SIM}/ngdp/apis/v1`, systemUsername: SYSTEM, mode: 'pull' })] },
  { cvr: '47511488', name: 'Nordlys Logistik A/S', mailboxes: [mailbox('ngdp', { baseUrl: `${SIM}/ngdp/apis/v1`, systemUsername: SYSTEM }), mailbox('eboks', { baseUrl: `${SIM}/eboks/mobile/1/xml.svc/en-gb`, deviceId: 'd' })] },
  { cvr: '12345674', name: 'Fjordkraft A/S', mailboxes: [] },
];

describe('attach a mailbox', () => {
  let da_: i18n;
  let en_: i18n;
  const words = (k: string) => k; // the keys stand for the sentences
  beforeAll(async () => { [da_, en_] = await paneLanguages(); });

  test('offers only the providers a CVR number has no mailbox at', () => {
    expect(providersToAttach(CVRS[0])).toEqual(['eboks', 'mitdk']);
    expect(providersToAttach(CVRS[1])).toEqual(['mitdk']);
    expect(providersToAttach(CVRS[2])).toEqual(['ngdp', 'eboks', 'mitdk']);
  });

  test('the providers\' own addresses are the backend\'s', () => {
    expect(PROVIDER_BASE_URLS.ngdp).toEqual(PROVIDER_BASE_URL_DEFAULTS.ngdp);
    expect(PROVIDER_BASE_URLS.eboks).toEqual([EBOKS_DEFAULT_BASE_URL]);
    expect(PROVIDER_BASE_URLS.mitdk).toEqual([MITDK_DEFAULT_BASE_URL]);
    for (const p of ['ngdp', 'eboks', 'mitdk'] as const) for (const u of PROVIDER_BASE_URLS[p]) expect(newMailboxProblems(attachBody(p, { ...initialSettings([], p), baseUrl: u, systemUsername: 's', deviceId: 'd' }, { systemPassword: 'x', identity: '12345674', password: 'p', activationCode: 'a', dppRefreshToken: 'a', ngdpRefreshToken: 'b' }, 'none'), policy).problems).toEqual([]);
  });

  test('suggests the addresses the organisation uses first, and Digital Post\'s calling system; never credentials', () => {
    expect(baseUrlSuggestions(CVRS, 'eboks')).toEqual([`${SIM}/eboks/mobile/1/xml.svc/en-gb`, EBOKS_DEFAULT_BASE_URL]);
    expect(baseUrlSuggestions(CVRS, 'mitdk')).toEqual([MITDK_DEFAULT_BASE_URL]);
    expect(initialSettings(CVRS, 'ngdp')).toEqual({ mode: 'pull', baseUrl: `${SIM}/ngdp/apis/v1`, systemUsername: SYSTEM });
    expect(initialSettings(CVRS, 'eboks')).toEqual({ baseUrl: `${SIM}/eboks/mobile/1/xml.svc/en-gb`, identityType: 'P', nationality: 'DK', mailboxId: '0', inboxFolder: 'Indbakke', archiveFolder: 'Arkiv' });
    expect(initialSettings([], 'mitdk')).toEqual({ baseUrl: MITDK_DEFAULT_BASE_URL, dataSources: 'DP_PRIVATE,DP_PUBLIC', acknowledge: 'archive', archiveFolder: 'ARCHIVE' });
  });

  test('checks here what is missing or malformed, by field', () => {
    expect(attachProblems('eboks', { ...initialSettings([], 'eboks'), baseUrl: 'rest.e-boks.dk', nationality: 'dk' }, { identity: '1234' }, 'none', words)).toEqual({
      baseUrl: 'admin.mailboxes.attach.format.url',
      deviceId: 'admin.mailboxes.credentials.required',
      nationality: 'admin.mailboxes.attach.format.nationality',
      identity: 'admin.mailboxes.credentials.identityFormat',
      password: 'admin.mailboxes.credentials.required',
      activationCode: 'admin.mailboxes.credentials.required',
    });
    expect(attachProblems('ngdp', { ...initialSettings(CVRS, 'ngdp'), mailboxId: 'nope' }, { systemPassword: 'x', certificate: 'x' }, 'pem', words)).toEqual({
      mailboxId: 'admin.mailboxes.attach.format.uuid',
      certificate: 'admin.mailboxes.credentials.pemCertificate',
      privateKey: 'admin.mailboxes.credentials.pemKey',
    });
    expect(attachProblems('mitdk', { ...initialSettings([], 'mitdk'), dataSources: '' }, { dppRefreshToken: 'a', ngdpRefreshToken: 'b' }, 'none', words))
      .toEqual({ dataSources: 'admin.mailboxes.attach.format.sources' });
    // Renewing may leave e-Boks' login number out (the stored one is kept); attaching may not.
    expect(credentialProblems('eboks', { password: 'p', activationCode: 'a' }, 'none', 'renew', words)).toEqual({});
    expect(credentialProblems('eboks', { password: 'p', activationCode: 'a' }, 'none', 'attach', words)).toEqual({ identity: 'admin.mailboxes.credentials.required' });
  });

  test('sends what the provider\'s schemas accept', () => {
    const ngdp = attachBody('ngdp', { ...initialSettings(CVRS, 'ngdp'), mode: 'push' }, { systemPassword: ' pw ', passphrase: 'æøå' }, 'pfx');
    expect(ngdp).toEqual({ provider: 'ngdp', config: { baseUrl: `${SIM}/ngdp/apis/v1`, systemUsername: SYSTEM, mode: 'push' }, credentials: { systemPassword: 'pw', certificate: { format: 'pfx', pfxBase64: '', passphrase: 'æøå' } } });
    const mitdk = attachBody('mitdk', { ...initialSettings([], 'mitdk'), dataSources: 'DP_PRIVATE' }, { dppRefreshToken: 'a', ngdpRefreshToken: 'b' }, 'none');
    expect(mitdk.config).toEqual({ baseUrl: MITDK_DEFAULT_BASE_URL, dataSources: ['DP_PRIVATE'], acknowledge: 'archive', archiveFolder: 'ARCHIVE' });
    const eboks = attachBody('eboks', { ...initialSettings([], 'eboks'), deviceId: 'dev' }, { identity: '12345674', password: 'p', activationCode: 'a' }, 'none');
    for (const body of [mitdk, eboks]) {
      const p = providerModule(body.provider);
      const split = splitSecretSettings(p, body.config, body.credentials);
      expect(p.configSchema.safeParse(split.config).success).toBe(true);
      expect(p.secretSchema.safeParse(split.secret).success).toBe(true);
    }
    expect(credentialsBody('ngdp', { systemPassword: 'x' }, 'remove')).toEqual({ systemPassword: 'x', certificate: null });
    expect(credentialsBody('ngdp', { systemPassword: 'x' }, 'none')).toEqual({ systemPassword: 'x' });
  });

  test('the server\'s problems, each at its field and in the reader\'s language; the rest for the error bar', () => {
    const body = attachBody('ngdp', { baseUrl: 'https://api.digitalpost.dk.evil.example/apis/v1', systemUsername: 's', mailboxId: 'x' },
      { systemPassword: 'x', certificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', privateKey: 'x' }, 'pem');
    const refused = newMailboxProblems(body, policy);
    expect(refused.code).toBe('invalid_mailbox');
    expect(refused.problems.map((p) => [p.code, p.params?.field])).toEqual([
      ['field_not_uuid', 'mailboxId'],
      ['field_invalid_value', 'certificate.privateKey'],
    ]);
    const fixedConfig = { ...body, config: { ...body.config, mailboxId: undefined } };
    const urlOnly = newMailboxProblems({ ...fixedConfig, credentials: { systemPassword: 'x' } }, policy);
    expect(urlOnly.code).toBe('base_url_not_allowed');
    expect(urlOnly.problems).toEqual([expect.objectContaining({
      code: 'base_url_not_allowed', params: { field: 'baseUrl', provider: 'ngdp', allowed: expect.stringContaining(`${SIM}/ngdp/apis/v1`), setting: 'NGDP_ALLOWED_BASE_URLS' },
    })]);
    const error = new ApiError('http', urlOnly.code, urlOnly.problems[0].message, 400, true, { params: { provider: 'ngdp' }, problems: [...urlOnly.problems, { code: 'something_new', message: 'Something else.' }] });
    const placed = placeProblems(error, mailboxForm('ngdp'), tr(en_))!;
    expect(placed.fields.baseUrl).toMatch(/^This Brevdue installation does not allow that address for Digital Post\. Allowed now: https:\/\/api\.digitalpost\.dk\/apis\/v1, /);
    expect(placed.rest).toEqual(['Something else.']);
    expect(placeProblems(error, mailboxForm('ngdp'), tr(da_))!.fields.baseUrl).toMatch(/^Denne Brevdue-installation tillader ikke den adresse til Digital Post\./);
    // Missing fields; a certificate's parts are fields of their own.
    const missing = newMailboxProblems({ provider: 'eboks', config: {}, credentials: {} }, policy);
    expect(missing.problems.map((p) => [p.code, p.params?.field])).toEqual([
      ['field_missing', 'deviceId'], ['field_missing', 'identity'], ['field_missing', 'password'], ['field_missing', 'activationCode'],
    ]);
    expect(placeProblems(new ApiError('http', 'invalid_mailbox', 'x', 400, true, { problems: missing.problems }), mailboxForm('eboks'), tr(da_))!.fields)
      .toEqual({ deviceId: 'Udfyld feltet.', identity: 'Udfyld feltet.', password: 'Udfyld feltet.', activationCode: 'Udfyld feltet.' });
    expect(['certificate', 'certificate.passphrase', 'certificate.pfxBase64', 'baseUrl'].map(formFieldOf)).toEqual(['certificateChoice', 'passphrase', 'pfxBase64', 'baseUrl']);
  });

  test('the client POSTs to the CVR number\'s mailboxes and parses the new mailbox', async () => {
    const created = mailbox('mitdk', { baseUrl: MITDK_DEFAULT_BASE_URL });
    const calls: { url: string; init?: RequestInit }[] = [];
    const api = createApiClient({
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
        calls.push({ url: String(input), init });
        return new Response(JSON.stringify(created), { status: 201, headers: { 'content-type': 'application/json' } });
      }) as typeof fetch,
      getToken: async () => null,
    });
    const body = attachBody('mitdk', initialSettings([], 'mitdk'), { dppRefreshToken: 'a', ngdpRefreshToken: 'b' }, 'none');
    await expect(api.addMailbox('12345674', body)).resolves.toEqual(created);
    expect(calls[0].url).toBe('/api/admin/cvrs/12345674/mailboxes');
    expect(calls[0].init?.method).toBe('POST');
    expect(JSON.parse(String(calls[0].init?.body))).toEqual(body);
  });
});
