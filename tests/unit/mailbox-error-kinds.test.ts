// The kind of a mailbox's last error (what a person should do), as the call sites set it: Digital
// Post's client against answers of our making, the connector factory's set-up failures, errors that
// are not ProviderErrors (certificate, database), and health's lastErrorKind for old and unknown rows.
// (e-Boks and mit.dk against their simulators: tests/integration/eboks.test.ts and mitdk.test.ts.)
import { randomBytes, randomUUID } from 'node:crypto';
import { DrizzleQueryError } from 'drizzle-orm';
import { ConnectorSetupError, ProviderError, kindOfStatus } from '../../backend/src/ingest/connector';
import { ingestErrorKind } from '../../backend/src/ingest/error-text';
import { createNgdpClient } from '../../backend/src/ingest/ngdp/client';
import { NgdpCertificateError } from '../../backend/src/ingest/ngdp/tls';
import { resolveNgdpMailboxId } from '../../backend/src/ingest/ngdp/backfill';
import { openNgdpMailbox } from '../../backend/src/ingest/ngdp/mailbox-client';
import { connectorFactory } from '../../backend/src/ingest/connectors';
import { createSealer } from '../../backend/src/crypto/envelope';
import { mailboxHealth } from '../../backend/src/store/organisation';
import type { MailboxRow } from '../../backend/src/context';
import { mailboxHealthSchema } from '../../shared/src/contracts';

const CVR = '72494814';
const BASE = 'https://api.digitalpost.dk/apis/v1';

async function failure(p: Promise<unknown> | (() => unknown)): Promise<ProviderError | ConnectorSetupError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e as ProviderError;
  }
  throw new Error('expected a failure');
}

