// The statistics breakdown's row names (addin/src/components/stats/labels.ts): groups that share a
// display name are told apart by their id, for any breakdown; a CVR number always shows its number.
import type { i18n } from 'i18next';
import { breakdownLabels } from '../../addin/src/components/stats/labels';
import { paneLanguages, tr } from '../helpers/i18n';

let da_: i18n;
let en_: i18n;
beforeAll(async () => { [da_, en_] = await paneLanguages(); });

const row = (key: string | null, label: string) => ({ key, label });

test('two senders with the same name: each with its id; a sender whose name is unique: the name alone', () => {
  const rows = [row('73423023', 'Skattestyrelsen'), row('64942212', 'Københavns Kommune'), row('19552101', 'Skattestyrelsen'), row(null, '')];
  expect(breakdownLabels(rows, 'sender', tr(da_))).toEqual(['Skattestyrelsen (73423023)', 'Københavns Kommune', 'Skattestyrelsen (19552101)', 'Øvrige']);
  expect(breakdownLabels(rows, 'sender', tr(en_))[3]).toBe('Others');
});

test('names a person would take for the same (case, spaces) count as the same; every label is then unique', () => {
  const rows = [row('73423023', 'Skattestyrelsen'), row('19552101', ' SKATTESTYRELSEN'), row('11111111', 'Skatte  styrelsen')];
  const labels = breakdownLabels(rows, 'sender', tr(da_));
  expect(labels.slice(0, 2)).toEqual(['Skattestyrelsen (73423023)', ' SKATTESTYRELSEN (19552101)']);
  expect(labels[2]).toBe('Skatte  styrelsen');
  expect(new Set(labels).size).toBe(labels.length);
});

test('any breakdown: destinations by a short id, a group named like "Other" by its id; CVR numbers always', () => {
  const a = '3f2a9c1e-0000-4000-8000-000000000001';
  const b = '9b7d5e21-0000-4000-8000-000000000002';
  expect(breakdownLabels([row(a, 'Økonomi'), row(b, 'Økonomi'), row('c', 'HR')], 'destination', tr(da_))).toEqual(['Økonomi (3f2a9c1e)', 'Økonomi (9b7d5e21)', 'HR']);
  expect(breakdownLabels([row('99999999', 'Øvrige'), row(null, '')], 'sender', tr(da_))).toEqual(['Øvrige (99999999)', 'Øvrige']);
  expect(breakdownLabels([row('12345674', 'Nordlys Holding A/S'), row('87654321', '87654321')], 'cvr', tr(da_))).toEqual(['Nordlys Holding A/S (12345674)', '87654321']);
  expect(breakdownLabels([row('ngdp', 'ngdp'), row('eboks', 'eboks')], 'channel', tr(en_))).toEqual(['Digital Post', 'e-Boks']);
});
