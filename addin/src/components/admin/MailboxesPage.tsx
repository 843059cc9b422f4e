// Admin › CVR numbers and mailboxes: add a CVR number (8 digits and modulus 11, checked here and by
// the server), remove one after confirmation, attach a provider's mailbox to it (admins:
// mailboxes/AttachMailboxForm.tsx; the new mailbox joins the list at once), and each mailbox's
// health — state, last successful fetch, last error (its kind's headline and what to do, in the
// pane's language, above the server's sentence: mailboxes/MailboxError.tsx), backlog, letters in
// quarantine — with pause/resume (operators too); to a role limited to destinations, which does not see
// the mailbox's quarantine (health's detailHidden), the error's headline without its sentence and no
// quarantine count or list, instead of a list the server refuses. A mailbox's quarantined letters open as a list
// with each one's reason (never its content) and, for admins, "Try again" (POST
// …/quarantine/:id/retry): taken in, already there, or fetched again at the next poll; a letter
// that stays shows the server's reason. A letter erased at a data subject's request is shown as
// erased, without "Try again" (its content is gone; the server answers 409 erased). Admins renew a
// mailbox's credentials (MailboxTools.tsx: the provider's fields, never prefilled) and, for Digital
// Post, start a backfill whose progress operators may follow too.
import { Badge, Body1Strong, Button, Caption1, Field, Input, MessageBar, MessageBarBody, Spinner, Text } from '@fluentui/react-components';
import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CvrView, MailboxHealth, MailboxView, Provider, QuarantineItem } from '../../../../shared/src/contracts';
import { isValidCvr } from '../../../../shared/src/identifiers';
import { ApiError } from '../../api/client';
import { useApi } from '../../api/context';
import { formatDateTime } from '../../format';
import { EmptyState } from '../EmptyState';
import { ErrorBar } from '../ErrorBar';
import { InboxIcon, RefreshIcon } from '../icons';
import { useLocale } from '../useLocale';
import { AdminOnlyNote, ConfirmDialog, InlineError, OutcomeBar, useAdmin, useAdminStyles, useOutcome, useResource } from './common';
import { JobsSection } from './JobsSection';
import { BackfillSection, CheckBar, CredentialsForm } from './MailboxTools';
import { AttachMailboxForm } from './mailboxes/AttachMailboxForm';
import { providersToAttach } from './mailboxes/attach';
import { useMailboxCheck } from './mailboxes/useMailboxCheck';
import { MailboxErrorExplained } from './mailboxes/MailboxError';

const STATE_COLOUR: Record<MailboxHealth['state'], 'success' | 'warning' | 'danger' | 'informative' | 'subtle'> = {
  ok: 'success', push: 'success', paused: 'subtle', backing_off: 'warning', failing: 'danger', never_fetched: 'informative',
};

/** The client-side check, in the user's language (the server checks the same and answers in English). */
export function cvrProblem(cvr: string): 'format' | 'check' | null {
  if (!/^\d{8}$/.test(cvr)) return 'format';
  return isValidCvr(cvr) ? null : 'check';
}

