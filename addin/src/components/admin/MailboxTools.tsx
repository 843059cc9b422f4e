// Admin › mailboxes, inside a mailbox's card: "Renew credentials" (admins without limits: PATCH
// /api/admin/mailboxes/:id with all of the provider's credentials, the fields of
// mailboxes/CredentialFields.tsx, shared with "Attach a mailbox"; nothing stored is ever shown or
// prefilled) and, for Digital Post mailboxes, "Fetch earlier letters" (backfill: admins start one,
// operators see the list; refreshed every few seconds while one runs, not after the section closes).
import {
  Body1, Button, Caption1, Field, Input, MessageBar, MessageBarBody, MessageBarTitle, ProgressBar, Spinner, Text,
} from '@fluentui/react-components';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { BackfillStatusView, MailboxView } from '../../../../shared/src/contracts';
import { useApi } from '../../api/context';
import { formatDateTime } from '../../format';
import { ErrorBar } from '../ErrorBar';
import { useLocale } from '../useLocale';
import { useAdmin, useAdminStyles, useResource } from './common';
import { CredentialFields } from './mailboxes/CredentialFields';
import { credentialProblems, credentialsBody, type CertChoice, type Values } from './mailboxes/credentials';
import { mailboxForm } from './mailboxes/attach';
import { useServerProblems } from './field-problems';
import type { MailboxCheck } from './mailboxes/useMailboxCheck';
import { MailboxErrorExplained, notTheSetup } from './mailboxes/MailboxError';

/**
 * What became of saved credentials (useMailboxCheck): being tried by the poll the save started, working,
 * refused (with the mailbox's error), not tried yet within the wait, or not polled (paused, push).
 */
export function CheckBar({ check, kind, provider, name, testId }: {
  check: MailboxCheck; kind: 'renew' | 'attach'; provider: string; name: string; testId: string;
}) {
  const { t } = useTranslation();
  const locale = useLocale();
  const k = (key: string) => `admin.mailboxes.check.${kind}.${key}` as never;
  // A failure the saved credentials are not to blame for (the provider down, one letter) is not "they do not work".
  const elsewhere = check.phase === 'failed' && notTheSetup(check.kind);
  const intent = check.phase === 'checking' || check.phase === 'notPolled' ? 'info' : check.phase === 'ok' ? 'success'
    : check.phase === 'failed' && !elsewhere ? 'error' : 'warning';
  return (
    <MessageBar
      intent={intent} layout="multiline" role={check.phase === 'failed' ? 'alert' : 'status'} data-testid={testId} data-check={check.phase}
      icon={check.phase === 'checking' ? <Spinner size="extra-tiny" /> : undefined}
    >
      <MessageBarBody>
        <span data-testid={`${testId}-text`}>
          {check.phase === 'ok'
            ? t(k('ok'), { provider, name, date: check.at ? formatDateTime(check.at, locale) : '—' })
            : t(k(elsewhere ? 'failedElsewhere' : check.phase), { provider, name })}
        </span>
        {check.phase === 'failed' && check.error && (check.kind
          ? <MailboxErrorExplained kind={check.kind} error={check.error} provider={provider} size="bar" testId={`${testId}-error`} />
          : <div data-testid={`${testId}-error`}>{t('admin.mailboxes.check.error', { error: check.error })}</div>)}
      </MessageBarBody>
    </MessageBar>
  );
}

