// Pure statistics helpers: periods and their limits, buckets, rates, the breakdown's "other" row, CSV.
import { StatsRangeError, addMonths, bucketKeys, copenhagenToday, fillSeries, resolvePeriod, sumCounts, topBreakdown, withRate, ZERO } from '../../backend/src/stats/period';
import { csvFilename, csvPercent, csvText, statsCsv } from '../../backend/src/stats/csv';
import { statsQuerySchema } from '../../shared/src/contracts';

const c = (fetched: number, delivered: number, automatic: number) => ({ ...ZERO, fetched, delivered, automatic });

describe('statistics periods', () => {
  test('today is the Copenhagen date, not the UTC one', () => {
    expect(copenhagenToday(new Date('2024-03-10T23:30:00Z'))).toBe('2024-03-11');
    expect(copenhagenToday(new Date('2024-07-10T21:59:00Z'))).toBe('2024-07-10');
    expect(copenhagenToday(new Date('2024-07-10T22:00:00Z'))).toBe('2024-07-11');
  });

  test('defaults end today: 30 days, 12 months from the 1st, 5 years from 1 January', () => {
    expect(resolvePeriod({ granularity: 'day' }, '2024-03-01')).toEqual({ from: '2024-02-01', to: '2024-03-01', granularity: 'day' });
    expect(resolvePeriod({ granularity: 'month' }, '2024-03-31')).toEqual({ from: '2023-04-01', to: '2024-03-31', granularity: 'month' });
    expect(resolvePeriod({ granularity: 'year' }, '2024-03-31')).toEqual({ from: '2020-01-01', to: '2024-03-31', granularity: 'year' });
    expect(resolvePeriod({ granularity: 'day', to: '2024-01-10' }, '2030-01-01').from).toBe('2023-12-12');
  });

  test('backwards, too early and too long periods are refused with a sentence', () => {
    expect(() => resolvePeriod({ granularity: 'day', from: '2024-02-02', to: '2024-02-01' }, '2024-03-01')).toThrow(/must not be after/);
    expect(() => resolvePeriod({ granularity: 'year', from: '1999-12-31', to: '2000-02-01' }, '2024-03-01')).toThrow(StatsRangeError);
    // 2022-01-01..2024-12-31 is exactly 1,096 days (2024 is a leap year); one more day is too many.
    expect(resolvePeriod({ granularity: 'day', from: '2022-01-01', to: '2024-12-31' }, '2025-01-01').from).toBe('2022-01-01');
    expect(() => resolvePeriod({ granularity: 'day', from: '2021-12-31', to: '2024-12-31' }, '2025-01-01')).toThrow(/at most 3 years of days/);
    expect(() => resolvePeriod({ granularity: 'month', from: '2015-01-01', to: '2025-01-31' }, '2025-02-01')).toThrow(/10 years of months/);
    expect(resolvePeriod({ granularity: 'month', from: '2015-02-28', to: '2025-01-01' }, '2025-02-01').from).toBe('2015-02-28');
  });

  test('buckets cover the period, months and years whole, leap days included', () => {
    expect(bucketKeys({ from: '2024-02-27', to: '2024-03-01', granularity: 'day' })).toEqual(['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01']);
    expect(bucketKeys({ from: '2023-11-30', to: '2024-02-01', granularity: 'month' })).toEqual(['2023-11', '2023-12', '2024-01', '2024-02']);
    expect(bucketKeys({ from: '2023-12-31', to: '2025-01-01', granularity: 'year' })).toEqual(['2023', '2024', '2025']);
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-01');
    expect(bucketKeys({ from: '2000-01-01', to: '2030-01-01', granularity: 'day' }, 5)).toHaveLength(5);
  });

  test('the query schema refuses non-dates and fills defaults', () => {
    expect(statsQuerySchema.parse({})).toEqual({ granularity: 'day', by: 'channel', lang: 'en' });
    expect(statsQuerySchema.safeParse({ from: '2023-02-29' }).success).toBe(false);
    expect(statsQuerySchema.safeParse({ from: '2024-02-29' }).success).toBe(true);
  });
});

describe('statistics counts', () => {
  test('manual and the automation rate follow from delivered and automatic; none delivered is no rate', () => {
    expect(withRate(c(10, 8, 6))).toMatchObject({ manual: 2, automationRate: 0.75 });
    expect(withRate(c(3, 0, 0)).automationRate).toBeNull();
    expect(sumCounts([c(1, 1, 1), c(2, 1, 0)])).toEqual(c(3, 2, 1));
  });

  test('the series has every bucket, with zeros where nothing was fetched', () => {
    const s = fillSeries({ from: '2024-01-30', to: '2024-02-01', granularity: 'day' }, [{ bucket: '2024-01-31', ...c(2, 2, 1) }]);
    expect(s.map((b) => [b.bucket, b.fetched, b.automationRate])).toEqual([['2024-01-30', 0, null], ['2024-01-31', 2, 0.5], ['2024-02-01', 0, null]]);
  });

  test('the breakdown is largest first and sums the rest into one row with key null', () => {
    const rows = [
      { key: 'a', label: 'Ærø Kommune', ...c(1, 1, 1) },
      { key: 'b', label: 'Skat', ...c(5, 4, 2) },
      { key: 'c', label: 'Aabenraa', ...c(1, 1, 0) },
      { key: 'd', label: 'Odense', ...c(2, 0, 0) },
    ];
    const top = topBreakdown(rows, 2, 'other');
    expect(top.map((r) => [r.key, r.label, r.fetched])).toEqual([['b', 'Skat', 5], ['d', 'Odense', 2], [null, 'other', 2]]);
    expect(top[2]).toMatchObject({ delivered: 2, automatic: 1, manual: 1, automationRate: 0.5 });
    // Danish order: Ærø before Aabenraa ("aa" sorts as "å", last).
    expect(topBreakdown(rows, 10, 'other').slice(2).map((r) => r.key)).toEqual(['a', 'c']);
  });
});

describe('statistics CSV', () => {
  test('fields with separators or quotes are quoted; formulas from outside are defused', () => {
    expect(csvText('Skat; Moms')).toBe('"Skat; Moms"');
    expect(csvText('Firma "X"')).toBe('"Firma ""X"""');
    expect(csvText('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvText('-5')).toBe("'-5");
    expect(csvText('Københavns Kommune')).toBe('Københavns Kommune');
  });

  test('rates are percentages with a decimal comma', () => {
    expect(csvPercent(2 / 3)).toBe('66,7');
    expect(csvPercent(1)).toBe('100,0');
    expect(csvPercent(null)).toBe('');
  });

  test('a file starts with a BOM and the header, rows end in CRLF', () => {
    const csv = statsCsv([{ bucket: '2024-03', key: 'ngdp', label: 'Digital Post', ...withRate(c(4, 3, 2)) }], { granularity: 'month', by: 'channel', lang: 'en' });
    expect(csv).toBe('\uFEFFMonth;Channel;Channel name;Fetched;Delivered;Automatic;Manual;In triage;Failed;In progress;Automation rate (%)\r\n'
      + '2024-03;ngdp;Digital Post;4;3;2;1;0;0;0;66,7\r\n');
    expect(csvFilename('2024-01-01', '2024-12-31', 'da')).toBe('brevdue-statistik-2024-01-01-2024-12-31.csv');
  });
});
