// What the pager shows and allows, from the API's page and total (pure, for the Pager and its tests).
import { MESSAGE_OFFSET_MAX } from '../../../../shared/src/contracts';

export interface PagerState {
  /** 1-based first letter on the page (0 when the page is empty). */
  first: number;
  last: number;
  hasPrevious: boolean;
  hasNext: boolean;
}

export function pagerState({ offset, shown, total, capped, pageSize }: {
  offset: number; shown: number; total: number; capped: boolean; pageSize: number;
}): PagerState {
  const last = offset + shown;
  return {
    first: shown === 0 ? 0 : offset + 1,
    last,
    hasPrevious: offset > 0,
    // The count stops at a cap: past it pages go on while they are full, up to MESSAGE_OFFSET_MAX
    // (the API refuses more); beyond that, narrowing the search is the way.
    hasNext: capped ? shown === pageSize && offset + pageSize <= MESSAGE_OFFSET_MAX : last < total,
  };
}
