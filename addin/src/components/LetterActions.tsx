// What a person can do with a letter from its detail: send it again, or reroute it to other approved
// recipients. Each action confirms in a dialog, shows its progress, and ends in a message: success
// (and the detail refreshes, so the timeline shows the new events) or the server's own sentence.
// A dialog opens with the focus on Cancel (resend) or the recipient search (reroute), never on the
// confirm button, so a stray Enter does not act; it closes with the focus back on its button.
import {
  Badge, Button, Caption1, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle,
  MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, Radio, RadioGroup, Spinner, Subtitle2, Text,
  makeStyles, tokens,
} from '@fluentui/react-components';
import { useEffect, useMemo, useRef, useState, type FormEvent, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { MessageDetail } from '../../../shared/src/contracts';
import { ApiError, isAbortError, type OldCopy } from '../api/client';
import { useApi } from '../api/context';
import { joinNames } from '../destinations';
import { destinationsWithCopy, hasMovableCopy, resendTargets, type ResendTarget } from '../letters';
import { ActionButton } from './ActionButton';
import { DestinationPicker } from './DestinationPicker';
import { describeError } from './ErrorBar';
import { RerouteIcon, SendIcon } from './icons';
import { useDestinations } from './useDestinations';
import { useLocale } from './useLocale';
import { useReturnFocus } from './useReturnFocus';

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  sectionTitle: { margin: 0 },
  buttons: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  muted: { color: tokens.colorNeutralForeground3 },
  radioLabel: { display: 'inline-flex', flexWrap: 'wrap', alignItems: 'center', columnGap: tokens.spacingHorizontalS },
  surface: { maxWidth: 'min(520px, calc(100vw - 24px))' },
});

/**
 * Moves the focus to `ref` when a dialog opens. Fluent's Dialog focuses its first focusable element
 * in its own effect, which runs after ours (parents' effects run after children's), hence the task.
 */
function useInitialFocus(ref: RefObject<HTMLElement | null>) {
  useEffect(() => {
    const id = setTimeout(() => {
      const active = document.activeElement;
      // Leave a field the person has already moved into.
      if (active instanceof HTMLInputElement && active.type === 'text') return;
      ref.current?.focus();
    }, 0);
    return () => clearTimeout(id);
  }, [ref]);
}

export interface ActionOutcome { intent: 'success' | 'error'; title: string; text: string }

/** An action's failure in words: the server's sentence, or — when no answer came — "check before retrying". */
export function describeActionError(error: unknown, t: TFunction): string {
  if (error instanceof ApiError && error.kind === 'network') return t('actions.networkUnsure');
  return describeError(error, t);
}

export function LetterActions({ message, onChanged, focusFallback }: {
  message: MessageDetail;
  onChanged: () => void;
  /** Where the focus goes when a dialog closes and its button is gone or disabled (the letter's heading). */
  focusFallback?: RefObject<HTMLElement | null>;
}) {
  const s = useStyles();
  const { t } = useTranslation();
  const [dialog, setDialog] = useState<'resend' | 'reroute' | null>(null);
  const [outcome, setOutcome] = useState<ActionOutcome | null>(null);
  const targets = useMemo(() => resendTargets(message), [message]);
  const returnFocus = useReturnFocus(focusFallback);

  const open = (which: 'resend' | 'reroute', opener: HTMLElement) => {
    setOutcome(null);
    returnFocus.remember(opener);
    setDialog(which);
  };
  const close = () => {
    setDialog(null);
    returnFocus.restore();
  };
  const done = (o: ActionOutcome) => {
    close();
    setOutcome(o);
    onChanged();
  };

  return (
    <section className={s.section} aria-labelledby="detail-actions" data-testid="actions">
      <Subtitle2 as="h3" id="detail-actions" className={s.sectionTitle}>{t('actions.title')}</Subtitle2>
      <div className={s.buttons}>
        <ActionButton
          icon={<SendIcon />}
          onClick={(e) => open('resend', e.currentTarget)}
          unavailableReason={targets.length === 0 ? t('actions.nothingToResend') : null}
          data-testid="action-resend"
        >
          {t('actions.resend')}
        </ActionButton>
        <ActionButton
          icon={<RerouteIcon />}
          onClick={(e) => open('reroute', e.currentTarget)}
          data-testid="action-reroute"
        >
          {t('actions.reroute')}
        </ActionButton>
      </div>

      {outcome && (
        <MessageBar
          intent={outcome.intent}
          layout="multiline"
          role={outcome.intent === 'error' ? 'alert' : 'status'}
          data-testid="action-result"
          data-intent={outcome.intent}
        >
          <MessageBarBody>
            <MessageBarTitle>{outcome.title}</MessageBarTitle>
            <span data-testid="action-result-text">{outcome.text}</span>
          </MessageBarBody>
          <MessageBarActions
            containerAction={(
              <Button appearance="transparent" size="small" aria-label={t('actions.dismiss')} onClick={() => setOutcome(null)}>×</Button>
            )}
          />
        </MessageBar>
      )}

      {dialog === 'resend' && (
        <ResendDialog message={message} targets={targets} onClose={close} onDone={done} onMaybeChanged={onChanged} />
      )}
      {dialog === 'reroute' && (
        <RerouteDialog message={message} onClose={close} onDone={done} onMaybeChanged={onChanged} />
      )}
    </section>
  );
}

