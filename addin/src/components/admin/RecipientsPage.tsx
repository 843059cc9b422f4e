// Admin › Approved recipients: the registry with each destination's last check, add and edit
// (saving runs the server's check against Exchange/Teams and is refused on a problem), check
// again, archive. Operators see the list and may re-check; changes are for admins. Below the list,
// the deliveries that failed, to send again once their cause is fixed.
import { Badge, Body1Strong, Button, Caption1, Spinner, Text } from '@fluentui/react-components';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DestinationView } from '../../../../shared/src/contracts';
import { useApi } from '../../api/context';
import { formatDateTime } from '../../format';
import { EmptyState } from '../EmptyState';
import { ErrorBar } from '../ErrorBar';
import { InboxIcon, MailIcon, RefreshIcon, TeamsIcon } from '../icons';
import { useLocale } from '../useLocale';
import { AdminOnlyNote, ConfirmDialog, OutcomeBar, useAdmin, useAdminStyles, useOutcome, useResource } from './common';
import { DestinationDialog } from './recipients/DestinationDialog';
import { FailedDeliveriesSection, useFailedDeliveries } from './FailedDeliveriesSection';

export function RecipientsPage() {
  const s = useAdminStyles();
  const { t } = useTranslation();
  const api = useApi();
  const { isAdmin } = useAdmin();
  const list = useResource((signal) => api.adminDestinations(signal));
  const failedDeliveries = useFailedDeliveries();
  const failedCount = failedDeliveries.data?.total ?? 0;
  const { outcome, succeeded, failed, clear } = useOutcome();
  const [editing, setEditing] = useState<DestinationView | 'new' | null>(null);
  const [archiving, setArchiving] = useState<DestinationView | null>(null);
  const [checking, setChecking] = useState<string | null>(null);

  const replace = (d: DestinationView) => list.setData((cur) => {
    const rest = (cur ?? []).filter((x) => x.id !== d.id);
    return [...rest, d].sort((a, b) => a.displayName.localeCompare(b.displayName));
  });

  const check = async (d: DestinationView) => {
    setChecking(d.id);
    clear();
    try {
      const v = await api.checkDestination(d.id);
      replace(v);
      succeeded(v.checkProblems.length ? t('admin.recipients.checkDoneProblems', { name: v.displayName }) : t('admin.recipients.checkDone', { name: v.displayName }));
    } catch (e) {
      failed(t('admin.recipients.checkFailed'), e);
    } finally {
      setChecking(null);
    }
  };

  const items = list.data ?? [];
  return (
    <section className={s.page} aria-labelledby="recipients-title" data-testid="admin-recipients-page">
      <div className={s.header}>
        <Body1Strong id="recipients-title" className={s.grow} as="h2">{t('admin.recipients.title')}</Body1Strong>
        {failedCount > 0 && (
          <Button size="small" appearance="subtle" data-testid="failed-jump"
            onClick={() => document.getElementById('failed-deliveries')?.scrollIntoView({ behavior: 'smooth', block: 'start' })}>
            <Badge appearance="filled" color="danger">{t('failed.count', { count: failedCount })}</Badge>
          </Button>
        )}
        {isAdmin && <Button appearance="primary" size="small" onClick={() => { clear(); setEditing('new'); }} data-testid="recipient-add">{t('admin.recipients.add')}</Button>}
        <Button size="small" icon={<RefreshIcon />} onClick={list.reload} aria-label={t('admin.refresh')} title={t('admin.refresh')} />
      </div>
      <Text className={s.intro}>{t('admin.recipients.intro')}</Text>
      {!isAdmin && <AdminOnlyNote />}
      <OutcomeBar outcome={outcome} onDismiss={clear} />
      {list.error != null && <ErrorBar title={t('admin.recipients.loadFailed')} error={list.error} onRetry={list.reload} />}
      {list.loading && !list.data && <div className={s.center}><Spinner size="small" label={t('app.loading')} /></div>}
      {list.data && items.length === 0 && <EmptyState icon={<InboxIcon />} title={t('admin.recipients.empty')} hint={t('admin.recipients.emptyHint')} />}
      {items.length > 0 && (
        <>
          <Caption1 className={s.meta} data-testid="recipient-count">{t('admin.recipients.count', { count: items.length })}</Caption1>
          <ul className={s.list} data-testid="recipient-list">
            {items.map((d) => (
              <RecipientCard
                key={d.id}
                d={d}
                isAdmin={isAdmin}
                checking={checking === d.id}
                onCheck={() => check(d)}
                onEdit={() => { clear(); setEditing(d); }}
                onArchive={() => { clear(); setArchiving(d); }}
              />
            ))}
          </ul>
        </>
      )}
      <FailedDeliveriesSection failed={failedDeliveries} />
      {editing && (
        <DestinationDialog
          existing={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(v) => { replace(v); setEditing(null); succeeded(t('admin.recipients.saved', { name: v.displayName })); }}
        />
      )}
      {archiving && (
        <ConfirmDialog
          testId="recipient-archive-dialog"
          title={t('admin.recipients.archiveTitle', { name: archiving.displayName })}
          intro={t('admin.recipients.archiveIntro')}
          confirmLabel={t('admin.recipients.archive')}
          busyLabel={t('admin.recipients.archiving')}
          failedTitle={t('admin.recipients.archiveFailed')}
          onClose={() => setArchiving(null)}
          onConfirm={async () => {
            await api.archiveDestination(archiving.id);
            list.setData((cur) => (cur ?? []).filter((x) => x.id !== archiving.id));
            succeeded(t('admin.recipients.archived', { name: archiving.displayName }));
            setArchiving(null);
          }}
        />
      )}
    </section>
  );
}