describe('Digital Post client', () => {
  const client = (answer: () => Promise<Response>) =>
    createNgdpClient({ baseUrl: BASE, system: { username: randomUUID(), password: 'x' }, delegatedCVR: CVR, retries: 0, fetch: answer });
  const list = async (c: ReturnType<typeof client>) => { for await (const ids of c.connector.listWaiting()) return ids; return []; };

  test('401 and 403: the credentials', async () => {
    for (const status of [401, 403]) {
      const e = await failure(list(client(async () => new Response('{"errorCode":"UNAUTHORIZED"}', { status }))));
      expect(e).toMatchObject({ kind: 'credentials_refused', status, retryable: false });
      expect(e.message).toMatch(/check the system credentials and certificate/); // the English detail as it was
    }
  });

  test('5xx, 429 and a network failure: the provider, tried again', async () => {
    for (const status of [500, 503, 429]) {
      expect(await failure(list(client(async () => new Response('', { status }))))).toMatchObject({ kind: 'provider_unavailable', retryable: true });
    }
    const down = await failure(list(client(async () => { throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') }); })));
    expect(down).toMatchObject({ kind: 'provider_unavailable', retryable: true });
  });

  test('a malformed list or a letter cut short: the answer', async () => {
    expect(await failure(list(client(async () => new Response('{"content": [', { status: 200 })))))
      .toMatchObject({ kind: 'provider_answer_unreadable', retryable: true });
    const c = client(async () => new Response('<memo/>', { status: 200, headers: { 'content-length': '900' } }));
    expect(await failure(c.connector.fetchRaw(randomUUID()))).toMatchObject({ kind: 'provider_answer_unreadable', retryable: true });
  });

  test('another 4xx is none of these', async () => {
    expect(await failure(list(client(async () => new Response('', { status: 400 }))))).toMatchObject({ kind: 'unknown', retryable: false });
  });

  test('the certificate, or an http:// address for it', async () => {
    const expired = new NgdpCertificateError('expired', 'The Digital Post certificate "CN=x" expired on 2021-01-01; upload a renewed certificate.');
    expect(await failure(list(client(async () => { throw expired; })))).toMatchObject({ kind: 'certificate_problem', retryable: false });
    const plain = new NgdpCertificateError('insecure-base-url', 'A client certificate needs an https:// Digital Post URL, not http://x.');
    expect(await failure(list(client(async () => { throw plain; })))).toMatchObject({ kind: 'settings_invalid' });
    const alert = Object.assign(new Error('alert'), { code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' });
    expect(await failure(list(client(async () => { throw alert; })))).toMatchObject({ kind: 'certificate_problem', retryable: false });
  });

  test('no mailbox of the CVR number at Digital Post (backfill): not set up there', async () => {
    const m = { config: {}, client: { findMailboxId: async () => null } } as unknown as Parameters<typeof resolveNgdpMailboxId>[0];
    expect(await failure(resolveNgdpMailboxId(m, CVR))).toMatchObject({ kind: 'not_set_up_at_provider', retryable: false });
  });
});

describe('a stored mailbox that cannot make a connector', () => {
  const sealer = createSealer(randomBytes(32));
  const row = (over: Partial<MailboxRow>): MailboxRow => ({
    id: randomUUID(), orgId: randomUUID(), cvr: CVR, provider: 'ngdp', config: { baseUrl: BASE, systemUsername: randomUUID() },
    secretEnc: sealer.seal(JSON.stringify({ systemPassword: 'x' })), ...over,
  });

  test('the factory (polls): credentials missing or unreadable, settings invalid, the certificate, the address', async () => {
    const connectorFor = connectorFactory(sealer);
    expect(await failure(() => connectorFor(row({ secretEnc: null })))).toMatchObject({ kind: 'credentials_refused', message: expect.stringMatching(/no credentials configured/) });
    expect(await failure(() => connectorFor(row({ secretEnc: createSealer(randomBytes(32)).seal('{}') })))).toMatchObject({ kind: 'credentials_refused' });
    expect(await failure(() => connectorFor(row({ secretEnc: sealer.seal('{}') })))).toMatchObject({ kind: 'credentials_refused' });
    expect(await failure(() => connectorFor(row({ config: { baseUrl: BASE } })))).toMatchObject({ kind: 'settings_invalid' });
    const badCertificate = sealer.seal(JSON.stringify({ systemPassword: 'x', certificate: { format: 'pfx', pfxBase64: 'AAAA', passphrase: 'x' } }));
    expect(await failure(() => connectorFor(row({ secretEnc: badCertificate })))).toMatchObject({ kind: 'certificate_problem' });
    expect(await failure(() => connectorFor(row({ config: { baseUrl: 'https://evil.example/apis/v1', systemUsername: randomUUID() } })))).toMatchObject({ kind: 'settings_invalid' });
    // Not ProviderErrors: their sentence and backoff stay those of any failure.
    expect(await failure(() => connectorFor(row({ secretEnc: null })))).not.toBeInstanceOf(ProviderError);
  });

  test('the Digital Post client of the other calls (receipts, backfill, replies)', async () => {
    expect(await failure(() => openNgdpMailbox(row({ secretEnc: null }), sealer))).toMatchObject({ kind: 'credentials_refused' });
    expect(await failure(() => openNgdpMailbox(row({ config: { baseUrl: BASE } }), sealer))).toMatchObject({ kind: 'settings_invalid' });
    expect(await failure(() => openNgdpMailbox(row({ provider: 'eboks' }), sealer))).toMatchObject({ kind: 'settings_invalid' });
  });
});

describe('the kind recorded for any error of a poll', () => {
  test('a ProviderError or a set-up error says its own', () => {
    expect(ingestErrorKind(new ProviderError('not_set_up_at_provider', 'no folder', false))).toBe('not_set_up_at_provider');
    expect(ingestErrorKind(new ConnectorSetupError('settings_invalid', 'x'))).toBe('settings_invalid');
  });
  test('a certificate refused while building the transport, the database, anything else', () => {
    expect(ingestErrorKind(new NgdpCertificateError('expired', 'expired'))).toBe('certificate_problem');
    const lost = new DrizzleQueryError('select 1', [], Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' }));
    expect(ingestErrorKind(lost)).toBe('database');
    expect(ingestErrorKind(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe('database');
    expect(ingestErrorKind(new Error('something else'))).toBe('unknown');
    expect(ingestErrorKind('a string')).toBe('unknown');
  });
  test('statuses', () => {
    expect([401, 403, 500, 502, 503, 429, 408, 400, 404, 409, 422].map(kindOfStatus)).toEqual([
      'credentials_refused', 'credentials_refused', 'provider_unavailable', 'provider_unavailable', 'provider_unavailable',
      'provider_unavailable', 'provider_unavailable', 'unknown', 'unknown', 'unknown', 'unknown',
    ]);
  });
});

describe('health', () => {
  const base = {
    id: randomUUID(), orgId: randomUUID(), cvr: CVR, provider: 'eboks', config: {}, secretEnc: null, paused: false, lastFetchAt: null,
    lastErrorAt: new Date('2026-11-29T10:00:00Z'), consecutiveFailures: 1, backoffUntil: null, waitingAtLastPoll: null, removedAt: null,
    createdAt: new Date(), nextPollAt: null, pollingUntil: null,
  };
  const health = (lastError: string | null, lastErrorKind: string | null, detail = true) =>
    mailboxHealthSchema.parse(mailboxHealth({ ...base, lastError, lastErrorKind } as never, { undelivered: 0, quarantined: 2 }, detail));

  test('carries the kind with the sentence; an old row has none; a kind this version does not know is unknown', () => {
    expect(health('e-Boks refused the logon', 'credentials_refused')).toMatchObject({ lastError: 'e-Boks refused the logon', lastErrorKind: 'credentials_refused' });
    expect(health('Digital Post answered 503', null)).toMatchObject({ lastError: 'Digital Post answered 503', lastErrorKind: null });
    expect(health('x', 'some_future_kind').lastErrorKind).toBe('unknown');
    expect(health(null, 'credentials_refused').lastErrorKind).toBeNull();
  });

  test('to a caller who does not see the quarantine: the kind and the facts, no sentence and no quarantine count', () => {
    const sentence = 'The Digital Post letter abc was quarantined: not a date';
    expect(health(sentence, 'letter_given_up')).toMatchObject({ lastError: sentence, quarantined: 2, detailHidden: false });
    expect(health(sentence, 'letter_given_up', false)).toMatchObject({
      lastError: null, lastErrorKind: 'letter_given_up', quarantined: null, detailHidden: true, consecutiveFailures: 1, lastErrorAt: '2026-11-29T10:00:00.000Z',
    });
    // An error recorded before kinds still shows as one; no error stays none.
    expect(health(sentence, null, false).lastErrorKind).toBe('unknown');
    expect(health(null, null, false).lastErrorKind).toBeNull();
  });
});
