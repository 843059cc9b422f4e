// Admin › Settings: how long letters' content is kept, and how long past that a letter in quarantine
// nobody acted on is kept (admins change both, operators read them), and the service notices shown as
// a banner to everyone in the organisation; and where the mail about a delivery that gave up goes, and from
// which mailbox (settings/DeliverySection.tsx). Shortening retention deletes letters at the next purge
// for good: while a value is lower the pane shows what would go, and saving asks to confirm it. A
// refusal is said at its field (field-problems.ts).
import { Body1Strong, Button, Caption1, Field, Input, MessageBar, MessageBarBody, Spinner, Text } from '@fluentui/react-components';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { retentionSettingsSchema, type RetentionPreview, type RetentionSettings } from '../../../../shared/src/contracts';
import { ApiError, isAbortError } from '../../api/client';
import { useApi } from '../../api/context';
import { formatDate } from '../../format';
import { useLocale } from '../useLocale';
import { ErrorBar, describeError } from '../ErrorBar';
import { AdminOnlyNote, ConfirmDialog, InlineError, OutcomeBar, useAdmin, useAdminStyles, useOutcome, useResource } from './common';
import { useServerProblems, type ProblemForm } from './field-problems';
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

type DueCounts = Pick<RetentionPreview, 'letters' | 'quarantined' | 'keptOnLegalHold' | 'oldestReceivedAt'>;

/** Whether `next` shortens either period: then the server wants deletions confirmed (api/settings.ts). */
function shortens(next: RetentionSettings, now: RetentionSettings): boolean {
  return next.retentionDays < now.retentionDays
    || (next.quarantineKeepDays != null && now.quarantineKeepDays != null && next.quarantineKeepDays < now.quarantineKeepDays);
}

/** The counts of a 409 retention_deletes_unconfirmed (the server counted again); null for any other error. */
function unconfirmedCounts(e: unknown): DueCounts | null {
  if (!(e instanceof ApiError) || e.code !== 'retention_deletes_unconfirmed') return null;
  const p = e.details.params ?? {};
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  return { letters: n(p.letters), quarantined: n(p.quarantined), keptOnLegalHold: n(p.keptOnLegalHold), oldestReceivedAt: typeof p.oldest === 'string' && p.oldest ? p.oldest : null };
}

function previewText(c: DueCounts, t: TFunction, locale: string): string {
  const date = c.oldestReceivedAt ? formatDate(c.oldestReceivedAt, locale) : '';
  const letters = t('admin.settings.previewLetters', { count: c.letters });
  const quarantined = t('admin.settings.previewQuarantined', { count: c.quarantined });
  const main = c.letters && c.quarantined ? t('admin.settings.previewBoth', { letters, quarantined, date })
    : c.letters || c.quarantined ? t('admin.settings.previewOne', { what: c.letters ? letters : quarantined, date })
      : t('admin.settings.previewNone');
  return c.keptOnLegalHold ? `${main} ${t('admin.settings.previewHeld', { count: c.keptOnLegalHold })}` : main;
}

/** The server's preview of `settings` (null: none asked), fetched once typing has paused; `preview` absent while counting. */
function useRetentionPreview(settings: RetentionSettings | null): { preview?: RetentionPreview; error?: unknown } | null {
  const api = useApi();
  const key = settings ? `${settings.retentionDays}/${settings.quarantineKeepDays ?? ''}` : '';
  const [state, setState] = useState<{ key: string; preview?: RetentionPreview; error?: unknown } | null>(null);
  useEffect(() => {
    if (!settings) return undefined;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api.retentionPreview(settings, controller.signal).then(
        (preview) => setState({ key, preview }),
        (error) => { if (!isAbortError(error)) setState({ key, error }); },
      );
    }, 400);
    return () => { clearTimeout(timer); controller.abort(); };
    // `settings` is a fresh object each render; `key` is what it says.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  if (!settings) return null;
  return state?.key === key ? state : {};
}

const daysOf = (v: string) => (/^\d+$/.test(v.trim()) ? Number(v.trim()) : NaN);

type RetentionField = 'retention' | 'keep';

/** The form as the server's refusals are placed on it: either period's problem said as the pane's own check says it. */
export function retentionForm(t: (key: string) => string): ProblemForm<RetentionField> {
  const of = (path: string): RetentionField | undefined => (path === 'retentionDays' ? 'retention' : path === 'quarantineKeepDays' ? 'keep' : undefined);
  return {
    fieldOf: of,
    label: (path) => (of(path) === 'retention' ? t('admin.settings.retentionLabel') : of(path) === 'keep' ? t('admin.settings.quarantineKeepLabel') : undefined),
    say: (_p, field) => t(field === 'retention' ? 'admin.settings.retentionInvalid' : 'admin.settings.quarantineKeepInvalid'),
  };
}

