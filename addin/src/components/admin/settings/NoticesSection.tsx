// Service notices: the list with each window's phase, a form to create one (start, end, optional
// banner start, Danish and English text) and delete after confirmation. The banner is told at once.
import {
  Badge, Body1Strong, Button, Caption1, Field, Input, Radio, RadioGroup, Spinner, Text, Textarea,
} from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ServiceNotice } from '../../../../../shared/src/contracts';
import { useApi } from '../../../api/context';
import { formatDateTime } from '../../../format';
import { ErrorBar } from '../../ErrorBar';
import { announceNoticesChanged } from '../../notices/events';
import { useLocale } from '../../useLocale';
import { ConfirmDialog, InlineError, OutcomeBar, useAdminStyles, useOutcome, useResource } from '../common';

const PHASE_COLOUR = { scheduled: 'informative', upcoming: 'warning', active: 'danger', ended: 'subtle' } as const;

/** A datetime-local value ("2030-01-02T10:00", the browser's time zone) as an ISO instant; null when empty or invalid. */
export function localToIso(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export function NoticesSection({ isAdmin }: { isAdmin: boolean }) {
  const s = useAdminStyles();
  const { t } = useTranslation();
  const api = useApi();
  const locale = useLocale();
  const list = useResource((signal) => api.adminNotices(signal));
  const { outcome, succeeded, clear } = useOutcome();
  const [deleting, setDeleting] = useState<ServiceNotice | null>(null);
  const windowOf = (n: ServiceNotice) => t('admin.settings.window', { from: formatDateTime(n.startsAt, locale), to: formatDateTime(n.endsAt, locale) });

  return (
    <section className={s.section} aria-labelledby="notices-title" data-testid="notices-admin">
      <Body1Strong id="notices-title" as="h2">{t('admin.settings.noticesTitle')}</Body1Strong>
      <Text className={s.intro}>{t('admin.settings.noticesIntro')}</Text>
      {isAdmin && (
        <NoticeForm onCreated={(n) => {
          list.setData((cur) => [n, ...(cur ?? [])]);
          succeeded(t('admin.settings.created'));
          announceNoticesChanged();
        }} />
      )}
      <OutcomeBar outcome={outcome} onDismiss={clear} />
      {list.error != null && <ErrorBar title={t('admin.settings.noticesLoadFailed')} error={list.error} onRetry={list.reload} />}
      {list.loading && !list.data && <Spinner size="tiny" label={t('app.loading')} />}
      {list.data && list.data.length === 0 && <Caption1 className={s.meta} data-testid="notices-empty">{t('admin.settings.noticesEmpty')}</Caption1>}
      <ul className={s.list} data-testid="notice-list">
        {(list.data ?? []).map((n) => (
          <li key={n.id} className={s.card} data-testid="notice-item" data-notice-id={n.id}>
            <div className={s.row}>
              <Text weight="semibold" className={s.name}>{windowOf(n)}</Text>
              <Badge appearance="tint" color={n.severity === 'warning' ? 'warning' : 'informative'}>
                {t(n.severity === 'warning' ? 'admin.settings.severityWarning' : 'admin.settings.severityInfo')}
              </Badge>
              <Badge appearance="outline" color={PHASE_COLOUR[n.phase]} data-testid="notice-phase" data-phase={n.phase}>{t(`admin.settings.phase.${n.phase}`)}</Badge>
            </div>
            <Text lang="da" className={s.name}>{n.textDa}</Text>
            <Text lang="en" className={s.name}>{n.textEn}</Text>
            <Caption1 className={s.meta}>
              {t('admin.settings.shownFrom', { date: formatDateTime(n.showFrom, locale) })}
              {' · '}
              {n.global ? t('admin.settings.global') : t('admin.settings.createdBy', { name: n.createdBy })}
            </Caption1>
            {isAdmin && !n.global && (
              <div className={s.actions}>
                <Button size="small" onClick={() => { clear(); setDeleting(n); }} aria-label={t('admin.settings.deleteLabel', { window: windowOf(n) })} data-testid="notice-delete">
                  {t('admin.settings.delete')}
                </Button>
              </div>
            )}
          </li>
        ))}
      </ul>
      {deleting && (
        <ConfirmDialog
          testId="notice-delete-dialog"
          title={t('admin.settings.deleteTitle')}
          intro={`${windowOf(deleting)}: ${t('admin.settings.deleteIntro')}`}
          confirmLabel={t('admin.settings.delete')}
          busyLabel={t('admin.settings.deleting')}
          failedTitle={t('admin.settings.deleteFailed')}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.deleteNotice(deleting.id);
            list.setData((cur) => (cur ?? []).filter((x) => x.id !== deleting.id));
            succeeded(t('admin.settings.deleted'));
            setDeleting(null);
            announceNoticesChanged();
          }}
        />
      )}
    </section>
  );
}

