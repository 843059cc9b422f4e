// Admin › Rules (#/admin/rules): the routing rules in priority order, on/off, moves, delete with
// confirmation, and the rule editor as a sub-page (with the dry run). Rules that never apply where
// they stand are marked, with a move that fixes it. Administrators change rules; operators see them
// read-only with the reason (the API enforces the same).
import {
  Button, Caption1, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, MessageBar, MessageBarActions,
  MessageBarBody, MessageBarTitle, Spinner, Text, makeStyles, tokens,
} from '@fluentui/react-components';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RuleView } from '../../../../shared/src/contracts';
import { useApi } from '../../api/context';
import { useSession } from '../../api/session';
import { isFullAdmin } from '../../roles';
import { EmptyState } from '../EmptyState';
import { ErrorBar, describeError } from '../ErrorBar';
import { InboxIcon, RefreshIcon } from '../icons';
import { useDestinations } from '../useDestinations';
import { RuleEditor } from './rules/RuleEditor';
import { RuleList } from './rules/RuleList';
import type { DescribeNames } from './rules/describe';
import { movePriorities } from './rules/model';
import { listShadows, moveBeforePriorities } from './rules/placement';
import { useOrgCvrs, useRules, useTranslate } from './rules/useRules';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', flexGrow: 1, minHeight: 0 },
  toolbar: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}` },
  grow: { flexGrow: 1, color: tokens.colorNeutralForeground3 },
  intro: { padding: `0 ${tokens.spacingHorizontalM} ${tokens.spacingVerticalS}`, color: tokens.colorNeutralForeground2 },
  bar: { margin: `0 ${tokens.spacingHorizontalM} ${tokens.spacingVerticalS}` },
  center: { display: 'flex', justifyContent: 'center', padding: tokens.spacingVerticalXXL },
  srOnly: { position: 'absolute', width: '1px', height: '1px', overflow: 'hidden', clip: 'rect(0 0 0 0)', whiteSpace: 'nowrap' },
});

type Outcome = { kind: 'success'; text: string } | { kind: 'error'; title: string; error: unknown };

export function RulesPage() {
  const s = useStyles();
  const t = useTranslate();
  const { t: tf } = useTranslation();
  const api = useApi();
  const { me } = useSession();
  const { state, reload, upsert, remove } = useRules();
  const cvrs = useOrgCvrs();
  const { destinations } = useDestinations();
  const canEdit = isFullAdmin(me);
  const [editing, setEditing] = useState<{ rule: RuleView | null } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [announce, setAnnounce] = useState('');
  const [confirmDelete, setConfirmDelete] = useState<RuleView | null>(null);
  const listRef = useRef<HTMLDivElement>(null);

  const names = useMemo<DescribeNames>(() => {
    const cvrNames = new Map(cvrs.map((c) => [c.cvr, c.name]));
    const destNames = new Map(destinations.map((d) => [d.id, d.displayName]));
    return { cvr: (c) => cvrNames.get(c), destination: (id) => destNames.get(id) };
  }, [cvrs, destinations]);
  const shadows = useMemo(() => listShadows(state.rules, cvrs.map((c) => c.cvr)), [state.rules, cvrs]);

  /** Back on the list, focus a control of a rule (the editor's or a move's origin). */
  // Focus moves once React has committed the render that follows (busy cleared, buttons enabled again):
  // a requestAnimationFrame could run before that render on a busy machine and find them disabled.
  const [pendingFocus, setPendingFocus] = useState<{ id: string; selector: string } | null>(null);
  const focusRule = useCallback((id: string, selector: string) => setPendingFocus({ id, selector }), []);
  useEffect(() => {
    if (!pendingFocus || busy !== null) return;
    const item = listRef.current?.querySelector(`[data-rule-id="${pendingFocus.id}"]`);
    const wanted = item?.querySelector<HTMLButtonElement>(pendingFocus.selector);
    const target = wanted && !wanted.disabled ? wanted : item?.querySelector<HTMLButtonElement>('button:not([disabled])');
    target?.focus();
    setPendingFocus(null);
  }, [pendingFocus, busy]);

  const fail = (title: string, error: unknown) => setOutcome({ kind: 'error', title, error });

  const toggle = async (rule: RuleView, enabled: boolean) => {
    setBusy(rule.id);
    setOutcome(null);
    try {
      upsert(await api.updateRule(rule.id, { enabled }, rule.version));
      setOutcome({ kind: 'success', text: t(enabled ? 'rules.switchedOn' : 'rules.switchedOff', { name: rule.name }) });
    } catch (e) {
      fail(t('rules.switchFailed'), e);
    } finally {
      setBusy(null);
    }
  };

  /** Gives rules new priorities so that `rule` becomes rule `position`; focus then goes to its `focus` control. */
  const reorder = async (rule: RuleView, changes: { id: string; priority: number }[], position: number, focus: string) => {
    setBusy('*');
    setOutcome(null);
    setAnnounce(t('rules.moving'));
    try {
      // One PATCH per changed rule, each guarded by the version this list showed.
      const byId = new Map(state.rules.map((r) => [r.id, r]));
      for (const c of changes) upsert(await api.updateRule(c.id, { priority: c.priority }, byId.get(c.id)!.version));
      setAnnounce(t('rules.moved', { name: rule.name, position }));
    } catch (e) {
      setAnnounce('');
      fail(t('rules.moveFailed'), e);
      // Part of a move may have happened: show the order as stored.
      await reload();
    } finally {
      setBusy(null);
      focusRule(rule.id, focus);
    }
  };

  const move = async (index: number, dir: -1 | 1) => {
    const rule = state.rules[index];
    const changes = movePriorities(state.rules, index, dir);
    if (!rule || changes.length === 0) return;
    await reorder(rule, changes, index + dir + 1, `[data-move=${dir === -1 ? 'up' : 'down'}]`);
  };

  /** A rule that never applies, just before the first rule that takes its letters (the others renumbered only when there is no room). */
  const moveBefore = async (rule: RuleView, before: RuleView) => {
    const { priority, changes } = moveBeforePriorities(state.rules, rule.id, before.id);
    // Room first, then the rule (as the editor saves a placement). Its fix button goes with the badge: focus Edit.
    await reorder(rule, [...changes, { id: rule.id, priority }], state.rules.indexOf(before) + 1, '[data-testid=rule-edit]');
  };

  const doDelete = async (rule: RuleView) => {
    setBusy(rule.id);
    setOutcome(null);
    try {
      await api.deleteRule(rule.id);
      remove(rule.id);
      setConfirmDelete(null);
      setOutcome({ kind: 'success', text: t('rules.deleted', { name: rule.name }) });
    } catch (e) {
      setConfirmDelete(null);
      fail(t('rules.deleteFailed'), e);
    } finally {
      setBusy(null);
    }
  };

  if (editing) {
    const close = (focusId?: string) => {
      setEditing(null);
      if (focusId) focusRule(focusId, '[data-testid=rule-edit]');
    };
    return (
      <RuleEditor
        key={editing.rule?.id ?? 'new'}
        rule={editing.rule}
        rules={state.rules}
        cvrs={cvrs}
        readOnly={!canEdit}
        onMoved={(moved) => upsert(moved)}
        onClose={() => close(editing.rule?.id)}
        onSaved={(saved, created) => {
          upsert(saved);
          setOutcome({ kind: 'success', text: t(created ? 'rules.created' : 'rules.saved', { name: saved.name }) });
          close(saved.id);
        }}
      />
    );
  }

  return (
    <section className={s.root} aria-label={t('rules.title')} data-testid="admin-rules-page">
      <div className={s.toolbar}>
        <Caption1 className={s.grow} data-testid="rules-count">{state.loaded ? t('rules.count', { count: state.rules.length }) : ''}</Caption1>
        {state.loading && state.loaded && <Spinner size="extra-tiny" aria-label={tf('app.loading')} />}
        <Button appearance="subtle" icon={<RefreshIcon />} onClick={() => void reload()} disabled={state.loading || busy !== null} aria-label={t('rules.refresh')} title={t('rules.refresh')} data-testid="rules-refresh" />
        {canEdit && (
          <Button appearance="primary" onClick={() => { setOutcome(null); setEditing({ rule: null }); }} disabled={!state.loaded || busy !== null} data-testid="rule-new">
            {t('rules.new')}
          </Button>
        )}
      </div>
      <Text className={s.intro} size={200}>{t('rules.intro')}</Text>
      {/* Moves are announced: the list re-orders under a screen reader's cursor. */}
      <div className={s.srOnly} aria-live="polite" data-testid="rules-announce">{announce}</div>

      {me && !canEdit && (
        <div className={s.bar}>
          <MessageBar intent="info" layout="multiline" data-testid="rules-read-only">
            <MessageBarBody><MessageBarTitle>{t('rules.readOnlyTitle')}</MessageBarTitle>{t('rules.readOnly')}</MessageBarBody>
          </MessageBar>
        </div>
      )}

      {outcome && (
        <div className={s.bar}>
          <MessageBar intent={outcome.kind} layout="multiline" role={outcome.kind === 'error' ? 'alert' : 'status'} data-testid={outcome.kind === 'error' ? 'rules-error' : 'rules-success'}>
            <MessageBarBody>
              {outcome.kind === 'error' && <MessageBarTitle>{outcome.title}</MessageBarTitle>}
              <span data-testid="rules-outcome-text">{outcome.kind === 'error' ? describeError(outcome.error, tf) : outcome.text}</span>
            </MessageBarBody>
            <MessageBarActions
              containerAction={<Button appearance="transparent" size="small" aria-label={tf('actions.dismiss')} onClick={() => setOutcome(null)}>×</Button>}
            >
              {outcome.kind === 'error' && <Button size="small" onClick={() => { setOutcome(null); void reload(); }}>{t('rules.refresh')}</Button>}
            </MessageBarActions>
          </MessageBar>
        </div>
      )}

      {state.error != null && <div className={s.bar}><ErrorBar title={t('rules.loadFailed')} error={state.error} onRetry={() => void reload()} /></div>}
      {!state.loaded && state.loading && <div className={s.center}><Spinner size="small" label={tf('app.loading')} data-testid="rules-loading" /></div>}
      {state.loaded && state.rules.length === 0 && state.error == null && (
        <EmptyState icon={<InboxIcon />} title={t('rules.empty')} hint={t('rules.emptyHint')} />
      )}

      <div ref={listRef}>
        {state.rules.length > 0 && (
          <RuleList
            rules={state.rules}
            canEdit={canEdit}
            busy={busy}
            shadows={shadows}
            names={names}
            t={t}
            onToggle={(r, on) => void toggle(r, on)}
            onMove={(i, dir) => void move(i, dir)}
            onMoveBefore={(r, before) => void moveBefore(r, before)}
            onEdit={(r) => { setOutcome(null); setEditing({ rule: r }); }}
            onDelete={(r) => setConfirmDelete(r)}
          />
        )}
      </div>

      {confirmDelete && (
        <Dialog open modalType="alert" onOpenChange={(_, d) => { if (!d.open && busy === null) setConfirmDelete(null); }}>
          <DialogSurface data-testid="rule-delete-dialog">
            <DialogBody>
              <DialogTitle>{t('rules.deleteTitle')}</DialogTitle>
              <DialogContent>{t('rules.deleteText', { name: confirmDelete.name })}</DialogContent>
              <DialogActions>
                <Button
                  appearance="primary"
                  onClick={() => void doDelete(confirmDelete)}
                  disabled={busy !== null}
                  icon={busy === confirmDelete.id ? <Spinner size="tiny" /> : undefined}
                  data-testid="rule-delete-confirm"
                >
                  {busy === confirmDelete.id ? t('rules.deleting') : t('rules.delete')}
                </Button>
                <Button onClick={() => setConfirmDelete(null)} disabled={busy !== null} data-testid="rule-delete-cancel">{t('rules.editor.cancel')}</Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      )}
    </section>
  );
}