interface DialogProps {
  message: MessageDetail;
  onClose: () => void;
  onDone: (o: ActionOutcome) => void;
  /** An action whose answer got lost may still have happened: refresh the detail. */
  onMaybeChanged: () => void;
}

function ActionError({ title, error }: { title: string; error: unknown }) {
  const { t } = useTranslation();
  return (
    <MessageBar intent="error" layout="multiline" role="alert" data-testid="action-error">
      <MessageBarBody>
        <MessageBarTitle>{title}</MessageBarTitle>
        <span data-testid="action-error-text">{describeActionError(error, t)}</span>
      </MessageBarBody>
    </MessageBar>
  );
}

function ResendDialog({ message, targets, onClose, onDone, onMaybeChanged }: DialogProps & { targets: ResendTarget[] }) {
  const s = useStyles();
  const { t } = useTranslation();
  const api = useApi();
  const locale = useLocale();
  const [choice, setChoice] = useState<string>('all');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  useInitialFocus(cancel);
  const chosen = choice === 'all' ? targets : targets.filter((x) => x.deliveryId === choice);
  const names = joinNames(chosen.map((x) => x.destination.displayName), locale);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await api.resend(message.id, choice === 'all' ? {} : { deliveryId: choice });
      onDone({ intent: 'success', title: t('actions.resend'), text: t('actions.resendDone', { names }) });
    } catch (err) {
      setBusy(false);
      setError(err);
      if (err instanceof ApiError && err.kind === 'network') onMaybeChanged();
    }
  }

  return (
    <Dialog open modalType="modal" onOpenChange={(_, d) => { if (!d.open && !busy) onClose(); }}>
      <DialogSurface className={s.surface} data-testid="resend-dialog">
        <form onSubmit={submit}>
          <DialogBody>
            <DialogTitle>{t('actions.resendTitle')}</DialogTitle>
            <DialogContent className={s.content}>
              <Text>{t('actions.resendIntro')}</Text>
              {targets.length > 1 ? (
                <RadioGroup value={choice} onChange={(_, d) => setChoice(d.value)} aria-label={t('actions.resendWhich')} disabled={busy}>
                  <Radio value="all" label={t('actions.resendAll', { count: targets.length })} />
                  {targets.map((x) => (
                    <Radio key={x.deliveryId} value={x.deliveryId} label={x.destination.displayName} data-testid="resend-choice" />
                  ))}
                </RadioGroup>
              ) : (
                <Text weight="semibold" data-testid="resend-to">{t('actions.resendTo', { names })}</Text>
              )}
              {error != null && <ActionError title={t('actions.resendFailed')} error={error} />}
            </DialogContent>
            <DialogActions>
              <Button
                appearance="primary"
                type="submit"
                disabled={busy}
                icon={busy ? <Spinner size="tiny" /> : <SendIcon />}
                data-testid="resend-confirm"
              >
                {busy ? t('actions.resending') : t('actions.resendConfirm')}
              </Button>
              <Button ref={cancel} onClick={onClose} disabled={busy} data-testid="resend-cancel">{t('actions.cancel')}</Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

type Defaults = { status: 'loading' } | { status: 'ready'; value: OldCopy } | { status: 'failed' };

function RerouteDialog({ message, onClose, onDone, onMaybeChanged }: DialogProps) {
  const s = useStyles();
  const { t } = useTranslation();
  const api = useApi();
  const locale = useLocale();
  const [selected, setSelected] = useState<string[]>([]);
  const { destinations } = useDestinations();
  const [oldCopy, setOldCopy] = useState<OldCopy | null>(null);
  const [defaults, setDefaults] = useState<Defaults>({ status: 'loading' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [tried, setTried] = useState(false);
  // Cancel holds the focus until the recipient search can take it (the registry may still be loading).
  const cancel = useRef<HTMLButtonElement>(null);
  useInitialFocus(cancel);
  const movable = hasMovableCopy(message);
  const withCopy = useMemo(() => destinationsWithCopy(message), [message]);

  // The organisation's default for the earlier copy, preselected and marked.
  useEffect(() => {
    if (!movable) return;
    const controller = new AbortController();
    api.rerouteDefaults(controller.signal).then(
      (d) => {
        setDefaults({ status: 'ready', value: d.rerouteOldCopy });
        setOldCopy((cur) => cur ?? d.rerouteOldCopy);
      },
      (e) => {
        if (isAbortError(e)) return;
        setDefaults({ status: 'failed' });
        setOldCopy((cur) => cur ?? 'leave');
      },
    );
    return () => controller.abort();
  }, [api, movable]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setTried(true);
    if (selected.length === 0) return;
    setBusy(true);
    setError(null);
    try {
      await api.reroute(message.id, { destinationIds: selected, ...(movable && oldCopy ? { oldCopy } : {}) });
      const chosen = joinNames(selected.map((id) => destinations.find((d) => d.id === id)?.displayName ?? id), locale);
      onDone({ intent: 'success', title: t('actions.reroute'), text: t('actions.rerouteDone', { names: chosen }) });
    } catch (err) {
      setBusy(false);
      setError(err);
      if (err instanceof ApiError && err.kind === 'network') onMaybeChanged();
    }
  }

  const optionLabel = (value: OldCopy, text: string) => (
    <span className={s.radioLabel}>
      {text}
      {defaults.status === 'ready' && defaults.value === value && (
        <Badge appearance="tint" color="informative" shape="rounded" size="small" title={t('actions.oldCopyDefaultHint')} data-testid="old-copy-default">
          {t('actions.oldCopyDefault')}
        </Badge>
      )}
    </span>
  );

  return (
    <Dialog open modalType="modal" onOpenChange={(_, d) => { if (!d.open && !busy) onClose(); }}>
      <DialogSurface className={s.surface} data-testid="reroute-dialog">
        <form onSubmit={submit}>
          <DialogBody>
            <DialogTitle>{t('actions.rerouteTitle')}</DialogTitle>
            <DialogContent className={s.content}>
              <Text>{t('actions.rerouteIntro')}</Text>
              <DestinationPicker
                label={t('actions.rerouteTo')}
                selected={selected}
                onChange={(ids) => { setSelected(ids); setError(null); }}
                withCopy={withCopy}
                disabled={busy}
                validation={tried && selected.length === 0 ? t('actions.chooseOne') : null}
                autoFocus
              />
              {movable && (
                defaults.status === 'loading'
                  ? <Spinner size="extra-tiny" labelPosition="after" label={t('actions.oldCopyLoading')} />
                  : (
                    <div>
                      <Text weight="semibold" id="old-copy-label">{t('actions.oldCopy')}</Text>
                      <RadioGroup
                        value={oldCopy ?? undefined}
                        onChange={(_, d) => setOldCopy(d.value as OldCopy)}
                        aria-labelledby="old-copy-label"
                        disabled={busy}
                        data-testid="old-copy"
                      >
                        <Radio value="leave" label={optionLabel('leave', t('actions.oldCopyLeave'))} data-testid="old-copy-leave" />
                        <Radio value="move" label={optionLabel('move', t('actions.oldCopyMove'))} data-testid="old-copy-move" />
                      </RadioGroup>
                      {defaults.status === 'failed' && <Caption1 className={s.muted}>{t('actions.oldCopyDefaultUnknown')}</Caption1>}
                    </div>
                  )
              )}
              {error != null && <ActionError title={t('actions.rerouteFailed')} error={error} />}
            </DialogContent>
            <DialogActions>
              <Button
                appearance="primary"
                type="submit"
                disabled={busy}
                icon={busy ? <Spinner size="tiny" /> : <RerouteIcon />}
                data-testid="reroute-confirm"
              >
                {busy ? t('actions.rerouting') : t('actions.rerouteConfirm')}
              </Button>
              <Button ref={cancel} onClick={onClose} disabled={busy} data-testid="reroute-cancel">{t('actions.cancel')}</Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