function RetentionSection({ isAdmin }: { isAdmin: boolean }) {
  const s = useAdminStyles();
  const { t } = useTranslation();
  const locale = useLocale();
  const api = useApi();
  const current = useResource((signal) => api.retentionSettings(signal));
  const [value, setValue] = useState('');
  const [keepValue, setKeepValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [invalid, setInvalid] = useState<{ retention: boolean; keep: boolean }>({ retention: false, keep: false });
  const server = useServerProblems(retentionForm(t as unknown as (key: string) => string));
  const [confirm, setConfirm] = useState<{ settings: RetentionSettings; counts: DueCounts } | null>(null);
  const { outcome, succeeded, clear } = useOutcome();

  useEffect(() => {
    if (!current.data) return;
    setValue(String(current.data.retentionDays));
    setKeepValue(current.data.quarantineKeepDays != null ? String(current.data.quarantineKeepDays) : '');
  }, [current.data]);

  // The same rules as the server (shared retentionSettingsSchema), each field told on its own.
  // A server that does not report the quarantine period is left to keep its own (left out: unchanged).
  const parsed = useMemo(() => {
    const keepDays = keepValue.trim() === '' && current.data?.quarantineKeepDays == null ? undefined : daysOf(keepValue);
    return retentionSettingsSchema.safeParse({ retentionDays: daysOf(value), quarantineKeepDays: keepDays });
  }, [value, keepValue, current.data]);
  const lowered = isAdmin && parsed.success && current.data != null && shortens(parsed.data, current.data);
  const live = useRetentionPreview(lowered && parsed.success ? parsed.data : null);

  const save = async (settings: RetentionSettings, confirmDeletes?: number) => {
    const saved = await api.putRetentionSettings(confirmDeletes === undefined ? settings : { ...settings, confirmDeletes });
    current.setData(saved);
    succeeded(saved.quarantineKeepDays != null
      ? t('admin.settings.retentionAndQuarantineSaved', { count: saved.retentionDays, keep: t('admin.settings.quarantineKeepLater', { count: saved.quarantineKeepDays }) })
      : t('admin.settings.retentionSaved', { count: saved.retentionDays }));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    clear();
    const wrong = (field: string) => !parsed.success && parsed.error.issues.some((i) => i.path[0] === field);
    setInvalid({ retention: wrong('retentionDays'), keep: wrong('quarantineKeepDays') });
    if (!parsed.success) return;
    const settings = parsed.data;
    setBusy(true);
    server.clear();
    try {
      // Counted again now, not taken from the preview shown while typing: that may be a moment old.
      if (current.data && shortens(settings, current.data)) {
        const p = await api.retentionPreview(settings);
        if (p.letters + p.quarantined > 0) {
          setConfirm({ settings, counts: p });
          return;
        }
      }
      await save(settings);
    } catch (err) {
      // The server found deletions the pane did not expect (another admin changed the settings meanwhile).
      const counts = unconfirmedCounts(err);
      if (counts) setConfirm({ settings, counts });
      else server.refused(err);
    } finally {
      setBusy(false);
    }
  };

  const confirmSave = async () => {
    if (!confirm) return;
    try {
      await save(confirm.settings, confirm.counts.letters + confirm.counts.quarantined);
      setConfirm(null);
    } catch (err) {
      // More would go than the admin confirmed: show the new numbers; the dialog says why it asks again.
      const counts = unconfirmedCounts(err);
      if (counts) setConfirm({ settings: confirm.settings, counts });
      throw err;
    }
  };
  const liveTotal = live?.preview ? live.preview.letters + live.preview.quarantined : 0;

  const days = current.data?.retentionDays;
  const keep = current.data?.quarantineKeepDays;
  const bar = server.bar();
  const message = (field: RetentionField) => (invalid[field] ? t(field === 'retention' ? 'admin.settings.retentionInvalid' : 'admin.settings.quarantineKeepInvalid') : server.at(field));
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
          <Field label={t('admin.settings.retentionLabel')} hint={t('admin.settings.retentionHint')} validationMessage={message('retention')}>
            <Input type="number" min={7} max={3650} step={1} value={value} onChange={(_, d) => { setValue(d.value); setInvalid((x) => ({ ...x, retention: false })); server.edited('retention'); }} disabled={busy} data-testid="retention-input" />
          </Field>
          <Field
            label={t('admin.settings.quarantineKeepLabel')}
            hint={t('admin.settings.quarantineKeepHint')}
            validationMessage={message('keep')}
            data-testid="quarantine-keep-field"
          >
            <Input type="number" min={7} max={3650} step={1} value={keepValue} onChange={(_, d) => { setKeepValue(d.value); setInvalid((x) => ({ ...x, keep: false })); server.edited('keep'); }} disabled={busy} data-testid="quarantine-keep-input" />
          </Field>
          {live && (
            <MessageBar intent={liveTotal > 0 ? 'warning' : 'info'} layout="multiline" role="status" data-testid="retention-preview" data-deletes={liveTotal}>
              <MessageBarBody>
                {live.preview ? previewText(live.preview, t, locale)
                  : live.error != null ? t('admin.settings.previewFailed', { error: describeError(live.error, t) })
                    : t('admin.settings.previewCounting')}
              </MessageBarBody>
            </MessageBar>
          )}
          {bar != null && <InlineError title={t('admin.settings.retentionFailed')} text={bar} />}
          <div className={s.actions}>
            <Button appearance="primary" type="submit" disabled={busy} icon={busy ? <Spinner size="tiny" /> : undefined} data-testid="retention-save">
              {busy ? t('admin.settings.retentionSaving') : t('admin.settings.retentionSave')}
            </Button>
          </div>
        </form>
      )}
      {confirm && (
        <ConfirmDialog
          testId="retention-confirm"
          title={t('admin.settings.confirmTitle')}
          intro={<><span data-testid="retention-confirm-text">{previewText(confirm.counts, t, locale)}</span> {t('admin.settings.confirmFinal')}</>}
          confirmLabel={t('admin.settings.confirmSave')}
          busyLabel={t('admin.settings.retentionSaving')}
          failedTitle={t('admin.settings.retentionFailed')}
          onConfirm={confirmSave}
          onClose={() => setConfirm(null)}
        />
      )}
      <OutcomeBar outcome={outcome} onDismiss={clear} />
    </section>
  );
}