/** The form to replace a mailbox's credentials (the fields shared with "Attach a mailbox"); empty every time it opens. */
export function CredentialsForm({ m, cvrName, check, onSaved, onClose }: {
  m: MailboxView; cvrName: string; check: MailboxCheck | null; onSaved: (v: MailboxView) => void; onClose: () => void;
}) {
  const s = useAdminStyles();
  const { t } = useTranslation();
  const api = useApi();
  const [values, setValues] = useState<Values>({});
  const [cert, setCert] = useState<CertChoice>('none');
  // A new generation remounts the fields, so a chosen file is forgotten with the rest.
  const [generation, setGeneration] = useState(0);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  // The server's refusal, each problem at its field (as "Attach a mailbox").
  const server = useServerProblems(mailboxForm(m.provider));
  const { error, placed } = server;
  const provider = t(`provider.${m.provider}`);
  const problems = credentialProblems(m.provider, values, cert, 'renew', (k) => t(k as never));
  const fromServer = Object.fromEntries(Object.keys(placed?.fields ?? {}).map((key) => [key, server.at(key)]).filter(([, text]) => text));
  const messages = { ...fromServer, ...(tried ? problems : {}) };
  const forget = server.edited;
  const idp = `creds-${m.id}`;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.keys(problems).length) return;
    setBusy(true);
    server.clear();
    try {
      const v = await api.renewMailboxCredentials(m.id, credentialsBody(m.provider, values, cert));
      // Nothing typed stays in the form once saved.
      setValues({});
      setCert('none');
      setGeneration((n) => n + 1);
      setTried(false);
      onSaved(v);
    } catch (err) {
      server.refused(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className={`${s.card} ${s.form}`} onSubmit={submit} noValidate aria-labelledby={`${idp}-title`} data-testid="credentials-form">
      <Text weight="semibold" id={`${idp}-title`}>{t('admin.mailboxes.credentials.title', { provider, name: cvrName })}</Text>
      <Caption1 className={s.meta}>{t(`admin.mailboxes.credentials.intro.${m.provider}` as never)}</Caption1>
      <CredentialFields
        key={generation} provider={m.provider} purpose="renew" values={values}
        onChange={(key, value) => { setValues((cur) => ({ ...cur, [key]: value })); forget(key); }}
        cert={cert} onCertChange={(c) => { setCert(c); forget('certificateChoice'); }} messages={messages} busy={busy}
      />
      {error != null && (server.marked > 0
        ? (
          <MessageBar intent="error" layout="multiline" role="alert" data-testid="error">
            <MessageBarBody>
              <MessageBarTitle>{t('admin.mailboxes.credentials.failed')}</MessageBarTitle>
              <span data-testid="error-message">{server.bar(t('admin.mailboxes.attach.fixFields'))}</span>
            </MessageBarBody>
          </MessageBar>
        )
        : <ErrorBar title={t('admin.mailboxes.credentials.failed')} error={error} />)}
      {check && !busy && error == null && <CheckBar check={check} kind="renew" provider={provider} name={cvrName} testId="credentials-saved" />}
      <div className={s.actions}>
        <Button appearance="primary" type="submit" disabled={busy} icon={busy ? <Spinner size="tiny" /> : undefined} data-testid="credentials-save">
          {busy ? t('admin.mailboxes.credentials.saving') : t('admin.mailboxes.credentials.save')}
        </Button>
        <Button type="button" onClick={onClose} disabled={busy} data-testid="credentials-close">{t('admin.mailboxes.credentials.close')}</Button>
      </div>
    </form>
  );
}

const DAY_MS = 86_400_000;
/** YYYY-MM-DD of a date in local time (what <input type="date"> shows). */
function isoDay(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export function backfillRangeProblem(from: string, to: string, today: string): { field: 'from' | 'to'; key: string } | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from)) return { field: 'from', key: 'admin.mailboxes.backfill.fromRequired' };
  if (from > today) return { field: 'from', key: 'admin.mailboxes.backfill.future' };
  if (to && !/^\d{4}-\d{2}-\d{2}$/.test(to)) return { field: 'to', key: 'admin.mailboxes.backfill.toInvalid' };
  if (to && to > today) return { field: 'to', key: 'admin.mailboxes.backfill.future' };
  if (to && to < from) return { field: 'to', key: 'admin.mailboxes.backfill.toBeforeFrom' };
  return null;
}

const POLL_MS = 3_000;