export function MailboxesPage() {
  const s = useAdminStyles();
  const { t } = useTranslation();
  const api = useApi();
  const { isAdmin } = useAdmin();
  const list = useResource((signal) => api.adminCvrs(signal));
  const { outcome, succeeded, failed, clear } = useOutcome();
  const [removing, setRemoving] = useState<CvrView | null>(null);
  const [toggling, setToggling] = useState<string | null>(null);

  const toggle = async (c: CvrView, m: MailboxView) => {
    setToggling(m.id);
    clear();
    const provider = t(`provider.${m.provider}`);
    try {
      const v = await api.setMailboxPaused(m.id, !m.paused);
      list.setData((cur) => (cur ?? []).map((x) => (x.cvr === c.cvr ? { ...x, mailboxes: x.mailboxes.map((y) => (y.id === v.id ? v : y)) } : x)));
      succeeded(t(v.paused ? 'admin.mailboxes.paused' : 'admin.mailboxes.resumed', { provider, name: c.name }));
    } catch (e) {
      failed(t('admin.mailboxes.pauseFailed'), e);
    } finally {
      setToggling(null);
    }
  };

  const items = list.data ?? [];
  return (
    <section className={s.page} aria-labelledby="mailboxes-title" data-testid="admin-mailboxes-page">
      <div className={s.header}>
        <Body1Strong id="mailboxes-title" className={s.grow} as="h2">{t('admin.mailboxes.title')}</Body1Strong>
        <Button size="small" icon={<RefreshIcon />} onClick={list.reload} aria-label={t('admin.refresh')} title={t('admin.refresh')} />
      </div>
      <Text className={s.intro}>{t('admin.mailboxes.intro')}</Text>
      {isAdmin ? (
        <AddCvrForm onAdded={(c) => {
          list.setData((cur) => [...(cur ?? []), c].sort((a, b) => a.name.localeCompare(b.name)));
          succeeded(t('admin.mailboxes.added', { cvr: c.cvr, name: c.name }));
        }} />
      ) : <AdminOnlyNote />}
      <OutcomeBar outcome={outcome} onDismiss={clear} />
      {list.error != null && <ErrorBar title={t('admin.mailboxes.loadFailed')} error={list.error} onRetry={list.reload} />}
      {list.loading && !list.data && <div className={s.center}><Spinner size="small" label={t('app.loading')} /></div>}
      {list.data && items.length === 0 && <EmptyState icon={<InboxIcon />} title={t('admin.mailboxes.empty')} hint={t('admin.mailboxes.emptyHint')} />}
      <ul className={s.list} data-testid="cvr-list">
        {items.map((c) => (
          <li key={c.cvr} className={s.card} data-testid="cvr" data-cvr={c.cvr}>
            <div className={s.row}>
              <Text weight="semibold" className={s.name}>{c.name}</Text>
              <Caption1 className={s.meta}>CVR {c.cvr}</Caption1>
              {isAdmin && (
                <Button size="small" onClick={() => { clear(); setRemoving(c); }} aria-label={t('admin.mailboxes.removeLabel', { cvr: c.cvr, name: c.name })} data-testid="cvr-remove">
                  {t('admin.mailboxes.remove')}
                </Button>
              )}
            </div>
            {c.mailboxes.length === 0
              ? <Caption1 className={s.meta}>{t('admin.mailboxes.noMailboxes')}</Caption1>
              : (
                <ul className={s.list} aria-label={t('admin.mailboxes.mailboxesOf', { name: c.name })}>
                  {c.mailboxes.map((m) => (
                    <MailboxRow
                      key={m.id} m={m} cvrName={c.name} busy={toggling === m.id} onToggle={() => toggle(c, m)} onQuarantineChanged={list.reload}
                      onChanged={(v) => list.setData((cur) => (cur ?? []).map((x) => (x.cvr === c.cvr ? { ...x, mailboxes: x.mailboxes.map((y) => (y.id === v.id ? v : y)) } : x)))}
                    />
                  ))}
                </ul>
              )}
            {isAdmin && (
              <AttachMailbox
                c={c} cvrs={items}
                onAttached={(m) => list.setData((cur) => (cur ?? []).map((x) => (x.cvr === c.cvr ? { ...x, mailboxes: [...x.mailboxes.filter((y) => y.id !== m.id), m] } : x)))}
                onChanged={(v) => list.setData((cur) => (cur ?? []).map((x) => (x.cvr === c.cvr ? { ...x, mailboxes: x.mailboxes.map((y) => (y.id === v.id ? v : y)) } : x)))}
              />
            )}
          </li>
        ))}
      </ul>
      {removing && (
        <ConfirmDialog
          testId="cvr-remove-dialog"
          title={t('admin.mailboxes.removeTitle', { cvr: removing.cvr, name: removing.name })}
          intro={t('admin.mailboxes.removeIntro')}
          confirmLabel={t('admin.mailboxes.remove')}
          busyLabel={t('admin.mailboxes.removing')}
          failedTitle={t('admin.mailboxes.removeFailed')}
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await api.removeCvr(removing.cvr);
            list.setData((cur) => (cur ?? []).filter((x) => x.cvr !== removing.cvr));
            succeeded(t('admin.mailboxes.removed', { cvr: removing.cvr, name: removing.name }));
            setRemoving(null);
          }}
        />
      )}
      <JobsSection />
    </section>
  );
}

