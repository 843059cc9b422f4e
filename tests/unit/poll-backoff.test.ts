import { backoffMs } from '../../backend/src/ingest/poll';
import { ProviderError } from '../../backend/src/ingest/connector';

describe('poll backoff', () => {
  const mid = () => 0.5; // no jitter
  test('doubles from 5 s and stops at 15 minutes', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, undefined, mid))).toEqual([5000, 10000, 20000, 40000]);
    expect(backoffMs(30, undefined, mid)).toBe(15 * 60_000);
  });
  test('jitter stays within ±25 %', () => {
    expect(backoffMs(1, undefined, () => 0)).toBe(3750);
    expect(backoffMs(1, undefined, () => 0.9999)).toBeLessThanOrEqual(6250);
  });
  test('a permanent provider error (credentials) waits the maximum at once; a retryable one does not', () => {
    expect(backoffMs(1, new ProviderError('credentials_refused', '401', false), mid)).toBe(15 * 60_000);
    expect(backoffMs(1, new ProviderError('provider_unavailable', '503', true), mid)).toBe(5000);
  });
});
