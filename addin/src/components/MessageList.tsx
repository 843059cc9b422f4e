// Track & trace: every letter the user may see, searched in Danish full text (the server stems:
// "årsopgørelser" finds "Årsopgørelsen") and filtered by sender, CVR, mailbox, destination, status and
// dates; shown as a sortable, paged DataGrid. The server does the searching, sorting and paging.
import {
  Button, Caption1, CounterBadge, SearchBox, Select, Spinner, makeStyles, mergeClasses, tokens,
} from '@fluentui/react-components';
import { Suspense, lazy, useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../api/context';
import { EmptyState } from './EmptyState';
import { ErrorBar } from './ErrorBar';
import { MailIcon, RefreshIcon, SearchEmptyIcon } from './icons';
import { Pager } from './trace/Pager';
import type { FilterValues } from './trace/TraceFilters';

// The filter panel (and the registry it lists) loads when first opened: most searches need only the box.
const TraceFilters = lazy(() => import('./trace/TraceFilters').then((m) => ({ default: m.TraceFilters })));
import { TraceGrid } from './trace/TraceGrid';
import { EMPTY_SEARCH, PAGE_SIZE, activeFilters, useMessageList, type TraceSearch } from './useMessageList';
import { useLocale } from './useLocale';

const SEARCH_DEBOUNCE_MS = 300;
/** Below this width the grid folds into one column and the order is chosen in the filters. */
const NARROW_PX = 600;

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', minHeight: 0, flexGrow: 1 },
  hidden: { display: 'none' },
  toolbar: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalM} ${tokens.spacingVerticalS}`,
  },
  // Narrow pane: [search][filters][refresh] / [CVR filter]; wide: [search][CVR filter][filters][refresh].
  search: { order: 1, flexGrow: 1, flexBasis: 0, minWidth: 0, maxWidth: 'none' },
  filtersToggle: { order: 2, flexShrink: 0 },
  refresh: { order: 2, flexShrink: 0 },
  cvr: {
    order: 3,
    flexBasis: '100%',
    minWidth: 0,
    '@media (min-width: 560px)': { order: 1, flexBasis: '240px', flexGrow: 0 },
  },
  summary: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    padding: `0 ${tokens.spacingHorizontalM} ${tokens.spacingVerticalXS}`,
    color: tokens.colorNeutralForeground3,
    minHeight: '24px',
  },
  summaryText: { flexGrow: 1 },
  error: { margin: `0 ${tokens.spacingHorizontalM} ${tokens.spacingVerticalS}` },
  results: {
    borderTop: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    transitionProperty: 'opacity',
    transitionDuration: tokens.durationFast,
    overflowX: 'auto',
  },
  stale: { opacity: 0.55 },
  center: { display: 'flex', justifyContent: 'center', padding: tokens.spacingVerticalXXL },
});

const NO_FILTERS: FilterValues = { sender: '', provider: '', destinationId: '', status: '', from: '', to: '', sort: 'receivedAt', dir: 'desc' };

/** The debounced copy of a typed value. */
function useDebounced(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value.trim()), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** Whether the element is narrower than NARROW_PX (the task pane is resizable). */
function useNarrow(ref: React.RefObject<HTMLElement>): boolean {
  const [narrow, setNarrow] = useState(true);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => { if (el.clientWidth > 0) setNarrow(el.clientWidth < NARROW_PX); };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return narrow;
}

export function MessageList({ active, onOpen }: { active: boolean; onOpen: (id: string) => void }) {
  const s = useStyles();
  const { t } = useTranslation();
  const locale = useLocale();
  const api = useApi();
  const rootRef = useRef<HTMLElement>(null);
  const narrow = useNarrow(rootRef);
  const filtersId = useId();

  // Back from a letter, the focus returns to its row (the detail and its "back" button are gone, so
  // the focus is on <body>); a person who came back by a tab keeps the focus on the tab.
  const openedId = useRef<string | null>(null);
  const open = useCallback((id: string) => { openedId.current = id; onOpen(id); }, [onOpen]);
  useEffect(() => {
    const id = openedId.current;
    if (!active || id === null) return;
    openedId.current = null;
    const focused = document.activeElement;
    if (focused && focused !== document.body && focused.isConnected) return;
    const rows = [...(rootRef.current?.querySelectorAll<HTMLElement>('[data-testid=message-row]') ?? [])];
    const row = rows.find((r) => r.getAttribute('data-message-id') === id) ?? rows[0];
    // The grid's focus stops are its cells (focusMode="cell").
    row?.querySelector<HTMLElement>('[role=gridcell]')?.focus();
  }, [active]);

  const [text, setText] = useState('');
  const [cvr, setCvr] = useState('');
  const [filters, setFilters] = useState<FilterValues>(NO_FILTERS);
  const [showFilters, setShowFilters] = useState(false);
  const q = useDebounced(text, SEARCH_DEBOUNCE_MS);
  const sender = useDebounced(filters.sender, SEARCH_DEBOUNCE_MS);
  const datesReversed = filters.from !== '' && filters.to !== '' && filters.from > filters.to;

  // The search without its page; a new one starts at the first page (the offset belongs to its key).
  const base = useMemo((): Omit<TraceSearch, 'offset'> => ({
    q, cvr, sender, provider: filters.provider, destinationId: filters.destinationId, status: filters.status,
    from: datesReversed ? '' : filters.from, to: datesReversed ? '' : filters.to, sort: filters.sort, dir: filters.dir,
  }), [q, cvr, sender, filters.provider, filters.destinationId, filters.status, filters.from, filters.to, filters.sort, filters.dir, datesReversed]);
  const key = JSON.stringify(base);
  const [page, setPage] = useState({ key, offset: 0 });
  const offset = page.key === key ? page.offset : 0;
  const search = useMemo((): TraceSearch => ({ ...base, offset }), [base, offset]);

  const { state, cvrNames, reload, refresh } = useMessageList(search, active);

  // CVR numbers: the organisation's (GET /api/cvrs), plus any a letter showed (a removed CVR number's
  // letters stay). The list alone still offers a filter when the call fails.
  const [orgCvrs, setOrgCvrs] = useState<Record<string, string>>({});
  useEffect(() => {
    const controller = new AbortController();
    api.listOrgCvrs(controller.signal).then(
      (items) => setOrgCvrs(Object.fromEntries(items.map((c) => [c.cvr, c.name]))),
      () => { /* decoration: the list's own CVR names remain */ },
    );
    return () => controller.abort();
  }, [api]);
  const cvrOptions = useMemo(
    () => Object.entries({ ...cvrNames, ...orgCvrs }).sort(([, a], [, b]) => a.localeCompare(b, 'da')),
    [cvrNames, orgCvrs],
  );

  const filterCount = activeFilters({ ...EMPTY_SEARCH, ...search }) - (q ? 1 : 0) - (cvr ? 1 : 0);
  const filtered = activeFilters({ ...EMPTY_SEARCH, ...search }) > 0;
  const resultsRef = useRef<HTMLDivElement>(null);
  const goTo = (next: number) => {
    setPage({ key, offset: next });
    resultsRef.current?.scrollIntoView?.({ block: 'nearest' });
  };
  const count = state.capped
    ? t('trace.countCapped', { n: state.total.toLocaleString(locale) })
    : t('list.count', { count: state.total });

  return (
    <section ref={rootRef} className={mergeClasses(s.root, !active && s.hidden)} aria-label={t('trace.title')} data-testid="message-list">
      <div className={s.toolbar} role="search">
        <SearchBox
          className={s.search}
          value={text}
          onChange={(_, data) => setText(data.value)}
          placeholder={t('list.searchPlaceholder')}
          aria-label={t('list.search')}
          maxLength={200}
          data-testid="search"
        />
        {(cvrOptions.length > 1 || cvr) && (
          <Select
            className={s.cvr}
            value={cvr}
            onChange={(_, data) => setCvr(data.value)}
            aria-label={t('list.cvrFilter')}
            data-testid="cvr-filter"
          >
            <option value="">{t('list.allCvrs')}</option>
            {cvrOptions.map(([number, name]) => (
              <option key={number} value={number}>{`${name} (${number})`}</option>
            ))}
          </Select>
        )}
        <Button
          className={s.filtersToggle}
          appearance={showFilters ? 'primary' : 'secondary'}
          onClick={() => setShowFilters((v) => !v)}
          aria-expanded={showFilters}
          aria-controls={filtersId}
          data-testid="filters-toggle"
        >
          {t('trace.filters')}
          {filterCount > 0 && <CounterBadge count={filterCount} size="small" appearance="ghost" aria-hidden />}
        </Button>
        <Button
          className={s.refresh}
          appearance="subtle"
          icon={<RefreshIcon />}
          onClick={refresh}
          disabled={state.loading}
          aria-label={t('list.refresh')}
          title={t('list.refresh')}
          data-testid="refresh"
        />
      </div>

      {showFilters && (
        <Suspense fallback={<Spinner size="tiny" label={t('app.loading')} />}>
          <TraceFilters
            id={filtersId}
            values={filters}
            onChange={(patch) => setFilters((f) => ({ ...f, ...patch }))}
            onClear={() => { setFilters((f) => ({ ...NO_FILTERS, sort: f.sort, dir: f.dir })); setCvr(''); setText(''); }}
            datesReversed={datesReversed}
          />
        </Suspense>
      )}

      {state.loaded && (
        <div className={s.summary}>
          <Caption1 className={s.summaryText} data-testid="message-count" aria-live="polite">{count}</Caption1>
          {(state.loading || state.refreshing) && <Spinner size="extra-tiny" aria-label={t('app.loading')} />}
        </div>
      )}

      {state.error != null && (
        <div className={s.error}>
          <ErrorBar title={t('errors.loadList')} error={state.error} onRetry={state.loaded ? refresh : reload} />
        </div>
      )}

      {!state.loaded && state.loading && (
        <div className={s.center}><Spinner size="small" label={t('app.loading')} data-testid="list-loading" /></div>
      )}

      {state.loaded && state.items.length === 0 && !state.loading && (
        filtered
          ? <EmptyState icon={<SearchEmptyIcon />} title={t('list.noMatches')} hint={t('trace.noMatchesHint')} />
          : <EmptyState icon={<MailIcon />} title={t('list.empty')} hint={t('list.emptyHint')} />
      )}

      {state.items.length > 0 && (
        <div ref={resultsRef} className={mergeClasses(s.results, state.loading && s.stale)}>
          <TraceGrid
            items={state.items}
            narrow={narrow}
            showCvr={cvrOptions.length > 1}
            sort={filters.sort}
            dir={filters.dir}
            onSort={(sort, dir) => setFilters((f) => ({ ...f, sort, dir }))}
            onOpen={open}
            busy={state.loading}
          />
        </div>
      )}

      {state.loaded && (state.total > PAGE_SIZE || offset > 0) && (
        <Pager
          offset={offset}
          shown={state.items.length}
          total={state.total}
          capped={state.capped}
          pageSize={PAGE_SIZE}
          disabled={state.loading}
          onPage={goTo}
        />
      )}
    </section>
  );
}
