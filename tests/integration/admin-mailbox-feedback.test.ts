// Admin › Mailboxes' refusals as the task pane needs them: a refused credentials renewal (PATCH) names
// each problem at its field as attaching does, without OpenSSL's internals; an e-Boks device id is
// checked; a second backfill while one runs is `backfill_running`, not Digital Post's HTTP answer;
// a mailbox whose provider refuses its credentials says so in health's lastErrorKind.
import { eq } from 'drizzle-orm';
import { DEMO_EBOKS_DEVICE_ID, DEMO_EBOKS_SECRET } from '../../backend/src/simulators/eboks';
import { mailboxes } from '../../backend/src/store/schema';
import { apiErrorSchema, cvrViewSchema, mailboxViewSchema, type CvrView } from '../../shared/src/contracts';
import { callApi, demoAppForSuite } from '../helpers/app';
import { eventually, testDatabases } from '../helpers/databases';

const NEW_CVR = '12345674'; // passes modulus 11
const GARBAGE_PEM = { format: 'pem', certificate: '-----BEGIN CERTIFICATE-----\nnonsense\n-----END CERTIFICATE-----', privateKey: '-----BEGIN PRIVATE KEY-----\nnonsense\n-----END PRIVATE KEY-----' };

describe.each(testDatabases)('mailbox refusals for the pane on $name', (tdb) => {
  const appOf = demoAppForSuite(tdb, { runJobs: true, pollIntervalMs: 60_000, processEveryMs: 100 });
  const call = (method: string, path: string, body?: unknown) => callApi(appOf(), method, `/admin${path}`, body);
  const mailboxOf = async (provider: string) => {
    const cvrs = (await call('GET', '/cvrs')).body.items.map((c: unknown) => cvrViewSchema.parse(c)) as CvrView[];
    return cvrs.flatMap((c) => c.mailboxes).find((m) => m.provider === provider)!;
  };

  test('a refused renewal names each problem at its field, in codes, without OpenSSL\'s words', async () => {
    const ngdp = await mailboxOf('ngdp');
    const r = await call('PATCH', `/mailboxes/${ngdp.id}`, { credentials: { systemPassword: 'x', certificate: GARBAGE_PEM } });
    expect(r.status).toBe(400);
    const e = apiErrorSchema.parse(r.body).error;
    expect(e.code).toBe('invalid_mailbox');
    expect(e.problems).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'certificate_unreadable_certificate', params: { field: 'certificate.certificate' } })]));
    expect(r.text).not.toMatch(/error:[0-9A-F]{8}|routines::/);

    // e-Boks: its login number left out is kept (not missing); an empty password is missing, at its field.
    const eboks = await mailboxOf('eboks');
    const missing = await call('PATCH', `/mailboxes/${eboks.id}`, { credentials: { password: '', activationCode: 'a' } });
    expect(missing.status).toBe(400);
    expect(apiErrorSchema.parse(missing.body).error.problems).toEqual([expect.objectContaining({ code: 'field_missing', params: { field: 'password' } })]);
  });

  test('an e-Boks device id of 3,000 characters is refused at its field', async () => {
    expect((await call('POST', '/cvrs', { cvr: NEW_CVR, name: 'Fjordkraft A/S' })).status).toBe(201);
    const body = (deviceId: string) => ({
      provider: 'eboks', config: { baseUrl: `${appOf().url}/sim/eboks/mobile/1/xml.svc/en-gb`, deviceId }, credentials: { identity: NEW_CVR, ...DEMO_EBOKS_SECRET },
    });
    const long = await call('POST', `/cvrs/${NEW_CVR}/mailboxes`, body('x'.repeat(3000)));
    expect(long.status).toBe(400);
    expect(apiErrorSchema.parse(long.body).error.problems).toEqual([expect.objectContaining({ code: 'field_invalid_value', params: expect.objectContaining({ field: 'deviceId' }) })]);
    expect((await call('POST', `/cvrs/${NEW_CVR}/mailboxes`, body(DEMO_EBOKS_DEVICE_ID))).status).toBe(201);
  });

  test('a second backfill while one runs is backfill_running', async () => {
    const ngdp = await mailboxOf('ngdp');
    const from = new Date(Date.now() - 30 * 86_400_000).toISOString();
    expect((await call('POST', `/mailboxes/${ngdp.id}/backfill`, { from })).status).toBe(201);
    const again = await call('POST', `/mailboxes/${ngdp.id}/backfill`, { from });
    expect(again.status).toBe(409);
    expect(apiErrorSchema.parse(again.body).error.code).toBe('backfill_running');
    expect(again.text).not.toContain('UNPROCESSABLE_ENTITY');
  });

  test('credentials the provider refuses: health\'s lastErrorKind is credentials_refused, beside e-Boks\' own sentence', async () => {
    const eboks = await mailboxOf('eboks');
    const saved = await call('PATCH', `/mailboxes/${eboks.id}`, { credentials: { password: 'forkert', activationCode: 'forkert' } });
    expect(saved.status).toBe(200);
    expect(mailboxViewSchema.parse(saved.body).health.lastErrorKind).toBeNull(); // not polled yet
    // Saving makes it due at once: its poll logs on and is refused.
    const refused = await eventually(async () => {
      const v = mailboxViewSchema.parse((await call('GET', `/mailboxes/${eboks.id}`)).body);
      return v.health.lastErrorKind ? v : null;
    }, 20_000, 'the refused poll in health');
    expect(refused.health).toMatchObject({ lastErrorKind: 'credentials_refused', lastError: expect.stringMatching(/^e-Boks refused the logon .*password/) });
    expect((await mailboxOf('eboks')).health.lastErrorKind).toBe('credentials_refused'); // the list says the same

    // An error recorded before kinds existed: its sentence alone.
    await appOf().database.db.update(mailboxes).set({ lastErrorKind: null }).where(eq(mailboxes.id, eboks.id));
    const old = mailboxViewSchema.parse((await call('GET', `/mailboxes/${eboks.id}`)).body);
    expect(old.health).toMatchObject({ lastErrorKind: null, lastError: refused.health.lastError });
  });
});
