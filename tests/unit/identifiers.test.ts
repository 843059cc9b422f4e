// CVR, P-number and CPR detection/masking (shared/src/identifiers.ts).
import { cprCentury, findCprNumbers, isValidCvr, isValidPNumber, maskCpr } from '../../shared/src/identifiers';

const NOW = { now: new Date('2025-06-15T12:00:00Z') };

describe('isValidCvr', () => {
  test.each(['64942212', '55133018', '10150817', '72494814', '17150413'])('%s passes modulus 11', (cvr) => {
    expect(isValidCvr(cvr)).toBe(true);
  });

  test.each([
    ['64942213', 'wrong check digit'],
    ['64942221', 'two digits swapped'],
    ['6494221', '7 digits'],
    ['649422120', '9 digits'],
    ['6494 2212', 'a space'],
    ['DK64942212', 'a country prefix'],
    ['00000000', 'leading zero (sum 0 passes mod 11, but no CVR starts with 0)'],
    ['６４９４２２１２', 'full-width digits'],
    ['', 'empty'],
  ])('%s is refused (%s)', (cvr) => {
    expect(isValidCvr(cvr)).toBe(false);
  });
});

describe('isValidPNumber', () => {
  test('10 digits', () => {
    expect(isValidPNumber('1003388394')).toBe(true);
    expect(isValidPNumber('100338839')).toBe(false);
    expect(isValidPNumber('10033883940')).toBe(false);
    expect(isValidPNumber('10033883a4')).toBe(false);
    expect(isValidPNumber(' 1003388394')).toBe(false);
  });
});

describe('cprCentury', () => {
  test.each([
    [61, 0, 1961], [61, 3, 1961], [10, 4, 2010], [37, 4, 1937], [57, 5, 2057], [58, 8, 1858], [36, 9, 2036], [37, 9, 1937],
  ])('year %i with 7th digit %i is %i', (yy, d7, year) => {
    expect(cprCentury(yy, d7)).toBe(year);
  });
});

describe('findCprNumbers', () => {
  test('finds DDMMYY-SSSS and DDMMYYSSSS with positions and the modulus-11 flag', () => {
    const text = 'CPR-nr. 070761-4285 og 0707614285.';
    expect(findCprNumbers(text, NOW)).toEqual([
      { value: '070761-4285', start: 8, end: 19, mod11: true },
      { value: '0707614285', start: 23, end: 33, mod11: true },
    ]);
  });

  test('a number issued after 2007 that fails modulus 11 is still a CPR number', () => {
    const [m] = findCprNumbers('Barn født 15. marts 2010: 150310-4001', NOW);
    expect(m).toEqual({ value: '150310-4001', start: 26, end: 37, mod11: false });
  });

  test.each([
    ['310290-1234', '31 February'],
    ['290201-1234', '29 February 1901 (7th digit 1 → 1901, not a leap year)'],
    ['290200-1234', '29 February 1900 (not a leap year)'],
    ['011390-1234', 'month 13'],
    ['000190-1234', 'day 0'],
    ['320190-1234', 'day 32'],
    ['010157-5234', '1 January 2057 is in the future (7th digit 5, year 57)'],
    ['010130-4123', '1 January 2030 is in the future'],
  ])('%s is not a CPR number: %s', (s) => {
    expect(findCprNumbers(`nr. ${s}.`, NOW)).toEqual([]);
  });

  test.each([
    ['290200-4234', '29 February 2000 (7th digit 4, year 00)'],
    ['010158-5000', '1 January 1858 (7th digit 5, year 58)'],
    ['311299-9999', '31 December 1999 (7th digit 9, year 99)'],
  ])('%s is a CPR number: %s', (s) => {
    expect(findCprNumbers(s, NOW).map((m) => m.value)).toEqual([s]);
  });

  test('the future is measured from `now`', () => {
    expect(findCprNumbers('010130-4123', { now: new Date('2031-01-01T00:00:00Z') })).toHaveLength(1);
  });

  test.each([
    ['12010190-1234', 'more digits before'],
    ['010190-12345', 'more digits after'],
    ['1234-010190-1234', 'joined to a longer number by a hyphen before'],
    ['010190-1234-5', 'joined to a longer number by a hyphen after'],
    ['+45010190123499', 'inside a long run'],
    ['01019012345', 'eleven digits'],
    ['010190 1234', 'a space is not one of the two formats'],
  ])('%s is not matched (%s)', (s) => {
    expect(findCprNumbers(`x ${s} y`, NOW)).toEqual([]);
  });

  test('letters next to the number do not hide it; typographic dashes count as the hyphen', () => {
    expect(findCprNumbers('cpr:0101901234,ab070761-4285 og 070761–4285', NOW).map((m) => m.value)).toEqual(['0101901234', '070761-4285', '070761–4285']);
  });

  test('several numbers and none', () => {
    expect(findCprNumbers('0101901234 0202902345 0303903456', NOW)).toHaveLength(3);
    expect(findCprNumbers('Faktura 2025-0001, beløb 12.345,00 kr., tlf. 33 66 33 66', NOW)).toEqual([]);
  });

  test('is stateless between calls (global regex lastIndex is reset)', () => {
    const text = 'a 0101901234';
    expect(findCprNumbers(text, NOW)).toHaveLength(1);
    expect(findCprNumbers(text, NOW)).toHaveLength(1);
  });
});

describe('maskCpr', () => {
  test('keeps the birth date and masks the serial, in both formats', () => {
    expect(maskCpr('CPR 070761-4285 og 1503104001.', NOW)).toBe('CPR 070761-XXXX og 150310-XXXX.');
  });

  test('leaves other numbers and text alone', () => {
    const text = 'Sag 25-0012345, CVR 64942212, 310290-1234, uuid 8c2ea4b6-0f3e-4d6b-9a51-3f2d7c1e9b40';
    expect(maskCpr(text, NOW)).toBe(text);
  });

  test('masks inside JSON (as the logger uses it)', () => {
    const line = JSON.stringify({ msg: 'letter', reason: 'Recipient 0101901234 unknown' });
    expect(maskCpr(line, NOW)).toBe('{"msg":"letter","reason":"Recipient 010190-XXXX unknown"}');
  });
});
