// Admin › Audit: the organisation's append-only audit log (who did what, when, from where), newest
// first, filtered by action, with the chain's hashes in the CSV export so it can be verified outside
// Brevdue (`brevdue audit verify` does it inside). Admins only; the API enforces it too.
import { Body1Strong, Button, Caption1, Field, Input, Spinner, Text } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditEntryView } from '../../../../shared/src/contracts';
import { useApi } from '../../api/context';
import { formatDateTime } from '../../format';
import { useLocale } from '../useLocale';
import { saveBlob } from '../download';
import { AdminOnlyNote, InlineError, OutcomeBar, useAdmin, useAdminStyles, useOutcome } from './common';

export function AuditPage() {
  const s = useAdminStyles();
  const { t } = useTranslation();
  const api = useApi();
  const locale = useLocale();
  const { isAdmin } = useAdmin();
  const { outcome, succeeded, failed, clear } = useOutcome();
  const [action, setAction] = useState('');
  const [items, setItems] = useState<AuditEntryView[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const load = async (more: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const page = await api.listAudit({ action: action.trim() || undefined, before: more ? next ?? undefined : undefined });
      setItems((prev) => (more && prev ? [...prev, ...page.items] : page.items));
      setNext(page.nextBefore);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const exportCsv = async () => {
    try {
      saveBlob(await api.downloadAuditCsv({ action: action.trim() || undefined }), 'brevdue-audit.csv');
      succeeded(t('audit.exported'));
    } catch (e) {
      failed(t('audit.exportFailed'), e);
    }
  };

  useEffect(() => {
    if (isAdmin) void load(false);
    // Once on opening; the filter button asks again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [isAdmin]);

  if (!isAdmin) return <div className={s.page} data-testid="admin-audit-page"><AdminOnlyNote /></div>;

  return (
    <section className={s.page} aria-labelledby="audit-title" data-testid="admin-audit-page">
      <div className={s.header}>
        <Body1Strong id="audit-title" className={s.grow}>{t('audit.title')}</Body1Strong>
        <Button size="small" onClick={() => void exportCsv()} data-testid="audit-export">{t('audit.export')}</Button>
      </div>
      <Text className={s.intro}>{t('audit.intro')}</Text>
      <form className={s.row} onSubmit={(e) => { e.preventDefault(); void load(false); }}>
        <Field label={t('audit.action')} hint={t('audit.actionHint')} className={s.grow}>
          <Input value={action} onChange={(_, d) => setAction(d.value)} data-testid="audit-action" />
        </Field>
        <Button type="submit" appearance="primary" size="small" disabled={busy}>{t('audit.filter')}</Button>
      </form>
      <OutcomeBar outcome={outcome} onDismiss={clear} />
      {error != null && <InlineError title={t('audit.loadFailed')} error={error} />}
      {items && items.length === 0 && <Caption1 data-testid="audit-empty">{t('audit.empty')}</Caption1>}
      {items && items.length > 0 && (
        <ul className={s.list} data-testid="audit-list">
          {items.map((a) => (
            <li key={a.seq} className={s.card} data-testid="audit-entry" data-action={a.action}>
              <div className={s.row}>
                <Text weight="semibold" className={s.name}>{a.action}</Text>
                <Caption1 className={s.meta}>#{a.seq} · {formatDateTime(a.at, locale)}</Caption1>
              </div>
              <Caption1 className={s.meta}>
                {t('audit.by', { actor: a.actor })}{a.actorIp ? ` · ${a.actorIp}` : ''}
                {a.targetType ? ` · ${a.targetType} ${a.targetId ?? ''}` : ''}
              </Caption1>
            </li>
          ))}
        </ul>
      )}
      {busy && <div className={s.center}><Spinner size="tiny" label={t('app.loading')} /></div>}
      {next !== null && !busy && <Button onClick={() => void load(true)} data-testid="audit-more">{t('audit.more')}</Button>}
    </section>
  );
}
