// The task pane's pure formatting: locale choice, dates, sizes, timeline order.
import { formatBytes, formatListDate, formatLocale, formatPercent, sortTimeline } from '../../addin/src/format';
import type { TimelineEvent } from '../../shared/src/contracts';

describe('add-in formatting', () => {
  test('dates follow the user locale when it speaks the UI language, else the language default', () => {
    expect(formatLocale('da', ['da-DK'])).toBe('da-DK');
    expect(formatLocale('en', [null, 'en-US', 'da-DK'])).toBe('en-US');
    expect(formatLocale('en', ['da-DK'])).toBe('en-GB'); // Danish Outlook, English pane
    expect(formatLocale('da', ['en-US'])).toBe('da-DK');
    expect(formatLocale('da', [])).toBe('da-DK');
  });

  test('list dates: time today, day and month this year, short date before', () => {
    const now = new Date('2025-03-12T14:00:00');
    expect(formatListDate(new Date('2025-03-12T09:05:00').toISOString(), 'da-DK', now)).toEqual({ kind: 'time', text: '09.05' });
    expect(formatListDate(new Date('2025-01-02T09:05:00').toISOString(), 'da-DK', now)).toEqual({ kind: 'date', text: '2. jan.' });
    expect(formatListDate(new Date('2024-12-24T09:05:00').toISOString(), 'da-DK', now).text).toBe('24.12.2024');
    expect(formatListDate('not a date', 'da-DK', now)).toEqual({ kind: 'date', text: 'not a date' });
  });

  test('confidence as a whole percentage in the locale, clamped to 0–100', () => {
    const plain = (x: string) => x.replace(/\s/g, ' ');
    expect(plain(formatPercent(0.823, 'da-DK'))).toBe('82 %');
    expect(formatPercent(0.823, 'en-GB')).toBe('82%');
    expect(formatPercent(1.2, 'en-GB')).toBe('100%');
    expect(formatPercent(-1, 'en-GB')).toBe('0%');
    expect(formatPercent(Number.NaN, 'en-GB')).toBe('0%');
  });

  test('sizes in the locale', () => {
    expect(formatBytes(512, 'da-DK')).toBe('512 B');
    expect(formatBytes(184_320, 'da-DK')).toBe('184 kB');
    expect(formatBytes(4_400_000, 'da-DK')).toBe('4,4 MB');
    expect(formatBytes(4_400_000, 'en-GB')).toBe('4.4 MB');
  });

  test('timeline oldest first; ties keep the server order', () => {
    const ev = (at: string, type: TimelineEvent['type']): TimelineEvent => ({ at, type, actor: 'x', text: '', data: {} });
    const sorted = sortTimeline([
      ev('2025-03-12T10:00:02.000Z', 'delivered'),
      ev('2025-03-12T10:00:00.000Z', 'fetched'),
      ev('2025-03-12T10:00:01.000Z', 'routed'),
      ev('2025-03-12T10:00:01.000Z', 'delivery_attempt'),
    ]);
    expect(sorted.map((e) => e.type)).toEqual(['fetched', 'routed', 'delivery_attempt', 'delivered']);
  });
});
