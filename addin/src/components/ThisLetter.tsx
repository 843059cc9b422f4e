// "This letter": inside Outlook, the trace of the letter open in the reading pane. The item's id is
// turned into its REST id (office/mailbox.ts) and looked up in our deliveries; a match shows the
// letter's detail at once, with its documents, timeline and actions. The pane follows the selection
// when it is pinned.
import { Button, Spinner, makeStyles, tokens } from '@fluentui/react-components';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MessageDetail as Detail } from '../../../shared/src/contracts';
import { ApiError, isAbortError, type OutlookItemIds } from '../api/client';
import { useApi } from '../api/context';
import { currentItemIds, onItemChanged } from '../office/mailbox';
import { EmptyState } from './EmptyState';
import { ErrorBar } from './ErrorBar';
import { InboxIcon, MailIcon } from './icons';
import { MessageDetail } from './MessageDetail';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', flexGrow: 1, minHeight: 0 },
  center: { display: 'flex', justifyContent: 'center', padding: tokens.spacingVerticalXXL },
  box: { padding: tokens.spacingHorizontalM },
  actions: { display: 'flex', justifyContent: 'center' },
});

type Lookup =
  | { status: 'no-item' }
  | { status: 'loading' }
  | { status: 'found'; message: Detail }
  | { status: 'not-found' }
  | { status: 'error'; error: unknown };

function sameIds(a: OutlookItemIds | null, b: OutlookItemIds | null): boolean {
  return a?.restId === b?.restId && (a?.internetMessageId ?? null) === (b?.internetMessageId ?? null);
}

export function ThisLetter({ onShowList }: { onShowList: () => void }) {
  const s = useStyles();
  const { t } = useTranslation();
  const api = useApi();
  const [ids, setIds] = useState<OutlookItemIds | null>(() => currentItemIds());
  const [lookup, setLookup] = useState<Lookup>(() => (ids ? { status: 'loading' } : { status: 'no-item' }));
  const [attempt, setAttempt] = useState(0);

  // A pinned pane: follow the selection.
  useEffect(() => onItemChanged(() => {
    const next = currentItemIds();
    setIds((cur) => (sameIds(cur, next) ? cur : next));
  }), []);

  useEffect(() => {
    if (!ids) {
      setLookup({ status: 'no-item' });
      return;
    }
    const controller = new AbortController();
    setLookup({ status: 'loading' });
    api.findByOutlookItem(ids, controller.signal).then(
      (message) => setLookup({ status: 'found', message }),
      (error: unknown) => {
        if (isAbortError(error) || controller.signal.aborted) return;
        if (error instanceof ApiError && error.status === 404) setLookup({ status: 'not-found' });
        else setLookup({ status: 'error', error });
      },
    );
    return () => controller.abort();
  }, [api, ids, attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);

  return (
    <section className={s.root} aria-label={t('nav.thisLetter')} data-testid="this-letter" data-state={lookup.status}>
      {lookup.status === 'loading' && (
        <div className={s.center}><Spinner size="small" label={t('thisLetter.looking')} data-testid="this-letter-loading" /></div>
      )}
      {lookup.status === 'found' && <MessageDetail key={lookup.message.id} id={lookup.message.id} initial={lookup.message} />}
      {(lookup.status === 'not-found' || lookup.status === 'no-item') && (
        <>
          <EmptyState
            icon={lookup.status === 'no-item' ? <InboxIcon /> : <MailIcon />}
            title={lookup.status === 'no-item' ? t('thisLetter.noItem') : t('thisLetter.notFound')}
            hint={lookup.status === 'no-item' ? t('thisLetter.noItemHint') : t('thisLetter.notFoundHint')}
          />
          <div className={s.actions}>
            <Button appearance="primary" onClick={onShowList} data-testid="this-letter-show-list">{t('thisLetter.showAll')}</Button>
          </div>
        </>
      )}
      {lookup.status === 'error' && (
        <div className={s.box}><ErrorBar title={t('thisLetter.lookupFailed')} error={lookup.error} onRetry={retry} /></div>
      )}
    </section>
  );
}
