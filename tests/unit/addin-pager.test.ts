// The pager's range and buttons, exact and past the count's cap.
import { pagerState } from '../../addin/src/components/trace/pager-state';
import { MESSAGE_COUNT_CAP, MESSAGE_OFFSET_MAX } from '../../shared/src/contracts';

describe('pager state', () => {
  test('an exact total: next while letters remain, previous after the first page', () => {
    expect(pagerState({ offset: 0, shown: 50, total: 120, capped: false, pageSize: 50 })).toEqual({ first: 1, last: 50, hasPrevious: false, hasNext: true });
    expect(pagerState({ offset: 100, shown: 20, total: 120, capped: false, pageSize: 50 })).toEqual({ first: 101, last: 120, hasPrevious: true, hasNext: false });
    expect(pagerState({ offset: 0, shown: 0, total: 0, capped: false, pageSize: 50 })).toEqual({ first: 0, last: 0, hasPrevious: false, hasNext: false });
  });

  test('past the cap: next while pages are full, up to the deepest offset the API takes', () => {
    expect(pagerState({ offset: MESSAGE_COUNT_CAP, shown: 50, total: MESSAGE_COUNT_CAP + 50, capped: true, pageSize: 50 }).hasNext).toBe(true);
    expect(pagerState({ offset: MESSAGE_COUNT_CAP, shown: 30, total: MESSAGE_COUNT_CAP + 30, capped: true, pageSize: 50 }).hasNext).toBe(false);
    expect(pagerState({ offset: MESSAGE_OFFSET_MAX - 50, shown: 50, total: MESSAGE_OFFSET_MAX, capped: true, pageSize: 50 }).hasNext).toBe(true);
    expect(pagerState({ offset: MESSAGE_OFFSET_MAX, shown: 50, total: MESSAGE_OFFSET_MAX + 50, capped: true, pageSize: 50 }).hasNext).toBe(false);
  });
});
