// Admin › Mailboxes' feedback after saving credentials (the first poll's result, mailboxes/check.ts),
// the e-Boks device id's format (pane and server alike), and no OpenSSL internals in a certificate refusal.
import { pollOutcome, needsCheck } from '../../addin/src/components/admin/mailboxes/check';
import { EBOKS_DEVICE_ID as PANE_DEVICE_ID, settingProblems } from '../../addin/src/components/admin/mailboxes/attach';
import { EBOKS_DEVICE_ID, eboksConfigSchema } from '../../backend/src/ingest/eboks/provider';
import { withoutOpenSslDetail } from '../../backend/src/api/admin';

const h = (lastFetchAt: string | null, lastErrorAt: string | null, consecutiveFailures = 0) => ({ lastFetchAt, lastErrorAt, consecutiveFailures });

describe('the first poll after saving credentials', () => {
  const before = h('2026-11-29T10:00:00.000Z', '2026-11-29T09:00:00.000Z');
  test('no newer fetch or error: not known yet', () => {
    expect(pollOutcome(before, h('2026-11-29T10:00:00.000Z', '2026-11-29T09:00:00.000Z', 0))).toBeNull();
    // An old error with failures counted (saved credentials reset them; a stale answer) is not the new poll's.
    expect(pollOutcome(before, h('2026-11-29T10:00:00.000Z', '2026-11-29T09:00:00.000Z', 3))).toBeNull();
  });
  test('a newer error with failures counted: refused', () => {
    expect(pollOutcome(before, h('2026-11-29T10:00:00.000Z', '2026-11-29T10:00:05.000Z', 1))).toBe('failed');
    expect(pollOutcome(h(null, null), h(null, '2026-11-29T10:00:05.000Z', 1))).toBe('failed');
  });
  test('a newer successful fetch: works, also when the old error stays', () => {
    expect(pollOutcome(before, h('2026-11-29T10:00:05.000Z', '2026-11-29T09:00:00.000Z', 0))).toBe('ok');
    expect(pollOutcome(h(null, null), h('2026-11-29T10:00:05.000Z', null, 0))).toBe('ok');
  });
  test('both newer: the later one counts', () => {
    expect(pollOutcome(before, h('2026-11-29T10:00:05.000Z', '2026-11-29T10:00:09.000Z', 1))).toBe('failed');
    expect(pollOutcome(before, h('2026-11-29T10:00:09.000Z', '2026-11-29T10:00:05.000Z', 0))).toBe('ok');
  });
  test('paused and push mailboxes are not waited for', () => {
    expect(needsCheck({ paused: true, health: { state: 'paused' } as never })).toBe(false);
    expect(needsCheck({ paused: false, health: { state: 'push' } as never })).toBe(false);
    expect(needsCheck({ paused: false, health: { state: 'ok' } as never })).toBe(true);
  });
});

describe('the e-Boks device id', () => {
  const base = { deviceId: '0d4b8a7f-3c10-4c55-9e21-6f1c2a8e3b7d' };
  test('pane and server agree', () => expect(PANE_DEVICE_ID.source).toBe(EBOKS_DEVICE_ID.source));
  test.each([['0d4b8a7f-3c10-4c55-9e21-6f1c2a8e3b7d', true], ['d', true], ['x'.repeat(3000), false], ['a"b', false], ['a b', false], ['a,b', false], ['x'.repeat(65), false]])(
    '%s', (id, ok) => {
      expect(eboksConfigSchema.safeParse({ ...base, deviceId: id }).success).toBe(ok);
      const p = settingProblems('eboks', { baseUrl: 'https://rest.e-boks.dk/mobile/1/xml.svc/en-gb', deviceId: id, identityType: 'P', nationality: 'DK', mailboxId: '0', inboxFolder: 'Indbakke', archiveFolder: 'Arkiv' }, (k) => k);
      expect(p.deviceId).toBe(ok ? undefined : 'admin.mailboxes.attach.format.deviceId');
    },
  );
});

test('a certificate refusal keeps its sentence, not OpenSSL\'s internals', () => {
  expect(withoutOpenSslDetail('Digital Post credentials: certificate.certificate: The certificate is not a readable X.509 certificate: error:0680007B:asn1 encoding routines::header too long'))
    .toBe('Digital Post credentials: certificate.certificate: The certificate is not a readable X.509 certificate.');
  expect(withoutOpenSslDetail('The private key is not readable: error:1E08010C:DECODER routines::unsupported')).toBe('The private key is not readable.');
  expect(withoutOpenSslDetail('Digital Post settings: baseUrl: Invalid url')).toBe('Digital Post settings: baseUrl: Invalid url');
});
