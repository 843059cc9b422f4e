// The dead-letter notice on the letter's timeline (codes.ts eventTitle/eventDetail for admins_notified, as
// backend delivery/notify.ts writes it: sent, waiting because the operator refuses the notice sender, or
// not set up), pointing to the pane's real place for the settings (Settings › Delivery); that page's own
// field checks and how it says a server refusal at its field; Danish labels of the mailbox credentials.
import type { i18n } from 'i18next';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { I18nextProvider } from 'react-i18next';
import { ApiError } from '../../addin/src/api/client';
import { eventDetail, eventTitle } from '../../addin/src/codes';
import { Timeline } from '../../addin/src/components/Timeline';
import { noticeFieldProblems, noticeForm } from '../../addin/src/components/admin/settings/DeliverySection';
import { placeProblems } from '../../addin/src/components/admin/field-problems';
import { da } from '../../addin/src/i18n/da';
import { en } from '../../addin/src/i18n/en';
import type { TimelineEvent } from '../../shared/src/contracts';
import { paneLanguages, tr } from '../helpers/i18n';

const ev = (data: Record<string, unknown>, text = 'English text of the server'): TimelineEvent =>
  ({ type: 'admins_notified', at: '2026-11-29T13:40:03.000Z', actor: 'system', text, data } as TimelineEvent);