/** A CVR number's "Attach a mailbox": the button, the form, and what was attached (said where it happened). */
function AttachMailbox({ c, cvrs, onAttached, onChanged }: {
  c: CvrView; cvrs: CvrView[]; onAttached: (m: MailboxView) => void; onChanged: (m: MailboxView) => void;
}) {
  const s = useAdminStyles();
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [attached, setAttached] = useState<{ provider: Provider; push: boolean } | null>(null);
  // The new mailbox's first poll: whether its settings and credentials work (not just that they were saved).
  const checking = useMailboxCheck(onChanged);
  const toggleRef = useRef<HTMLButtonElement>(null);
  const doneRef = useRef<HTMLDivElement>(null);
  const available = providersToAttach(c);
  const close = () => {
    setOpen(false);
    setTimeout(() => toggleRef.current?.focus(), 0);
  };
  return (
    <>
      {attached && (attached.push || !checking.check
        ? (
          <MessageBar intent="success" role="status" data-testid="mailbox-attached" data-provider={attached.provider}>
            <MessageBarBody>
              <div ref={doneRef} tabIndex={-1}>
                {t(attached.push ? 'admin.mailboxes.attach.attachedPush' : 'admin.mailboxes.attach.attached', { provider: t(`provider.${attached.provider}`), name: c.name })}
              </div>
            </MessageBarBody>
          </MessageBar>
        )
        : (
          <div ref={doneRef} tabIndex={-1} data-testid="mailbox-attached" data-provider={attached.provider}>
            <CheckBar check={checking.check} kind="attach" provider={t(`provider.${attached.provider}`)} name={c.name} testId="mailbox-attached-check" />
          </div>
        ))}
      {available.length > 0 && (
        <div className={s.actions}>
          <Button
            ref={toggleRef} size="small" onClick={() => { setAttached(null); checking.reset(); setOpen((v) => !v); }} aria-expanded={open}
            aria-label={t('admin.mailboxes.attach.showLabel', { action: t(open ? 'admin.mailboxes.attach.hide' : 'admin.mailboxes.attach.show'), name: c.name })}
            data-testid="mailbox-attach-toggle"
          >
            {t(open ? 'admin.mailboxes.attach.hide' : 'admin.mailboxes.attach.show')}
          </Button>
        </div>
      )}
      {open && available.length > 0 && (
        <AttachMailboxForm
          // A new form when the choice of providers changes (one was attached meanwhile).
          key={available.join()}
          cvr={c} cvrs={cvrs} available={available} onClose={close}
          onAttached={(m) => {
            setOpen(false);
            setAttached({ provider: m.provider, push: m.health.state === 'push' });
            onAttached(m);
            if (m.health.state !== 'push') checking.start(m);
            setTimeout(() => doneRef.current?.focus(), 0);
          }}
        />
      )}
    </>
  );
}

