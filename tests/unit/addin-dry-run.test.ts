// The dry run's before → after in words (addin/src/components/admin/rules/describe.ts): each
// destination with the folder a rule's template chose, so a change of folder alone can be seen.
import type { i18n } from 'i18next';
import { dryRunSideText } from '../../addin/src/components/admin/rules/describe';
import { dryRunChangeSchema } from '../../shared/src/contracts';
import { paneLanguages, tr } from '../helpers/i18n';

describe('dry run in words', () => {
  let da_: i18n;
  let en_: i18n;
  beforeAll(async () => { [da_, en_] = await paneLanguages(); });

  test('a change of folder alone reads as a change; triage and a destination\'s own folder as before', () => {
    const change = dryRunChangeSchema.parse({
      messageId: '8d6c1d0e-5b8a-4c5e-9a55-2b1c3d4e5f60', label: 'Moms', senderName: 'Skattestyrelsen', receivedAt: '2026-01-05T10:00:00.000Z',
      before: { kind: 'destinations', destinations: ['Økonomi'], places: [{ destination: 'Økonomi', folder: 'Skat/Skattestyrelsen' }], rules: ['Skat'] },
      after: { kind: 'destinations', destinations: ['Økonomi'], places: [{ destination: 'Økonomi', folder: 'Andet/2026/Ukendt' }], rules: ['Skat'] },
    });
    expect(dryRunSideText(change.before, tr(da_))).toBe('Økonomi, mappe Skat/Skattestyrelsen');
    expect(dryRunSideText(change.after, tr(da_))).toBe('Økonomi, mappe Andet/2026/Ukendt');
    expect(dryRunSideText(change.after, tr(en_))).toBe('Økonomi, folder Andet/2026/Ukendt');
    expect(dryRunSideText({ kind: 'destinations', destinations: ['HR', 'Løn'], places: [{ destination: 'HR', folder: null }, { destination: 'Løn', folder: null }], rules: [] }, tr(en_))).toBe('HR, Løn');
    expect(dryRunSideText({ kind: 'triage', destinations: [], places: [], rules: [] }, tr(da_))).toBe('sortering');
  });
});