describe('the dead-letter notice on the timeline, and Settings › Delivery', () => {
  let da_: i18n;
  let en_: i18n;
  beforeAll(async () => { [da_, en_] = await paneLanguages(); });

  // notify.ts recordWaiting: the data as it writes it, with and without the names.
  const waiting = ev({ deliveryId: 'd', sent: false, waiting: true, reason: 'sender_not_allowed' });
  const waitingNamed = ev({ deliveryId: 'd', sent: false, waiting: true, reason: 'sender_not_allowed', destination: 'Økonomi', domain: 'rival.example' });
  const notConfigured = ev({ deliveryId: 'd', sent: false });
  const sent = ev({ deliveryId: 'd', sent: true, to: 'it@x.dk', destination: 'Økonomi' });

  test('a notice waiting because the sender is refused: says it waits for the operator and then goes, never "not set up"; titled as waiting', () => {
    for (const e of [waiting, waitingNamed]) {
      const d = eventDetail(e, tr(da_), 'da')!;
      const n = eventDetail(e, tr(en_), 'en')!;
      expect(d).not.toMatch(/der er ikke sat en adresse/);
      expect(n).not.toMatch(/no notification address/);
      expect(d).toMatch(/venter og sendes af sig selv, så snart driften tillader afsenderen/);
      expect(n).toMatch(/waits and goes by itself as soon as the operator allows the sender/);
      expect(d).toContain('Indstillinger → Levering');
      expect(n).toContain('Settings → Delivery');
      expect(eventTitle(e, tr(da_))).toBe('Besked til administratorer venter');
      expect(eventTitle(e, tr(en_))).toBe('Notice to admins waiting');
    }
    expect(eventDetail(waitingNamed, tr(da_), 'da')).toMatch(/aflevering til Økonomi: .*postkasser i rival\.example/);
    // Waiting for a reason this pane does not know: the server's sentence, not "not set up".
    expect(eventDetail(ev({ deliveryId: 'd', sent: false, waiting: true, reason: 'something_new' }), tr(da_), 'da')).toBeNull();
  });

  test('no address and sender: "not notified", pointing to Settings › Delivery (a page that exists), not "administration → levering"', () => {
    expect(eventDetail(notConfigured, tr(da_), 'da')).toBe('Ingen administrator fik besked om den mislykkede aflevering: der er ikke sat en adresse og afsender op til beskeder (Indstillinger → Levering).');
    expect(eventDetail(notConfigured, tr(en_), 'en')).toMatch(/\(Settings → Delivery\)\.$/);
    expect(eventTitle(notConfigured, tr(da_))).toBe('Administratorer ikke underrettet');
    expect(eventTitle(notConfigured, tr(en_))).toBe('Admins not notified');
    // The tab and section named exist under those names.
    expect([da.admin.tab.settings, da.admin.settings.deliveryTitle, en.admin.tab.settings, en.admin.settings.deliveryTitle]).toEqual(['Indstillinger', 'Levering', 'Settings', 'Delivery']);
    // A sent notice keeps its label; other events theirs.
    expect(eventTitle(sent, tr(da_))).toBe('Administratorer underrettet');
    expect(eventTitle({ type: 'delivered', data: {} }, tr(en_))).toBe('Delivered');
  });

  test('the rendered timeline labels each notice by what happened', () => {
    const html = renderToStaticMarkup(createElement(I18nextProvider, { i18n: da_ }, createElement(Timeline, { events: [waitingNamed] })));
    expect(html).toContain('>Besked til administratorer venter<');
    expect(html).not.toContain('Administratorer underrettet');
    expect(html).not.toContain('English text of the server');
  });

  test('Settings › Delivery checks each field as the server does: an address each, both or neither', () => {
    const t = tr(da_);
    expect(noticeFieldProblems('', '', t)).toEqual({});
    expect(noticeFieldProblems('it-drift@nordlys.example', 'digitalpost@nordlys.example', t)).toEqual({});
    expect(noticeFieldProblems('it-drift', 'digitalpost@nordlys.example', t)).toEqual({ address: 'Skriv en mailadresse, fx it-drift@firma.dk.' });
    expect(noticeFieldProblems('it-drift@nordlys.example', 'x@', t)).toEqual({ sender: 'Skriv postkassens adresse, fx digitalpost@firma.dk.' });
    expect(noticeFieldProblems('it-drift@nordlys.example', ' ', t)).toEqual({ sender: 'Udfyld både adresse og afsender, eller lad begge stå tomme.' });
    expect(noticeFieldProblems('', 'digitalpost@nordlys.example', t)).toEqual({ address: 'Udfyld både adresse og afsender, eller lad begge stå tomme.' });
  });

  test('Settings › Delivery says a refused sender at the sender field, in the reader\'s language, by its code', () => {
    const noticeServerProblem = (e: unknown, t: ReturnType<typeof tr>) => placeProblems(e, noticeForm(t), t)?.fields ?? null;
    const refused = (allowed: string) => new ApiError('http', 'mailbox_domain_not_allowed', 'The notification sender was not saved. Your organisation may not deliver …', 400, true,
      { params: { domain: 'rival.example', allowed } });
    expect(noticeServerProblem(refused('nordlys.example'), tr(da_))).toEqual({
      sender: 'Driften af Brevdue tillader ikke postkasser i rival.example for jeres organisation, så beskeder kan ikke sendes derfra. Tilladt nu: nordlys.example.',
    });
    expect(noticeServerProblem(refused(''), tr(en_))!.sender).toMatch(/^The operator of Brevdue does not allow mailboxes in rival\.example for your organisation, so notices cannot be sent from there\. Choose/);
    // A zod refusal's problem at its field, said as the pane's own check says it; found by its field, not by parsing the English sentence.
    const invalid = (field: string) => new ApiError('http', 'invalid_request', 'subjectTemplate: the English sentence', 400, true,
      { problems: [{ code: 'field_not_email', params: { field }, message: `${field}: the notification address must be an e-mail address` }] });
    expect(noticeServerProblem(invalid('notifyAddress'), tr(da_))).toEqual({ address: 'Skriv en mailadresse, fx it-drift@firma.dk.' });
    expect(noticeServerProblem(invalid('notifySender'), tr(en_))).toEqual({ sender: 'Enter the mailbox\'s address, e.g. digitalpost@company.com.' });
    expect(placeProblems(new ApiError('http', 'invalid_request', 'notifyAddress: the English sentence', 400, true), noticeForm(tr(da_)), tr(da_))!.fields).toEqual({});
    // Anything else is not about a field: the form's error bar says it.
    expect(noticeServerProblem(new ApiError('http', 'forbidden', 'Needs admin', 403, true), tr(da_))).toEqual({});
    expect(noticeServerProblem(new ApiError('network', 'network', 'offline'), tr(da_))).toBeNull();
  });

  test('the mailbox credentials\' labels are Danish in Danish', () => {
    const f = da.admin.mailboxes.credentials.field;
    expect(f.dppRefreshToken).not.toBe(en.admin.mailboxes.credentials.field.dppRefreshToken);
    expect(f.ngdpRefreshToken).not.toBe(en.admin.mailboxes.credentials.field.ngdpRefreshToken);
    expect(f.dppRefreshToken).toMatch(/^Fornyelsestoken/);
  });
});
