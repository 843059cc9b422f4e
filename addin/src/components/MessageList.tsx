import {
  Button, Caption1, SearchBox, Select, Spinner, makeStyles, mergeClasses, tokens,
} from '@fluentui/react-components';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EmptyState } from './EmptyState';
import { ErrorBar } from './ErrorBar';
import { MailIcon, RefreshIcon, SearchEmptyIcon } from './icons';
import { MessageRow } from './MessageRow';
import { useMessageList } from './useMessageList';

const SEARCH_DEBOUNCE_MS = 300;

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', minHeight: 0, flexGrow: 1 },
  hidden: { display: 'none' },
  toolbar: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalM} ${tokens.spacingVerticalS}`,
  },
  // Narrow pane: [search][refresh] / [CVR filter]; wide: [search][CVR filter][refresh].
  search: { order: 1, flexGrow: 1, flexBasis: 0, minWidth: 0, maxWidth: 'none' },
  refresh: { order: 2, flexShrink: 0 },
  cvr: {
    order: 3,
    flexBasis: '100%',
    minWidth: 0,
    '@media (min-width: 560px)': { order: 2, flexBasis: '240px', flexGrow: 0 },
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
  list: {
    listStyle: 'none',
    margin: 0,
    padding: 0,
    borderTop: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    transitionProperty: 'opacity',
    transitionDuration: tokens.durationFast,
  },
  stale: { opacity: 0.55 },
  center: { display: 'flex', justifyContent: 'center', padding: tokens.spacingVerticalXXL },
  more: { display: 'flex', justifyContent: 'center', padding: tokens.spacingVerticalM },
});

export function MessageList({ active, onOpen }: { active: boolean; onOpen: (id: string) => void }) {
  const s = useStyles();
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const [cvr, setCvr] = useState('');

  useEffect(() => {
    const timer = setTimeout(() => setQ(text.trim()), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);

  const filter = useMemo(() => ({ q, cvr }), [q, cvr]);
  const { state, cvrNames, reload, refresh, loadMore } = useMessageList(filter, active);
  const cvrOptions = useMemo(
    () => Object.entries(cvrNames).sort(([, a], [, b]) => a.localeCompare(b, 'da')),
    [cvrNames],
  );
  const filtered = q !== '' || cvr !== '';

  return (
    <section className={mergeClasses(s.root, !active && s.hidden)} aria-label={t('list.title')} data-testid="message-list">
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

      {state.loaded && (
        <div className={s.summary}>
          <Caption1 className={s.summaryText} data-testid="message-count" aria-live="polite">
            {state.items.length < state.total
              ? t('list.showing', { shown: state.items.length, total: state.total })
              : t('list.count', { count: state.total })}
          </Caption1>
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
          ? <EmptyState icon={<SearchEmptyIcon />} title={t('list.noMatches')} hint={t('list.noMatchesHint')} />
          : <EmptyState icon={<MailIcon />} title={t('list.empty')} hint={t('list.emptyHint')} />
      )}

      {state.items.length > 0 && (
        <ul className={mergeClasses(s.list, state.loading && s.stale)} aria-busy={state.loading}>
          {state.items.map((m) => (
            <MessageRow key={m.id} message={m} showCvr={cvrOptions.length > 1} onOpen={onOpen} />
          ))}
        </ul>
      )}

      {state.loaded && state.items.length < state.total && (
        <div className={s.more}>
          <Button onClick={loadMore} disabled={state.loadingMore} icon={state.loadingMore ? <Spinner size="tiny" /> : undefined} data-testid="load-more">
            {t('list.loadMore')}
          </Button>
        </div>
      )}
    </section>
  );
}