function NoticeForm({ onCreated }: { onCreated: (n: ServiceNotice) => void }) {
  const s = useAdminStyles();
  const { t } = useTranslation();
  const api = useApi();
  const [severity, setSeverity] = useState<'info' | 'warning'>('info');
  const [startsAt, setStartsAt] = useState('');
  const [endsAt, setEndsAt] = useState('');
  const [showFrom, setShowFrom] = useState('');
  const [textDa, setTextDa] = useState('');
  const [textEn, setTextEn] = useState('');
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const starts = localToIso(startsAt);
  const ends = localToIso(endsAt);
  const problems = {
    startsAt: !starts ? t('admin.settings.timeRequired') : undefined,
    endsAt: !ends ? t('admin.settings.timeRequired') : starts && ends <= starts ? t('admin.settings.endAfterStart') : undefined,
    textDa: !textDa.trim() ? t('admin.settings.textRequired') : undefined,
    textEn: !textEn.trim() ? t('admin.settings.textRequired') : undefined,
  };
  const shown = (k: keyof typeof problems) => (tried ? problems[k] : undefined);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.values(problems).some(Boolean) || !starts || !ends) return;
    setBusy(true);
    setError(null);
    try {
      // The rest (window length, end in the future, banner start) is the server's to check: one rule set.
      const show = localToIso(showFrom);
      onCreated(await api.createNotice({ severity, textDa, textEn, startsAt: starts, endsAt: ends, ...(show ? { showFrom: show } : {}) }));
      setStartsAt(''); setEndsAt(''); setShowFrom(''); setTextDa(''); setTextEn(''); setSeverity('info'); setTried(false);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className={`${s.card} ${s.form}`} onSubmit={submit} noValidate aria-labelledby="new-notice-title" data-testid="notice-form">
      <Text weight="semibold" id="new-notice-title">{t('admin.settings.newNotice')}</Text>
      <Field label={t('admin.settings.severity')}>
        <RadioGroup layout="horizontal" value={severity} onChange={(_, d) => setSeverity(d.value as 'info' | 'warning')} disabled={busy}>
          <Radio value="info" label={t('admin.settings.severityInfo')} data-testid="notice-severity-info" />
          <Radio value="warning" label={t('admin.settings.severityWarning')} data-testid="notice-severity-warning" />
        </RadioGroup>
      </Field>
      <Field label={t('admin.settings.startsAt')} required validationMessage={shown('startsAt')}>
        <Input type="datetime-local" value={startsAt} onChange={(_, d) => setStartsAt(d.value)} disabled={busy} data-testid="notice-starts" />
      </Field>
      <Field label={t('admin.settings.endsAt')} required validationMessage={shown('endsAt')}>
        <Input type="datetime-local" value={endsAt} onChange={(_, d) => setEndsAt(d.value)} disabled={busy} data-testid="notice-ends" />
      </Field>
      <Field label={t('admin.settings.showFrom')} hint={t('admin.settings.showFromHint')}>
        <Input type="datetime-local" value={showFrom} onChange={(_, d) => setShowFrom(d.value)} disabled={busy} data-testid="notice-show-from" />
      </Field>
      <Field label={t('admin.settings.textDa')} hint={t('admin.settings.textHint')} required validationMessage={shown('textDa')}>
        <Textarea lang="da" value={textDa} onChange={(_, d) => setTextDa(d.value)} maxLength={500} resize="vertical" disabled={busy} data-testid="notice-text-da" />
      </Field>
      <Field label={t('admin.settings.textEn')} hint={t('admin.settings.textHint')} required validationMessage={shown('textEn')}>
        <Textarea lang="en" value={textEn} onChange={(_, d) => setTextEn(d.value)} maxLength={500} resize="vertical" disabled={busy} data-testid="notice-text-en" />
      </Field>
      {error != null && <InlineError title={t('admin.settings.createFailed')} error={error} />}
      <div className={s.actions}>
        <Button appearance="primary" type="submit" disabled={busy} icon={busy ? <Spinner size="tiny" /> : undefined} data-testid="notice-create">
          {busy ? t('admin.settings.creating') : t('admin.settings.create')}
        </Button>
      </div>
    </form>
  );
}