export function MailboxRow({ m, cvrName, busy, onToggle, onQuarantineChanged, onChanged }: {
  m: MailboxView; cvrName: string; busy: boolean; onToggle: () => void; onQuarantineChanged: () => void; onChanged: (v: MailboxView) => void;
}) {
  const s = useAdminStyles();
  const { t } = useTranslation();
  const locale = useLocale();
  const { isAdmin } = useAdmin();
  const [showQuarantine, setShowQuarantine] = useState(false);
  const [showCredentials, setShowCredentials] = useState(false);
  const [showBackfill, setShowBackfill] = useState(false);
  // After new credentials: the row follows the mailbox until the poll they started has a result.
  const credentialsCheck = useMailboxCheck(onChanged);
  const checkingNow = credentialsCheck.check?.phase === 'checking';
  const h = m.health;
  const provider = t(`provider.${m.provider}`);
  return (
    <li className={s.card} data-testid="mailbox" data-mailbox-id={m.id} data-provider={m.provider} data-paused={String(m.paused)}>
      <div className={s.row}>
        <Text weight="semibold" className={s.name}>{provider}</Text>
        <Badge appearance="tint" color={checkingNow ? 'informative' : STATE_COLOUR[h.state]} data-testid="mailbox-state" data-state={h.state} data-checking={checkingNow || undefined}>
          {checkingNow ? t('admin.mailboxes.state.checking') : t(`admin.mailboxes.state.${h.state}`)}
        </Badge>
      </div>
      <Caption1 className={s.meta} data-testid="mailbox-last-fetch">
        {h.lastFetchAt ? t('admin.mailboxes.lastFetch', { date: formatDateTime(h.lastFetchAt, locale) }) : t('admin.mailboxes.neverFetched')}
      </Caption1>
      {h.lastErrorKind
        ? (
          <MailboxErrorExplained
            kind={h.lastErrorKind} error={h.lastError} provider={provider} size="row" testId="mailbox-last-error"
            date={h.lastErrorAt ? formatDateTime(h.lastErrorAt, locale) : '—'}
          />
        )
        : h.lastError && (
          <Caption1 className={s.problem} data-testid="mailbox-last-error">
            {t('admin.mailboxes.lastError', { date: h.lastErrorAt ? formatDateTime(h.lastErrorAt, locale) : '—', error: h.lastError })}
          </Caption1>
        )}
      {h.nextAttemptAfter && <Caption1 className={s.meta}>{t('admin.mailboxes.nextAttempt', { date: formatDateTime(h.nextAttemptAfter, locale) })}</Caption1>}
      <Caption1 className={s.meta} data-testid="mailbox-backlog">
        {t('admin.mailboxes.undelivered', { count: h.undelivered })}
        {h.waitingAtProvider != null ? ` · ${t('admin.mailboxes.waiting', { count: h.waitingAtProvider })}` : ''}
      </Caption1>
      {h.quarantined === null
        ? <Caption1 className={s.meta} data-testid="mailbox-detail-hidden">{t('admin.mailboxes.detailHidden')}</Caption1>
        : (
          <Caption1 className={h.quarantined > 0 ? s.problem : s.meta} data-testid="mailbox-quarantined" data-count={h.quarantined}>
            {t('admin.mailboxes.quarantined', { count: h.quarantined })}
          </Caption1>
        )}
      <div className={s.actions}>
        <Button
          size="small"
          onClick={onToggle}
          disabled={busy}
          icon={busy ? <Spinner size="tiny" /> : undefined}
          aria-label={t(m.paused ? 'admin.mailboxes.resumeLabel' : 'admin.mailboxes.pauseLabel', { provider, name: cvrName })}
          data-testid="mailbox-toggle"
        >
          {busy ? t(m.paused ? 'admin.mailboxes.resuming' : 'admin.mailboxes.pausing') : t(m.paused ? 'admin.mailboxes.resume' : 'admin.mailboxes.pause')}
        </Button>
        {h.quarantined !== null && (h.quarantined > 0 || showQuarantine) && (
          <Button
            size="small"
            onClick={() => setShowQuarantine((v) => !v)}
            aria-expanded={showQuarantine}
            aria-label={t('admin.mailboxes.quarantine.showLabel', { provider, name: cvrName })}
            data-testid="mailbox-quarantine-toggle"
          >
            {t(showQuarantine ? 'admin.mailboxes.quarantine.hide' : 'admin.mailboxes.quarantine.show')}
          </Button>
        )}
        {isAdmin && (
          <Button
            size="small"
            onClick={() => setShowCredentials((v) => !v)}
            aria-expanded={showCredentials}
            aria-label={t('admin.mailboxes.credentials.showLabel', { action: t(showCredentials ? 'admin.mailboxes.credentials.hide' : 'admin.mailboxes.credentials.show'), provider, name: cvrName })}
            data-testid="mailbox-credentials-toggle"
          >
            {t(showCredentials ? 'admin.mailboxes.credentials.hide' : 'admin.mailboxes.credentials.show')}
          </Button>
        )}
        {m.provider === 'ngdp' && (
          <Button
            size="small"
            onClick={() => setShowBackfill((v) => !v)}
            aria-expanded={showBackfill}
            aria-label={t('admin.mailboxes.backfill.showLabel', { action: t(showBackfill ? 'admin.mailboxes.backfill.hide' : 'admin.mailboxes.backfill.show'), provider, name: cvrName })}
            data-testid="mailbox-backfill-toggle"
          >
            {t(showBackfill ? 'admin.mailboxes.backfill.hide' : 'admin.mailboxes.backfill.show')}
          </Button>
        )}
      </div>
      {showQuarantine && h.quarantined !== null && <QuarantineList mailboxId={m.id} onChanged={onQuarantineChanged} />}
      {showCredentials && isAdmin && <CredentialsForm m={m} cvrName={cvrName} check={credentialsCheck.check} onSaved={(v) => { onChanged(v); credentialsCheck.start(v); }} onClose={() => setShowCredentials(false)} />}
      {showBackfill && m.provider === 'ngdp' && <BackfillSection m={m} cvrName={cvrName} />}
    </li>
  );
}