/** A Digital Post mailbox's backfills: start one (admins), and the list with progress. */
export function BackfillSection({ m, cvrName }: { m: MailboxView; cvrName: string }) {
  const s = useAdminStyles();
  const { t } = useTranslation();
  const api = useApi();
  const locale = useLocale();
  const { isAdmin } = useAdmin();
  const list = useResource((signal) => api.mailboxBackfills(m.id, signal));
  const today = isoDay(new Date());
  const [from, setFrom] = useState(() => isoDay(new Date(Date.now() - 30 * DAY_MS)));
  const [to, setTo] = useState(today);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [started, setStarted] = useState(false);
  const provider = t(`provider.${m.provider}`);
  const problem = backfillRangeProblem(from, to, today);
  const idp = `backfill-${m.id}`;

  const items = list.data ?? [];
  const running = items.some((b) => b.status === 'RUNNING');
  const { reload } = list;
  // While one runs, ask again every few seconds; the timer goes with the section (or when none runs).
  useEffect(() => {
    if (!running || list.loading) return undefined;
    const timer = setTimeout(reload, POLL_MS);
    return () => clearTimeout(timer);
  }, [running, list.loading, list.data, reload]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    setStarted(false);
    if (problem || running) return;
    setBusy(true);
    setError(null);
    try {
      const fromAt = new Date(`${from}T00:00:00`);
      // The end of the chosen day, but never after now.
      const toAt = to ? new Date(Math.min(new Date(`${to}T23:59:59.999`).getTime(), Date.now())) : null;
      const b = await api.startBackfill(m.id, { from: fromAt.toISOString(), ...(toAt ? { to: toAt.toISOString() } : {}) });
      list.setData((cur) => [b, ...(cur ?? []).filter((x) => x.id !== b.id)]);
      setTried(false);
      setStarted(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className={s.section} aria-labelledby={`${idp}-title`} data-testid="backfill">
      <Text weight="semibold" id={`${idp}-title`}>{t('admin.mailboxes.backfill.title', { provider, name: cvrName })}</Text>
      <Caption1 className={s.meta}>{t('admin.mailboxes.backfill.intro')}</Caption1>
      {isAdmin ? (
        <form className={`${s.card} ${s.form}`} onSubmit={submit} noValidate aria-label={t('admin.mailboxes.backfill.formLabel')} data-testid="backfill-form">
          <Field label={t('admin.mailboxes.backfill.from')} required validationMessage={tried && problem?.field === 'from' ? t(problem.key as never) : undefined}>
            <Input type="date" value={from} max={today} onChange={(_, d) => setFrom(d.value)} disabled={busy} data-testid="backfill-from" />
          </Field>
          <Field label={t('admin.mailboxes.backfill.to')} hint={t('admin.mailboxes.backfill.toHint')} validationMessage={tried && problem?.field === 'to' ? t(problem.key as never) : undefined}>
            <Input type="date" value={to} max={today} onChange={(_, d) => setTo(d.value)} disabled={busy} data-testid="backfill-to" />
          </Field>
          {error != null && <ErrorBar title={t('admin.mailboxes.backfill.startFailed')} error={error} />}
          {started && (
            <MessageBar intent="success" role="status" data-testid="backfill-started">
              <MessageBarBody>{t('admin.mailboxes.backfill.started')}</MessageBarBody>
            </MessageBar>
          )}
          <div className={s.actions}>
            <Button
              appearance="primary" type="submit" disabled={busy || running} icon={busy ? <Spinner size="tiny" /> : undefined}
              aria-describedby={running ? `${idp}-running` : undefined} data-testid="backfill-start"
            >
              {busy ? t('admin.mailboxes.backfill.starting') : t('admin.mailboxes.backfill.start')}
            </Button>
          </div>
          {running && <Caption1 className={s.meta} id={`${idp}-running`} data-testid="backfill-running">{t('admin.mailboxes.backfill.running')}</Caption1>}
        </form>
      ) : <Caption1 className={s.meta} data-testid="backfill-admin-only">{t('admin.mailboxes.backfill.adminOnly')}</Caption1>}
      {list.error != null && <ErrorBar title={t('admin.mailboxes.backfill.loadFailed')} error={list.error} onRetry={list.reload} />}
      {list.loading && !list.data && <Spinner size="tiny" label={t('app.loading')} />}
      {list.data && items.length === 0 && <Caption1 className={s.meta} data-testid="backfill-empty">{t('admin.mailboxes.backfill.empty')}</Caption1>}
      <ul className={s.list} aria-label={t('admin.mailboxes.backfill.listLabel')} aria-live="polite">
        {items.map((b) => <BackfillItem key={b.id} b={b} locale={locale} />)}
      </ul>
    </section>
  );
}

function BackfillItem({ b, locale }: { b: BackfillStatusView; locale: string }) {
  const s = useAdminStyles();
  const { t } = useTranslation();
  const range = t('admin.mailboxes.backfill.range', {
    from: formatDateTime(b.from, locale), to: b.to ? formatDateTime(b.to, locale) : t('admin.mailboxes.backfill.now'),
  });
  const status = t(`admin.mailboxes.backfill.status.${b.status}` as never);
  const counts = t('admin.mailboxes.backfill.counts', { fetched: b.fetchedMessages, failed: b.failedMessages, total: b.totalMessages });
  return (
    <li className={s.card} data-testid="backfill-item" data-backfill-id={b.id} data-status={b.status} data-progress={b.progress ?? ''}>
      <Body1>{range}</Body1>
      <Caption1 className={b.status === 'STOPPED' ? s.problem : s.meta} data-testid="backfill-status">{status} · {counts}</Caption1>
      <ProgressBar
        value={b.progress ?? (b.status === 'RUNNING' ? undefined : 0)}
        max={1}
        thickness="large"
        aria-label={t('admin.mailboxes.backfill.progressLabel', { range, status })}
        data-testid="backfill-progress"
      />
      {b.createdAt && <Caption1 className={s.meta}>{t('admin.mailboxes.backfill.createdAt', { date: formatDateTime(b.createdAt, locale) })}</Caption1>}
    </li>
  );
}
