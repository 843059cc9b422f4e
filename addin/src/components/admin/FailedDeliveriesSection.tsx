// Admin › Approved recipients › Failed deliveries: what gave up, per recipient, with the latest
// reason (GET /api/admin/deliveries/failed), and "send again" for one recipient or all of them
// (POST /api/admin/deliveries/retry) once the cause is fixed. Admins and operators; an operator
// limited to some recipients sees and sends only theirs (the server decides).
import { Badge, Body1Strong, Button, Caption1, Spinner, Text } from '@fluentui/react-components';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FailedDeliveries } from '../../../../shared/src/contracts';
import { useApi } from '../../api/context';
import { formatDateTime } from '../../format';
import { ErrorBar } from '../ErrorBar';
import { RefreshIcon } from '../icons';
import { useLocale } from '../useLocale';
import { OutcomeBar, useAdminStyles, useOutcome, useResource } from './common';

type Item = FailedDeliveries['items'][number];

/** The failed deliveries, loaded once for the page (its header shows how many there are). */
export function useFailedDeliveries() {
  const api = useApi();
  return useResource((signal) => api.failedDeliveries(signal));
}

export function FailedDeliveriesSection({ failed }: { failed: ReturnType<typeof useFailedDeliveries> }) {
  const s = useAdminStyles();
  const { t } = useTranslation();
  const api = useApi();
  const { outcome, succeeded, failed: didFail, clear } = useOutcome();
  /** 'all', a destination id, or null: which send-again is running. */
  const [busy, setBusy] = useState<string | null>(null);
  const data = failed.data;

  const retry = async (destinationId?: string) => {
    setBusy(destinationId ?? 'all');
    clear();
    try {
      const n = await api.retryFailedDeliveries(destinationId);
      succeeded(n > 0 ? t('failed.retried', { count: n }) : t('failed.retriedNone'));
      failed.reload();
    } catch (e) {
      didFail(t('failed.retryFailed'), e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section id="failed-deliveries" className={s.section} aria-labelledby="failed-title" data-testid="failed-deliveries">
      <div className={s.header}>
        <Body1Strong id="failed-title" className={s.grow} as="h3">{t('failed.title')}</Body1Strong>
        {data && data.items.length > 1 && (
          <Button size="small" onClick={() => retry()} disabled={busy !== null} data-testid="failed-retry-all">
            {busy === 'all' ? t('failed.retrying') : t('failed.retryAll', { count: data.total })}
          </Button>
        )}
        <Button size="small" icon={<RefreshIcon />} onClick={failed.reload} aria-label={t('failed.refresh')} title={t('failed.refresh')} data-testid="failed-refresh" />
      </div>
      <Text className={s.intro}>{t('failed.intro')}</Text>
      <OutcomeBar outcome={outcome} onDismiss={clear} />
      {failed.error != null && <ErrorBar title={t('failed.loadFailed')} error={failed.error} onRetry={failed.reload} />}
      {failed.loading && !data && <div className={s.center}><Spinner size="small" label={t('app.loading')} /></div>}
      {data && data.items.length === 0 && <Caption1 className={s.meta} data-testid="failed-none">{t('failed.none')}</Caption1>}
      {data && data.items.length > 0 && (
        <ul className={s.list} data-testid="failed-list">
          {data.items.map((item) => (
            <FailedItem key={item.destinationId} item={item} busy={busy === item.destinationId} disabled={busy !== null} onRetry={() => retry(item.destinationId)} />
          ))}
        </ul>
      )}
    </section>
  );
}

function FailedItem({ item, busy, disabled, onRetry }: { item: Item; busy: boolean; disabled: boolean; onRetry: () => void }) {
  const s = useAdminStyles();
  const { t } = useTranslation();
  const locale = useLocale();
  return (
    <li className={s.card} data-testid="failed-item" data-destination={item.destinationId}>
      <div className={s.row}>
        <Text weight="semibold" className={s.name}>{item.displayName}</Text>
        <Badge appearance="tint" color="danger" data-testid="failed-count">{t('failed.count', { count: item.count })}</Badge>
      </div>
      <Caption1 className={s.problem} data-testid="failed-reason">{item.lastError ?? t('failed.noReason')}</Caption1>
      {item.lastFailedAt && <Caption1 className={s.meta}>{t('failed.lastFailed', { date: formatDateTime(item.lastFailedAt, locale, true) })}</Caption1>}
      <div className={s.actions}>
        <Button size="small" appearance="primary" onClick={onRetry} disabled={disabled} data-testid="failed-retry">
          {busy ? t('failed.retrying') : t('failed.retry')}
        </Button>
      </div>
    </li>
  );
}