type Tried = { intent: 'success'; text: string } | { intent: 'error'; title: string; error: unknown };

/** A mailbox's quarantined letters, newest first, each with its reason and (admins) "Try again". */
function QuarantineList({ mailboxId, onChanged }: { mailboxId: string; onChanged: () => void }) {
  const s = useAdminStyles();
  const { t } = useTranslation();
  const api = useApi();
  const locale = useLocale();
  const { isAdmin } = useAdmin();
  const list = useResource((signal) => api.mailboxQuarantine(mailboxId, signal));
  const [trying, setTrying] = useState<string | null>(null);
  const [tried, setTried] = useState<Tried | null>(null);

  const retry = async (q: QuarantineItem) => {
    setTrying(q.id);
    setTried(null);
    const id = q.providerMessageId;
    try {
      const r = await api.retryQuarantined(mailboxId, q.id);
      list.setData((cur) => (cur ?? []).filter((x) => x.id !== q.id));
      setTried({ intent: 'success', text: t(`admin.mailboxes.quarantine.${r.outcome}`, { id }) });
      onChanged();
    } catch (e) {
      // 422: it stays (still invalid or refused), with the server's reason; anything else: it was not tried.
      const stays = e instanceof ApiError && e.status === 422;
      setTried({ intent: 'error', title: t(stays ? 'admin.mailboxes.quarantine.stays' : 'admin.mailboxes.quarantine.retryFailed', { id }), error: e });
      if (e instanceof ApiError && e.status === 404) list.reload(); // tried meanwhile by someone else
      // Erased meanwhile (a data subject request): shown as erased from now on.
      if (e instanceof ApiError && e.code === 'erased') list.setData((cur) => (cur ?? []).map((x) => (x.id === q.id ? { ...x, erased: true } : x)));
    } finally {
      setTrying(null);
    }
  };

  const items = list.data ?? [];
  return (
    <section className={s.section} aria-label={t('admin.mailboxes.quarantine.title')} data-testid="quarantine">
      <Text weight="semibold">{t('admin.mailboxes.quarantine.title')}</Text>
      <Caption1 className={s.meta}>{t('admin.mailboxes.quarantine.intro')}</Caption1>
      {!isAdmin && <Caption1 className={s.meta} data-testid="quarantine-admin-only">{t('admin.mailboxes.quarantine.adminOnly')}</Caption1>}
      {tried?.intent === 'success' && (
        <MessageBar intent="success" layout="multiline" role="status" data-testid="quarantine-result" data-intent="success">
          <MessageBarBody><span data-testid="quarantine-result-text">{tried.text}</span></MessageBarBody>
        </MessageBar>
      )}
      {tried?.intent === 'error' && <InlineError title={tried.title} error={tried.error} />}
      {list.error != null && <ErrorBar title={t('admin.mailboxes.quarantine.loadFailed')} error={list.error} onRetry={list.reload} />}
      {list.loading && !list.data && <Spinner size="tiny" label={t('app.loading')} />}
      {list.data && items.length === 0 && <Caption1 className={s.meta} data-testid="quarantine-empty">{t('admin.mailboxes.quarantine.empty')}</Caption1>}
      <ul className={s.list}>
        {items.map((q) => (
          <li key={q.id} className={s.card} data-testid="quarantine-item" data-quarantine-id={q.id} data-erased={q.erased === true || undefined}>
            <div className={s.row}>
              <Text weight="semibold" className={s.name}>{t('admin.mailboxes.quarantine.providerId', { id: q.providerMessageId })}</Text>
              {q.erased && <Badge appearance="tint" color="subtle" data-testid="quarantine-erased-badge">{t('admin.mailboxes.quarantine.erasedBadge')}</Badge>}
            </div>
            <Caption1 className={s.meta}>{t('admin.mailboxes.quarantine.received', { date: formatDateTime(q.receivedAt, locale) })}</Caption1>
            {q.erased
              ? (
                <Caption1 className={s.meta} data-testid="quarantine-erased">
                  {q.erasedAt
                    ? t('admin.mailboxes.quarantine.erasedOn', { date: formatDateTime(q.erasedAt, locale) })
                    : t('admin.mailboxes.quarantine.erased')}
                </Caption1>
              )
              : <Caption1 className={s.problem} data-testid="quarantine-reason">{q.reason}</Caption1>}
            {isAdmin && !q.erased && (
              <div className={s.actions}>
                <Button
                  size="small"
                  onClick={() => retry(q)}
                  disabled={trying !== null}
                  icon={trying === q.id ? <Spinner size="tiny" /> : undefined}
                  aria-label={t('admin.mailboxes.quarantine.retryLabel', { id: q.providerMessageId })}
                  data-testid="quarantine-retry"
                >
                  {trying === q.id ? t('admin.mailboxes.quarantine.retrying') : t('admin.mailboxes.quarantine.retry')}
                </Button>
              </div>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function AddCvrForm({ onAdded }: { onAdded: (c: CvrView) => void }) {
  const s = useAdminStyles();
  const { t } = useTranslation();
  const api = useApi();
  const [cvr, setCvr] = useState('');
  const [name, setName] = useState('');
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const digits = cvr.replace(/\s/g, '');
  const problem = cvrProblem(digits);
  const cvrMessage = tried && problem ? t(problem === 'format' ? 'admin.mailboxes.cvrFormat' : 'admin.mailboxes.cvrCheck', { cvr: digits }) : undefined;
  const nameMessage = tried && !name.trim() ? t('admin.mailboxes.nameRequired') : undefined;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (problem || !name.trim()) return;
    setBusy(true);
    setError(null);
    try {
      onAdded(await api.addCvr({ cvr: digits, name: name.trim() }));
      setCvr('');
      setName('');
      setTried(false);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className={`${s.card} ${s.form}`} onSubmit={submit} noValidate aria-labelledby="add-cvr-title" data-testid="cvr-add-form">
      <Text weight="semibold" id="add-cvr-title">{t('admin.mailboxes.addCvr')}</Text>
      <Field label={t('admin.mailboxes.cvr')} hint={t('admin.mailboxes.cvrHint')} required validationMessage={cvrMessage}>
        <Input value={cvr} onChange={(_, d) => setCvr(d.value)} inputMode="numeric" maxLength={40} disabled={busy} data-testid="cvr-input" />
      </Field>
      <Field label={t('admin.mailboxes.cvrName')} required validationMessage={nameMessage}>
        <Input value={name} onChange={(_, d) => setName(d.value)} maxLength={200} disabled={busy} data-testid="cvr-name-input" />
      </Field>
      {error != null && <InlineError title={t('admin.mailboxes.addFailed')} error={error} />}
      <div className={s.actions}>
        <Button appearance="primary" type="submit" disabled={busy} icon={busy ? <Spinner size="tiny" /> : undefined} data-testid="cvr-add">
          {busy ? t('admin.mailboxes.adding') : t('admin.mailboxes.add')}
        </Button>
      </div>
    </form>
  );
}
