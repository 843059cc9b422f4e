// The pane's pure rules for choosing destinations and acting on a letter's deliveries.
import { destinationWhere, filterDestinations, foldForSearch, joinNames } from '../../addin/src/destinations';
import { destinationsWithCopy, hasMovableCopy, isSettled, resendTargets } from '../../addin/src/letters';
import type { DeliveryInfo, MessageDetail } from '../../shared/src/contracts';
import { fixtureDestinations, fixtureMessages } from '../e2e/fixtures';

const kind = (d: { kind: string }) => ({ shared_mailbox: 'Fælles postkasse', user_mailbox: 'Personlig postkasse', teams_channel: 'Teams-kanal' }[d.kind] ?? '');

function delivery(over: Partial<DeliveryInfo> & { dest: number; status: DeliveryInfo['status'] }): DeliveryInfo {
  const d = fixtureDestinations[over.dest];
  return {
    id: over.id ?? `00000000-0000-4000-8000-0000000007${String(over.dest).padStart(2, '0')}`,
    destination: d, reason: 'initial', requestedBy: 'system', attempts: 1,
    graphMessageId: d.mailbox && over.status === 'delivered' ? 'AAMk=' : null, deliveredAt: null, lastError: null, ...over,
  };
}

describe('add-in destination search', () => {
  test('folding forgives case, accents and the Danish letters ø and æ', () => {
    expect(foldForSearch('  Økonomi – Fælles  Postkasse ')).toBe('okonomi – faelles postkasse');
    expect(foldForSearch('Café Åbenrå')).toBe('cafe abenra');
  });

  test('every word must match name, mailbox, folder or kind; empty query keeps all, in order', () => {
    const names = (q: string) => filterDestinations(fixtureDestinations, q, kind).map((d) => d.displayName);
    expect(names('')).toEqual(fixtureDestinations.map((d) => d.displayName));
    expect(names('okonomi')).toEqual(['Økonomichef Hanne Sørensen', 'Økonomi – Teams-kanal']);
    expect(names('ØKONOMI teams')).toEqual(['Økonomi – Teams-kanal']);
    expect(names('ejendomme@')).toEqual(['Ejendomsadministration']);
    expect(names('personlig')).toEqual(['Økonomichef Hanne Sørensen']);
    expect(names('offentlig post')).toEqual(['Ejendomsadministration']);
    expect(names('someone@elsewhere.example')).toEqual([]);
  });

  test('where a destination delivers, and names in a sentence', () => {
    expect(destinationWhere(fixtureDestinations[0])).toBe('bogholderi@nordlys.example › Indbakke › Digital Post');
    expect(destinationWhere({ mailbox: null, folderPath: '' })).toBe('');
    expect(destinationWhere({ mailbox: null, folderPath: 'Digital Post' })).toBe('Digital Post');
    expect(joinNames([], 'da-DK')).toBe('');
    expect(joinNames(['A'], 'da-DK')).toBe('A');
    expect(joinNames(['A', 'B', 'C'], 'da-DK')).toBe('A, B og C');
    expect(joinNames(['A', 'B'], 'en-GB')).toBe('A and B');
  });
});

describe('add-in letter actions', () => {
  const base = fixtureMessages()[0];
  const withDeliveries = (deliveries: DeliveryInfo[], status: MessageDetail['status'] = 'delivered') => ({ ...base, status, deliveries });

  test('resend offers one target per destination with a finished delivery (the latest one)', () => {
    const m = withDeliveries([
      delivery({ dest: 0, status: 'delivered', id: '00000000-0000-4000-8000-000000000001' }),
      delivery({ dest: 0, status: 'dead', id: '00000000-0000-4000-8000-000000000002' }),
      delivery({ dest: 1, status: 'pending', id: '00000000-0000-4000-8000-000000000003' }),
      delivery({ dest: 3, status: 'dead', id: '00000000-0000-4000-8000-000000000004' }),
    ]);
    expect(resendTargets(m).map((x) => [x.destination.displayName, x.deliveryId])).toEqual([
      ['Bogholderiet', '00000000-0000-4000-8000-000000000002'],
      ['Økonomi – Teams-kanal', '00000000-0000-4000-8000-000000000004'],
    ]);
    expect(resendTargets(withDeliveries([]))).toEqual([]);
  });

  test('copies: where the letter is or is going; a delivered mailbox copy can be moved', () => {
    const m = withDeliveries([delivery({ dest: 0, status: 'delivered' }), delivery({ dest: 1, status: 'dead' }), delivery({ dest: 3, status: 'pending' })]);
    expect([...destinationsWithCopy(m)]).toEqual([fixtureDestinations[0].id, fixtureDestinations[3].id]);
    expect(hasMovableCopy(m)).toBe(true);
    // Teams channels and failed deliveries leave nothing to move.
    expect(hasMovableCopy(withDeliveries([delivery({ dest: 3, status: 'delivered' }), delivery({ dest: 1, status: 'dead' })]))).toBe(false);
  });

  test('the detail keeps refreshing while the letter or a new copy is on its way', () => {
    expect(isSettled(withDeliveries([delivery({ dest: 0, status: 'delivered' })]))).toBe(true);
    expect(isSettled(withDeliveries([delivery({ dest: 0, status: 'delivered' }), delivery({ dest: 1, status: 'pending' })]))).toBe(false);
    expect(isSettled(withDeliveries([delivery({ dest: 0, status: 'dead' })], 'failed'))).toBe(true);
    expect(isSettled(withDeliveries([], 'routed'))).toBe(false);
    expect(isSettled(withDeliveries([], 'triage'))).toBe(false);
  });
});
