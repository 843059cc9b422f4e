// Admin › Mailboxes' feedback after saving credentials (the first poll's result, mailboxes/check.ts),
// the e-Boks device id's format (pane and server alike), no OpenSSL internals in a certificate refusal,
// and a mailbox's last error as its kind's headline and what to do, above the English detail (the
// headline alone to a role that does not see the mailbox's quarantine, without a quarantine toggle),
// also in the jobs view's failures.
import type { i18n } from 'i18next';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { I18nextProvider } from 'react-i18next';
import { pollOutcome, needsCheck } from '../../addin/src/components/admin/mailboxes/check';
import { ApiProvider } from '../../addin/src/api/context';
import type { ApiClient } from '../../addin/src/api/client';
import { CheckBar } from '../../addin/src/components/admin/MailboxTools';
import { MailboxRow } from '../../addin/src/components/admin/MailboxesPage';
import { FailureItem } from '../../addin/src/components/admin/JobsSection';
import type { MailboxCheck } from '../../addin/src/components/admin/mailboxes/useMailboxCheck';
import { jobsOverviewSchema, mailboxErrorKindSchema, mailboxViewSchema, type MailboxHealth } from '../../shared/src/contracts';
import { paneLanguages } from '../helpers/i18n';
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

describe('a mailbox\'s last error in the pane: the kind\'s headline and what to do, the English detail below', () => {
  let da_: i18n;
  let en_: i18n;
  beforeAll(async () => { [da_, en_] = await paneLanguages(); });
  const REFUSED = 'e-Boks refused the logon for identity 020280… (401): check the password, the activation code and the device id it was issued for, then save the credentials again.';
  const DOWN = 'e-Boks answered 503 to GET /folders (will try again).';
  const render = (i: i18n, node: ReturnType<typeof createElement>) =>
    renderToStaticMarkup(createElement(I18nextProvider, { i18n: i }, createElement(ApiProvider, { client: {} as ApiClient, children: node })));
  const bar = (check: MailboxCheck, i: i18n = da_) =>
    render(i, createElement(CheckBar, { check, kind: 'renew', provider: 'e-Boks', name: 'Nordlys Holding A/S', testId: 'credentials-saved' }));
  const row = (health: Partial<MailboxHealth>, i: i18n = da_) => {
    const m = mailboxViewSchema.parse({
      id: crypto.randomUUID(), cvr: '72494814', provider: 'eboks', config: {}, hasCredentials: true, paused: false,
      health: { state: 'backing_off', lastFetchAt: null, lastErrorAt: '2026-11-29T10:00:05.000Z', lastError: null, lastErrorKind: null, consecutiveFailures: 1, nextAttemptAfter: null, waitingAtProvider: null, undelivered: 0, quarantined: 0, ...health },
    });
    return render(i, createElement(MailboxRow, { m, cvrName: 'Nordlys Holding A/S', busy: false, onToggle: () => {}, onQuarantineChanged: () => {}, onChanged: () => {} }));
  };
  const text = (html: string) => html.replace(/<[^>]+>/g, '\n').replace(/&quot;/g, '"').replace(/&#x27;/g, '\'').replace(/&amp;/g, '&');

  test('the mailbox\'s row: refused credentials in Danish, what to do, then the technical detail', () => {
    const t = text(row({ lastError: REFUSED, lastErrorKind: 'credentials_refused' }));
    expect(t).toMatch(/Seneste fejl .+: Adgangsoplysningerne til e-Boks virker ikke/);
    expect(t).toContain('»Forny adgangsoplysninger«');
    expect(t).toContain(`Teknisk detalje: ${REFUSED}`);
    expect(t.indexOf('Adgangsoplysningerne til e-Boks virker ikke')).toBeLessThan(t.indexOf('Teknisk detalje'));
    expect(text(row({ lastError: REFUSED, lastErrorKind: 'credentials_refused' }, en_))).toContain('The e-Boks credentials do not work');
    // The provider down: nothing to do.
    const down = text(row({ lastError: DOWN, lastErrorKind: 'provider_unavailable' }));
    expect(down).toContain('e-Boks svarer ikke lige nu');
    expect(down).toContain('Du skal ikke gøre noget');
  });

  test('an error recorded before kinds: the sentence alone, as before', () => {
    const t = text(row({ lastError: DOWN, lastErrorKind: null }));
    expect(t).toMatch(new RegExp(`Seneste fejl .+: ${DOWN.replace(/[.()/]/g, '\\$&')}`));
    expect(t).not.toContain('Teknisk detalje');
    expect(t).not.toContain('svarer ikke lige nu');
  });

  test('the check after saving: refused credentials say they do not work, with the headline and the detail', () => {
    const t = text(bar({ phase: 'failed', error: REFUSED, kind: 'credentials_refused' }));
    expect(t).toContain('men de virker ikke');
    expect(t).toContain('Adgangsoplysningerne til e-Boks virker ikke');
    expect(t).toContain(`Teknisk detalje: ${REFUSED}`);
    expect(text(bar({ phase: 'failed', error: REFUSED, kind: 'credentials_refused' }, en_))).toContain(`Technical detail: ${REFUSED}`);
  });

  test('the check after saving: the provider down is not "they do not work"', () => {
    const t = text(bar({ phase: 'failed', error: DOWN, kind: 'provider_unavailable' }));
    expect(t).not.toContain('virker ikke');
    expect(t).toContain('ikke på grund af noget, I skal rette');
    expect(t).toContain('e-Boks svarer ikke lige nu');
    expect(t).toContain(`Teknisk detalje: ${DOWN}`);
  });

  test('the check after saving, an error without a kind: the sentence alone', () => {
    const t = text(bar({ phase: 'failed', error: DOWN, kind: null }));
    expect(t).toContain('men de virker ikke');
    expect(t).toContain(`Fejlen: ${DOWN}`);
    expect(t).not.toContain('Teknisk detalje');
  });

  test('to a role that does not see the mailbox\'s quarantine: the headline alone, no quarantine count and no "Show" toggle that would be refused', () => {
    const GIVEN_UP = 'The e-Boks letter 4711-abc was quarantined: MessageHeader/createdDateTime: not a date';
    // Who sees the quarantine: the headline, what to do, the detail, the count and the toggle.
    const shown = row({ lastError: GIVEN_UP, lastErrorKind: 'letter_given_up', consecutiveFailures: 0, quarantined: 1 });
    expect(text(shown)).toContain(`Teknisk detalje: ${GIVEN_UP}`);
    expect(shown).toContain('data-testid="mailbox-quarantine-toggle"');
    expect(shown).toContain('data-testid="mailbox-quarantined"');

    const health = { lastError: null, lastErrorKind: 'letter_given_up' as const, consecutiveFailures: 0, quarantined: null, detailHidden: true };
    const hidden = row(health);
    const t = text(hidden);
    expect(t).toMatch(/Seneste fejl .+: Et brev er lagt i karantæne/);
    expect(t).not.toContain('Teknisk detalje');
    expect(t).not.toContain('Vis breve i karantæne'); // neither the toggle nor the action pointing to it
    expect(hidden).not.toContain('mailbox-quarantine-toggle');
    expect(hidden).not.toContain('data-testid="mailbox-quarantined"');
    expect(hidden).not.toContain('mailbox-last-error-detail');
    expect(t).toContain('vises ikke for din rolle, som er begrænset til bestemte modtagere');
    const en = text(row(health, en_));
    expect(en).toContain('A letter was put in quarantine');
    expect(en).toContain('not shown to your role');
    expect(en).not.toMatch(/Technical detail|Show letters in quarantine/);
  });

  test('the jobs view: a mailbox\'s failure as its kind\'s headline, the English sentence below as the technical detail', () => {
    const failure = (f: object, i: i18n = da_) => render(i, createElement('ul', null,
      createElement(FailureItem, { f: jobsOverviewSchema.shape.recentFailures.element.parse(f) })));
    const polled = { name: 'poll-mailbox', failedAt: '2026-11-29T10:00:05.000Z', failCount: 2, failReason: DOWN, mailbox: { provider: 'eboks', errorKind: 'provider_unavailable' } };
    const t = text(failure(polled));
    expect(t).toContain('e-Boks svarer ikke lige nu');
    expect(t).toContain(`Teknisk detalje: ${DOWN}`);
    expect(t.indexOf('e-Boks svarer ikke lige nu')).toBeLessThan(t.indexOf('Teknisk detalje'));
    expect(t).not.toContain('Du skal ikke gøre noget'); // the headline and the detail, not the row's advice
    const en = text(failure(polled, en_));
    expect(en).toContain('e-Boks is not answering right now');
    expect(en).toContain(`Technical detail: ${DOWN}`);
    // Recorded before kinds, and failures of other jobs: the sentence alone, as before.
    for (const f of [{ ...polled, mailbox: { provider: 'eboks', errorKind: null } }, { name: 'deliver', failedAt: polled.failedAt, failCount: 1, failReason: 'Microsoft Graph answered 503' }]) {
      const plain = text(failure(f));
      expect(plain).toContain(f.failReason);
      expect(plain).not.toContain('Teknisk detalje');
      expect(plain).not.toContain('svarer ikke lige nu');
    }
  });

  test('every kind has a headline and what to do, in both languages', () => {
    for (const i of [da_, en_]) {
      for (const k of mailboxErrorKindSchema.options) {
        for (const part of ['headline', 'action']) {
          const key = `admin.mailboxes.errorKind.${k}.${part}`;
          expect(i.exists(key)).toBe(true);
          expect(String(i.t(key as never, { provider: 'e-Boks' } as never))).not.toContain('{{');
        }
      }
    }
  });
});
