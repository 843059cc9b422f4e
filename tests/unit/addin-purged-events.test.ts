// A letter not delivered because its content was deleted first (backend retention/not-delivered.ts):
// the timeline says so in the reader's language — its own label, why, which destination, and a copy an
// unfinished earlier attempt may have left — never "gave up after N attempts" nor the English sentence.
import type { i18n } from 'i18next';
import { eventDetail, eventTitle } from '../../addin/src/codes';
import type { TimelineEvent } from '../../shared/src/contracts';
import { paneLanguages, tr } from '../helpers/i18n';

describe('letters not delivered because their content was deleted, in words', () => {
  let da_: i18n;
  let en_: i18n;
  beforeAll(async () => { [da_, en_] = await paneLanguages(); });
  const ev = (type: TimelineEvent['type'], data: Record<string, unknown>): TimelineEvent => ({ at: '2026-01-05T10:00:00.000Z', type, actor: 'system', text: 'English sentence', data });

  test('never routed, a delivery ended, one whose earlier attempt may have left a copy; and a copy found after the erase', () => {
    const notRouted = ev('delivery_failed', { purged: 'dsr' });
    const ended = ev('delivery_failed', { purged: 'retention', deliveryId: 'd', destination: 'Økonomi', attempt: 1 });
    const unsure = ev('delivery_failed', { purged: 'dsr', deliveryId: 'd', destination: 'Økonomi', attempt: 2, copyUnknown: true });
    const found = ev('delivered', { destination: 'Økonomi', destinationKind: 'shared_mailbox', mailbox: 'oekonomi@x.dk', folder: 'Indbakke', foundExisting: true, contentErased: true, notes: [] });
    expect(eventTitle(notRouted, tr(da_))).toBe('Ikke leveret');
    expect(eventTitle(ended, tr(en_))).toBe('Not delivered');
    expect(eventDetail(notRouted, tr(da_), 'da')).toBe('Ikke sorteret eller afleveret: brevets indhold blev slettet (efter anmodning fra den registrerede), før det blev afleveret');
    expect(eventDetail(ended, tr(da_), 'da')).toBe('Ikke afleveret til Økonomi: brevets indhold blev slettet (opbevaringsperioden var udløbet), før det blev afleveret');
    expect(eventDetail(unsure, tr(en_), 'en')).toBe('Not delivered to Økonomi: the letter\'s content was deleted (at the data subject\'s request) before it was delivered; '
      + 'an earlier attempt did not finish and may have left a copy there; if so, delete it in Microsoft 365');
    expect(eventDetail(found, tr(da_), 'da')).toBe('Afleveret til Økonomi (oekonomi@x.dk, mappe Indbakke); fundet fra et tidligere forsøg; brevets indhold er siden slettet i Brevdue, men denne kopi ligger stadig dér');
    // An ordinary give-up keeps its own label and words.
    const gaveUp = ev('delivery_failed', { attempt: 3, destination: 'Økonomi', reason: 'Graph answered 403' });
    expect(eventTitle(gaveUp, tr(da_))).toBe('Levering fejlede');
    expect(eventDetail(gaveUp, tr(en_), 'en')).toMatch(/gave up after 3 attempts/);
  });
});