function RecipientCard({ d, isAdmin, checking, onCheck, onEdit, onArchive }: {
  d: DestinationView; isAdmin: boolean; checking: boolean; onCheck: () => void; onEdit: () => void; onArchive: () => void;
}) {
  const s = useAdminStyles();
  const { t } = useTranslation();
  const locale = useLocale();
  const teams = d.kind === 'teams_channel';
  return (
    <li className={s.card} data-testid="recipient" data-recipient-id={d.id} data-name={d.displayName}>
      <div className={s.row}>
        {teams ? <TeamsIcon aria-hidden /> : <MailIcon aria-hidden />}
        <Text weight="semibold" className={s.name} data-testid="recipient-name">{d.displayName}</Text>
        <Badge appearance="tint" color={teams ? 'brand' : 'informative'} data-testid="recipient-kind">{t(`destinationKind.${d.kind}`)}</Badge>
      </div>
      <Caption1 className={s.meta} data-testid="recipient-where">
        {teams ? t('admin.recipients.teamChannel', { team: d.teamId ?? '—', channel: d.channelId ?? '—' }) : d.mailbox}
        {d.folderPath ? ` · ${d.folderPath}` : ''}
      </Caption1>
      {d.checkProblems.length > 0 ? (
        <div data-testid="recipient-check" data-ok="false">
          <Caption1 className={s.problem}>{t('admin.recipients.checkedProblems', { date: d.checkedAt ? formatDateTime(d.checkedAt, locale) : '—' })}</Caption1>
          <ul>{d.checkProblems.map((p) => <li key={p}><Caption1 className={s.problem}>{p}</Caption1></li>)}</ul>
        </div>
      ) : (
        <Caption1 className={s.meta} data-testid="recipient-check" data-ok={d.checkedAt ? 'true' : 'unknown'}>
          {d.checkedAt ? t('admin.recipients.checkedOk', { date: formatDateTime(d.checkedAt, locale) }) : t('admin.recipients.neverChecked')}
        </Caption1>
      )}
      <div className={s.actions}>
        <Button size="small" onClick={onCheck} disabled={checking} icon={checking ? <Spinner size="tiny" /> : undefined}
          aria-label={t('admin.recipients.checkAgainLabel', { name: d.displayName })} data-testid="recipient-check-again">
          {checking ? t('admin.recipients.checking') : t('admin.recipients.checkAgain')}
        </Button>
        {isAdmin && (
          <>
            <Button size="small" onClick={onEdit} aria-label={t('admin.recipients.editLabel', { name: d.displayName })} data-testid="recipient-edit">{t('admin.recipients.edit')}</Button>
            <Button size="small" onClick={onArchive} aria-label={t('admin.recipients.archiveLabel', { name: d.displayName })} data-testid="recipient-archive">{t('admin.recipients.archive')}</Button>
          </>
        )}
      </div>
    </li>
  );
}
