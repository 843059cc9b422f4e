// Which stored rows make up a statistics period (stats/rollup-parts.ts): whole months as month rows,
// short partial months as days, mostly covered months as the month less the days left out.
import { rollupParts } from '../../backend/src/stats/rollup-parts';

describe('rollupParts', () => {
  test('days are read as days', () => {
    expect(rollupParts({ from: '2026-03-20', to: '2026-04-05', granularity: 'day' })).toEqual([{ grain: 'd', from: '2026-03-20', to: '2026-04-05', sign: 1 }]);
  });
  test('whole months are one range of month rows', () => {
    expect(rollupParts({ from: '2025-12-01', to: '2026-11-30', granularity: 'month' })).toEqual([{ grain: 'm', from: '2025-12-01', to: '2026-11-01', sign: 1 }]);
  });
  test('the default 12 months ending today: the current month is its month row less the days to come', () => {
    expect(rollupParts({ from: '2025-12-01', to: '2026-11-28', granularity: 'month' })).toEqual([
      { grain: 'm', from: '2025-12-01', to: '2026-11-01', sign: 1 },
      { grain: 'd', from: '2026-11-29', to: '2026-11-30', sign: -1 },
    ]);
  });
  test('a short piece of a month is read as its days; February in a leap year', () => {
    expect(rollupParts({ from: '2024-02-20', to: '2024-04-10', granularity: 'month' })).toEqual([
      { grain: 'd', from: '2024-02-20', to: '2024-02-29', sign: 1 },
      { grain: 'm', from: '2024-03-01', to: '2024-03-01', sign: 1 },
      { grain: 'd', from: '2024-04-01', to: '2024-04-10', sign: 1 },
    ]);
  });
  test('a period inside one month, most of it or a little', () => {
    expect(rollupParts({ from: '2026-01-03', to: '2026-01-31', granularity: 'year' })).toEqual([
      { grain: 'm', from: '2026-01-01', to: '2026-01-01', sign: 1 },
      { grain: 'd', from: '2026-01-01', to: '2026-01-02', sign: -1 },
    ]);
    expect(rollupParts({ from: '2026-03-10', to: '2026-03-12', granularity: 'month' })).toEqual([{ grain: 'd', from: '2026-03-10', to: '2026-03-12', sign: 1 }]);
    expect(rollupParts({ from: '2026-03-02', to: '2026-03-30', granularity: 'month' })).toEqual([
      { grain: 'm', from: '2026-03-01', to: '2026-03-01', sign: 1 },
      { grain: 'd', from: '2026-03-01', to: '2026-03-01', sign: -1 },
      { grain: 'd', from: '2026-03-31', to: '2026-03-31', sign: -1 },
    ]);
  });
  test('every day of a long period is counted exactly once (net), whatever the ends', () => {
    const addDays = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
    for (const [from, to] of [['2023-11-17', '2026-02-03'], ['2024-01-31', '2024-03-01'], ['2025-06-15', '2025-06-16'], ['2020-02-29', '2021-02-28']]) {
      const parts = rollupParts({ from, to, granularity: 'year' });
      const net = new Map<string, number>();
      for (const p of parts) {
        if (p.grain === 'm') {
          for (let m = p.from; m <= p.to; m = new Date(Date.UTC(Number(m.slice(0, 4)), Number(m.slice(5, 7)), 1)).toISOString().slice(0, 10)) {
            for (let d = m; d.slice(0, 7) === m.slice(0, 7); d = addDays(d, 1)) net.set(d, (net.get(d) ?? 0) + p.sign);
          }
        } else {
          for (let d = p.from; d <= p.to; d = addDays(d, 1)) net.set(d, (net.get(d) ?? 0) + p.sign);
        }
      }
      for (const [d, n] of net) expect([d, n]).toEqual([d, d >= from && d <= to ? 1 : 0]);
      for (let d = from; d <= to; d = addDays(d, 1)) expect([d, net.get(d)]).toEqual([d, 1]);
    }
  });
});
