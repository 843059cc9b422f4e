// Admin › Settings: how long letters' content is kept, and how long past that a letter in quarantine
// nobody acted on is kept (admins change both, operators read them), and the service notices shown as
// a banner to everyone in the organisation; and where the mail about a delivery that gave up goes, and from
// which mailbox (settings/DeliverySection.tsx).
import { Body1Strong, Button, Caption1, Field, Input, Spinner, Text } from '@fluentui/react-components';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { retentionSettingsSchema } from '../../../../shared/src/contracts';
import { useApi } from '../../api/context';
import { ErrorBar } from '../ErrorBar';
import { AdminOnlyNote, InlineError, OutcomeBar, useAdmin, useAdminStyles, useOutcome, useResource } from './common';
import { NoticesSection } from './settings/NoticesSection';
import { DeliverySection } from './settings/DeliverySection';

export function SettingsPage() {
  const s = useAdminStyles();
  const { isAdmin } = useAdmin();
  return (
    <div className={s.page} data-testid="admin-settings-page">
      {!isAdmin && <AdminOnlyNote />}
      <RetentionSection isAdmin={isAdmin} />
      <DeliverySection isAdmin={isAdmin} />
      <NoticesSection isAdmin={isAdmin} />
    </div>
  );
}

function RetentionSection({ isAdmin }: { isAdmin: boolean }) {
  const s = useAdminStyles();
  const { t } = useTranslation();
  const api = useApi();
  const current = useResource((signal) => api.retentionSettings(signal));
  const [value, setValue] = useState('');
  const [keepValue, setKeepValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [invalid, setInvalid] = useState<{ retention: boolean; keep: boolean }>({ retention: false, keep: false });
  const [error, setError] = useState<unknown>(null);
  const { outcome, succeeded, clear } = useOutcome();

  useEffect(() => {
    if (!current.data) return;
    setValue(String(current.data.retentionDays));
    setKeepValue(current.data.quarantineKeepDays != null ? String(current.data.quarantineKeepDays) : '');
  }, [current.data]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    clear();
    const days = (v: string) => (/^\d+$/.test(v.trim()) ? Number(v.trim()) : NaN);
    // The same rules as the server (shared retentionSettingsSchema), each field told on its own.
    // A server that does not report the quarantine period is left to keep its own (left out: unchanged).
    const keepDays = keepValue.trim() === '' && current.data?.quarantineKeepDays == null ? undefined : days(keepValue);
    const parsed = retentionSettingsSchema.safeParse({ retentionDays: days(value), quarantineKeepDays: keepDays });
    const wrong = (field: string) => !parsed.success && parsed.error.issues.some((i) => i.path[0] === field);
    setInvalid({ retention: wrong('retentionDays'), keep: wrong('quarantineKeepDays') });
    if (!parsed.success) return;
    setBusy(true);
    setError(null);
    try {
      const saved = await api.putRetentionSettings(parsed.data);
      current.setData(saved);
      succeeded(saved.quarantineKeepDays != null
        ? t('admin.settings.retentionAndQuarantineSaved', { count: saved.retentionDays, keep: t('admin.settings.quarantineKeepLater', { count: saved.quarantineKeepDays }) })
        : t('admin.settings.retentionSaved', { count: saved.retentionDays }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const days = current.data?.retentionDays;
  const keep = current.data?.quarantineKeepDays;
  return (
    <section className={s.section} aria-labelledby="retention-title" data-testid="retention">
      <Body1Strong id="retention-title" as="h2">{t('admin.settings.retentionTitle')}</Body1Strong>
      {current.error != null && <ErrorBar title={t('admin.settings.retentionLoadFailed')} error={current.error} onRetry={current.reload} />}
      {current.loading && !current.data && <Spinner size="tiny" label={t('app.loading')} />}
      {days != null && (
        <>
          <Text data-testid="retention-means">{t('admin.settings.retentionMeans', { count: days })}</Text>
          <Caption1 className={s.meta}>{t('admin.settings.retentionPending')}</Caption1>
          {keep != null && <Text data-testid="quarantine-keep-means">{t('admin.settings.quarantineKeepMeans', { count: keep, total: days + keep })}</Text>}
        </>
      )}
      {days != null && isAdmin && (
        <form className={s.form} onSubmit={submit} noValidate>
          <Field label={t('admin.settings.retentionLabel')} hint={t('admin.settings.retentionHint')} validationMessage={invalid.retention ? t('admin.settings.retentionInvalid') : undefined}>
            <Input type="number" min={7} max={3650} step={1} value={value} onChange={(_, d) => { setValue(d.value); setInvalid((x) => ({ ...x, retention: false })); }} disabled={busy} data-testid="retention-input" />
          </Field>
          <Field
            label={t('admin.settings.quarantineKeepLabel')}
            hint={t('admin.settings.quarantineKeepHint')}
            validationMessage={invalid.keep ? t('admin.settings.quarantineKeepInvalid') : undefined}
            data-testid="quarantine-keep-field"
          >
            <Input type="number" min={7} max={3650} step={1} value={keepValue} onChange={(_, d) => { setKeepValue(d.value); setInvalid((x) => ({ ...x, keep: false })); }} disabled={busy} data-testid="quarantine-keep-input" />
          </Field>
          {error != null && <InlineError title={t('admin.settings.retentionFailed')} error={error} />}
          <div className={s.actions}>
            <Button appearance="primary" type="submit" disabled={busy} icon={busy ? <Spinner size="tiny" /> : undefined} data-testid="retention-save">
              {busy ? t('admin.settings.retentionSaving') : t('admin.settings.retentionSave')}
            </Button>
          </div>
        </form>
      )}
      <OutcomeBar outcome={outcome} onDismiss={clear} />
    </section>
  );
}
