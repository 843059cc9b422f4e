// Pieces the admin pages share: loading a resource, the outcome of an action as a message bar,
// a confirmation dialog, the admin-only note, and the page layout.
import {
  Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, MessageBar, MessageBarActions,
  MessageBarBody, MessageBarTitle, Spinner, Text, makeStyles, tokens,
} from '@fluentui/react-components';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { isAbortError } from '../../api/client';
import { useSession } from '../../api/session';
import { isFullAdmin, rolesInWords } from '../../roles';
import { describeError } from '../ErrorBar';

export const useAdminStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalM} ${tokens.spacingVerticalXXL}` },
  header: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  grow: { flexGrow: 1 },
  intro: { color: tokens.colorNeutralForeground2 },
  list: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  card: {
    display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, padding: tokens.spacingHorizontalM,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`, borderRadius: tokens.borderRadiusMedium,
  },
  row: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  name: { flexGrow: 1, minWidth: 0, overflowWrap: 'anywhere' },
  meta: { color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
  problem: { color: tokens.colorPaletteRedForeground1, overflowWrap: 'anywhere' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  center: { display: 'flex', justifyContent: 'center', padding: tokens.spacingVerticalL },
});

/**
 * Whether the signed-in person may change the organisation (an admin without limits, as the server
 * requires), and their roles in words with any limits (for "only admins" notes).
 */
export function useAdmin(): { isAdmin: boolean; roles: string } {
  const { me } = useSession();
  const { t } = useTranslation();
  return {
    isAdmin: isFullAdmin(me),
    roles: rolesInWords(me, (key, options) => String(t(key as never, options as never))),
  };
}

export function AdminOnlyNote() {
  const { t } = useTranslation();
  const { roles } = useAdmin();
  return <MessageBar intent="info" data-testid="admin-only"><MessageBarBody>{t('admin.adminOnly', { roles })}</MessageBarBody></MessageBar>;
}

/** Loads on mount and on reload(); keeps the last data while reloading. */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    load(controller.signal).then(
      (v) => { setData(v); setError(null); setLoading(false); },
      (e) => { if (!isAbortError(e)) { setError(e); setLoading(false); } },
    );
    return () => controller.abort();
    // `load` is a fresh closure each render; reload() is how callers ask again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [attempt]);
  return { data, setData, error, loading, reload: useCallback(() => setAttempt((n) => n + 1), []) };
}

export type Outcome = { intent: 'success' | 'error'; title: string; text: string };

/** The result of the last action: success in words, or the server's sentence for a failure. */
export function useOutcome() {
  const { t } = useTranslation();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const succeeded = useCallback((text: string) => setOutcome({ intent: 'success', title: '', text }), []);
  const failed = useCallback((title: string, error: unknown) => setOutcome({ intent: 'error', title, text: describeError(error, t) }), [t]);
  return { outcome, succeeded, failed, clear: useCallback(() => setOutcome(null), []) };
}

export function OutcomeBar({ outcome, onDismiss }: { outcome: Outcome | null; onDismiss: () => void }) {
  const { t } = useTranslation();
  if (!outcome) return null;
  return (
    <MessageBar
      intent={outcome.intent}
      layout="multiline"
      role={outcome.intent === 'error' ? 'alert' : 'status'}
      data-testid="admin-result"
      data-intent={outcome.intent}
    >
      <MessageBarBody>
        {outcome.title && <MessageBarTitle>{outcome.title}</MessageBarTitle>}
        <span data-testid="admin-result-text">{outcome.text}</span>
      </MessageBarBody>
      <MessageBarActions containerAction={<Button appearance="transparent" size="small" aria-label={t('admin.dismiss')} onClick={onDismiss}>×</Button>} />
    </MessageBar>
  );
}

/** An error inside a dialog or form: what failed, and `error` described or `text` (what of a refusal its fields do not say, field-problems.ts). */
export function InlineError({ title, error, text }: { title: string; error?: unknown; text?: string }) {
  const { t } = useTranslation();
  return (
    <MessageBar intent="error" layout="multiline" role="alert" data-testid="form-error">
      <MessageBarBody>
        <MessageBarTitle>{title}</MessageBarTitle>
        <span data-testid="form-error-text">{text ?? describeError(error, t)}</span>
      </MessageBarBody>
    </MessageBar>
  );
}

/** "Are you sure?" for a destructive action; stays open with the error when it fails. */
export function ConfirmDialog({ title, intro, confirmLabel, busyLabel, failedTitle, onConfirm, onClose, testId }: {
  title: string; intro: ReactNode; confirmLabel: string; busyLabel: string; failedTitle: string;
  onConfirm: () => Promise<void>; onClose: () => void; testId: string;
}) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <Dialog open modalType="alert" onOpenChange={(_, d) => { if (!d.open && !busy) onClose(); }}>
      <DialogSurface data-testid={testId}>
        <DialogBody>
          <DialogTitle>{title}</DialogTitle>
          <DialogContent>
            <Text block>{intro}</Text>
            {error != null && <InlineError title={failedTitle} error={error} />}
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={confirm} disabled={busy} icon={busy ? <Spinner size="tiny" /> : undefined} data-testid={`${testId}-confirm`}>
              {busy ? busyLabel : confirmLabel}
            </Button>
            <Button onClick={onClose} disabled={busy}>{t('admin.cancel')}</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
