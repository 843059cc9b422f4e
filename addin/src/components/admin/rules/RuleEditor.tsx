// One rule, as a sub-page of the rules page (more room than a dialog in a narrow pane): name, on/off,
// conditions, action, continue, and the dry run. What is missing is marked here in the person's
// language; what only the server can judge (regex safety, unknown CVR, never-matching conditions)
// comes back as its sentence and is shown next to the save button — until the form is edited, as is
// a dry run's result (it described the rule as it was). The rule's place in the order is chosen
// here too (placement.ts), with a warning when earlier rules would take all its letters; a changed
// draft asks before it is left (leave-guard.ts).
import {
  Body1Strong, Button, Caption1, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, Input, MessageBar,
  MessageBarActions, MessageBarBody, MessageBarTitle, Radio, RadioGroup, Select, Spinner, Switch, Textarea, makeStyles, tokens,
} from '@fluentui/react-components';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RuleView } from '../../../../../shared/src/contracts';
import type { OrgCvr } from '../../../api/client';
import { useApi } from '../../../api/context';
import { joinNames } from '../../../destinations';
import { DestinationPicker } from '../../DestinationPicker';
import { describeError } from '../../ErrorBar';
import { useLeaveGuard, whenLeaving } from '../../leave-guard';
import { useLocale } from '../../useLocale';
import { ConditionsBuilder } from './ConditionsBuilder';
import { DryRunPanel } from './DryRunPanel';
import { useTranslate } from './useRules';
import {
  TEMPLATE_PLACEHOLDERS, draftOf, draftRuleSet, formToCondition, inputOf, type Condition, type DraftProblems, type RuleDraft,
} from './model';
import {
  othersOf, placePriorities, placementIndex, placementOf, shadowedBy, suggestedPlacement, type Placement,
} from './placement';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM} ${tokens.spacingVerticalXXL}` },
  top: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
  heading: { margin: 0, fontSize: tokens.fontSizeBase400, fontWeight: tokens.fontWeightSemibold, outlineStyle: 'none' },
  section: {
    display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, padding: tokens.spacingHorizontalM,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`, borderRadius: tokens.borderRadiusMedium,
  },
  json: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  muted: { color: tokens.colorNeutralForeground3 },
  h: { margin: 0 },
});

export interface RuleEditorProps {
  /** null: a new rule. */
  rule: RuleView | null;
  /** Every rule in priority order, for the placement and the dry run's draft set. */
  rules: RuleView[];
  cvrs: OrgCvr[];
  readOnly: boolean;
  onSaved: (rule: RuleView, created: boolean) => void;
  /** Other rules renumbered to make room for this one (before it is saved). */
  onMoved: (rule: RuleView) => void;
  onClose: () => void;
}

/** The draft without the form's list keys (new for every rule opened), to compare with what was opened. */
const draftText = (d: RuleDraft) => JSON.stringify(d, (k, v) => (k === 'key' ? undefined : v));

export function RuleEditor({ rule, rules, cvrs, readOnly, onSaved, onMoved, onClose }: RuleEditorProps) {
  const s = useStyles();
  const t = useTranslate();
  const { t: tf } = useTranslation();
  const locale = useLocale();
  const api = useApi();
  const [opened] = useState<RuleDraft>(() => draftOf(rule));
  const [draft, setDraft] = useState<RuleDraft>(opened);
  const [problems, setProblems] = useState<DraftProblems | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // Bumped by every edit: the dry-run panel starts afresh, so no result describes an earlier form.
  const [revision, setRevision] = useState(0);
  // The registry is fetched again when the editor opens and after a refused save, so a recipient
  // archived meanwhile (perhaps in another tab) shows as archived in the picker.
  const [registryToken, setRegistryToken] = useState(1);
  const heading = useRef<HTMLHeadingElement>(null);
  const errorRef = useRef<HTMLDivElement>(null);

  // ---- placement ----
  const orgCvrs = useMemo(() => cvrs.map((c) => c.cvr), [cvrs]);
  const others = useMemo(() => othersOf(rules, rule?.id ?? null), [rules, rule]);
  // Where the stored rule stood when opened: kept (with its priority) unless the admin chooses another place.
  const [storedPlacement] = useState<Placement | null>(() => (rule ? placementOf(rules, rule.id) : null));
  const [chosen, setChosen] = useState<Placement | null>(null);
  // The conditions as the form has them, or null while it is incomplete.
  const conditions = useMemo<Condition | null>(() => {
    if (!draft.form) return draft.rawConditions as Condition;
    const r = formToCondition(draft.form);
    return 'condition' in r ? r.condition : null;
  }, [draft.form, draft.rawConditions]);
  // The suggestion keeps to the last complete conditions while a new test is being filled in (an empty form: every letter).
  const lastComplete = useRef<Condition>({ always: true });
  if (conditions) lastComplete.current = conditions;
  const suggested = useMemo(() => suggestedPlacement(conditions ?? lastComplete.current, others, orgCvrs), [conditions, others, orgCvrs]);
  const placement: Placement = chosen ?? storedPlacement ?? suggested;
  const index = placementIndex(others, placement);
  const placed = useMemo(() => (rule && placement === storedPlacement ? { priority: rule.priority, changes: [] } : placePriorities(others, index)),
    [rule, placement, storedPlacement, others, index]);
  const priority = placed.priority;
  const shadow = useMemo(() => (conditions ? shadowedBy(conditions, others, index, orgCvrs) : []), [conditions, others, index, orgCvrs]);
  const shadowFix = shadow.length > 0 && conditions ? suggestedPlacement(conditions, others, orgCvrs) : null;
  const shadowFixRule = shadowFix ? others[placementIndex(others, shadowFix)] : undefined;

  // ---- unsaved changes ----
  const dirty = !readOnly && (draftText(draft) !== draftText(opened) || (chosen !== null && chosen !== (storedPlacement ?? suggested)));
  const [leaving, setLeaving] = useState<(() => void) | null>(null);
  useLeaveGuard(dirty && !saving, (leave) => setLeaving(() => leave));
  const discard = () => {
    const leave = leaving;
    setLeaving(null);
    leave?.();
  };

  // The page changed under the keyboard: start reading at the heading.
  useEffect(() => { heading.current?.focus(); }, []);
  useEffect(() => { if (error != null) errorRef.current?.focus(); }, [error]);

  const choosePlacement = (p: Placement) => {
    setChosen(p);
    setError(null);
    setRevision((n) => n + 1);
  };

  const update = (next: Partial<RuleDraft>) => {
    const merged = { ...draft, ...next };
    setDraft(merged);
    setError(null);
    setRevision((n) => n + 1);
    // Once marked, the marks follow the edits (and disappear as fields are filled in).
    if (problems) { const r = inputOf(merged, priority); setProblems('problems' in r ? r.problems : null); }
  };

  /** The rule as the API takes it, or null after marking what is missing. */
  const checked = () => {
    const r = inputOf(draft, priority);
    if ('problems' in r) { setProblems(r.problems); return null; }
    setProblems(null);
    return r.input;
  };

  const save = async () => {
    if (saving) return;
    const input = checked();
    if (!input) return;
    setSaving(true);
    setError(null);
    try {
      // Room for the rule first, when its neighbours' priorities leave none (each guarded by its version).
      const byId = new Map(rules.map((r) => [r.id, r]));
      for (const c of placed.changes) onMoved(await api.updateRule(c.id, { priority: c.priority }, byId.get(c.id)!.version));
      if (rule) {
        // Priority only when the place changed (the list's moves own it otherwise). Conditions beyond the form are left as stored.
        const { priority: p, ...rest } = input;
        const patch: Partial<typeof input> = p === rule.priority ? rest : { ...rest, priority: p };
        if (!draft.form) delete patch.conditions;
        onSaved(await api.updateRule(rule.id, patch, rule.version), false);
      } else {
        onSaved(await api.createRule(input), true);
      }
    } catch (e) {
      setError(e);
      setSaving(false);
      setRegistryToken((n) => n + 1);
    }
  };

  const title = readOnly ? t('rules.editor.viewTitle') : rule ? t('rules.editor.editTitle') : t('rules.editor.newTitle');
  const incomplete = problems && (problems.name || problems.destinations || problems.noConditions || problems.emptyValues.length > 0 || problems.emptyGroups.length > 0);

  return (
    <section className={s.root} aria-labelledby="rule-editor-title" data-testid="rule-editor">
      <div className={s.top}>
        <Button appearance="subtle" onClick={() => whenLeaving(onClose)} disabled={saving} data-testid="rule-editor-back">{`← ${t('rules.editor.back')}`}</Button>
      </div>
      <h2 id="rule-editor-title" ref={heading} tabIndex={-1} className={s.heading}>{title}</h2>

      <Field label={t('rules.editor.name')} required validationMessage={problems?.name ? t('rules.editor.nameMissing') : undefined} validationState={problems?.name ? 'error' : 'none'}>
        <Input value={draft.name} readOnly={readOnly} maxLength={200} onChange={(_, d) => update({ name: d.value })} data-testid="rule-name" />
      </Field>
      <Switch label={t('rules.editor.enabled')} checked={draft.enabled} disabled={readOnly} onChange={(_, d) => update({ enabled: d.checked })} data-testid="rule-enabled" />

      <section className={s.section} aria-labelledby="rule-conditions-title">
        <Body1Strong id="rule-conditions-title" as="h3" className={s.h}>{t('rules.editor.conditions')}</Body1Strong>
        {draft.form ? (
          <ConditionsBuilder form={draft.form} onChange={(form) => update({ form })} problems={problems} cvrs={cvrs} readOnly={readOnly} t={t} />
        ) : (
          <>
            <MessageBar intent="info" layout="multiline" data-testid="rule-complex">
              <MessageBarBody><MessageBarTitle>{t('rules.editor.complexTitle')}</MessageBarTitle>{t('rules.editor.complex')}</MessageBarBody>
            </MessageBar>
            <Field label={t('rules.editor.conditionsJson')}>
              <Textarea className={s.json} readOnly resize="vertical" rows={8} value={JSON.stringify(draft.rawConditions, null, 2)} data-testid="rule-conditions-json" />
            </Field>
          </>
        )}
      </section>

      <section className={s.section} aria-labelledby="rule-action-title">
        <Body1Strong id="rule-action-title" as="h3" className={s.h}>{t('rules.editor.action')}</Body1Strong>
        <Field label={t('rules.editor.actionLabel')}>
          <RadioGroup value={draft.actionKind} disabled={readOnly} onChange={(_, d) => update({ actionKind: d.value as RuleDraft['actionKind'] })} data-testid="rule-action">
            <Radio value="destinations" label={t('rules.editor.toDestinations')} data-testid="rule-action-destinations" />
            <Radio value="triage" label={t('rules.editor.toTriage')} data-testid="rule-action-triage" />
          </RadioGroup>
        </Field>
        {draft.actionKind === 'destinations' && (
          <>
            <DestinationPicker
              label={t('rules.editor.destinations')}
              selected={draft.destinationIds}
              onChange={(destinationIds) => update({ destinationIds })}
              disabled={readOnly}
              validation={problems?.destinations ? t('rules.editor.chooseDestination') : null}
              testId="rule-destinations"
              reloadToken={registryToken}
            />
            <Field
              label={t('rules.editor.folderTemplate')}
              hint={t('rules.editor.folderTemplateHint', { placeholders: TEMPLATE_PLACEHOLDERS.map((p) => `{${p}}`).join(', ') })}
            >
              <Input value={draft.folderTemplate} readOnly={readOnly} maxLength={500} onChange={(_, d) => update({ folderTemplate: d.value })} data-testid="rule-folder-template" />
            </Field>
          </>
        )}
        <Switch label={t('rules.editor.continue')} checked={draft.continue} disabled={readOnly} onChange={(_, d) => update({ continue: d.checked })} data-testid="rule-continue" />
      </section>

      {others.length > 0 && (
        <section className={s.section} aria-labelledby="rule-placement-title">
          <Body1Strong id="rule-placement-title" as="h3" className={s.h}>{t('rules.editor.order')}</Body1Strong>
          <Field
            label={t('rules.editor.placement')}
            hint={[
              t('rules.editor.placementResult', { position: index + 1, total: others.length + 1 }),
              !rule && chosen === null ? t(suggested === 'last' ? 'rules.editor.placementSuggestedLast' : 'rules.editor.placementSuggested') : '',
            ].filter(Boolean).join(' ')}
          >
            <Select value={placement} disabled={readOnly} onChange={(_, d) => choosePlacement(d.value as Placement)} data-testid="rule-placement">
              <option value="first">{t('rules.editor.placementFirst')}</option>
              {others.slice(1).map((r) => (
                <option key={r.id} value={`before:${r.id}`}>{t('rules.editor.placementBefore', { position: rules.indexOf(r) + 1, name: r.name })}</option>
              ))}
              <option value="last">{t('rules.editor.placementLast')}</option>
            </Select>
          </Field>
          {shadow.length > 0 && (
            <MessageBar intent="warning" layout="multiline" data-testid="rule-shadowed">
              <MessageBarBody>
                <MessageBarTitle>{t('rules.editor.shadowTitle')}</MessageBarTitle>
                <span data-testid="rule-shadowed-text">
                  {shadow.length === 1 ? t('rules.editor.shadowOne', { name: shadow[0].name })
                    : t('rules.editor.shadowMany', { names: joinNames(shadow.map((r) => t('rules.editor.quoted', { name: r.name })), locale) })}
                </span>
              </MessageBarBody>
              {!readOnly && shadowFix && (
                <MessageBarActions>
                  <Button size="small" onClick={() => choosePlacement(shadowFix)} data-testid="rule-shadow-fix">
                    {shadowFixRule ? t('rules.editor.shadowFix', { name: shadowFixRule.name }) : t('rules.editor.placementFirst')}
                  </Button>
                </MessageBarActions>
              )}
            </MessageBar>
          )}
        </section>
      )}

      {incomplete && (
        <Caption1 role="alert" data-testid="rule-incomplete">{t('rules.editor.fixForm')}</Caption1>
      )}
      {error != null && (
        <div ref={errorRef} tabIndex={-1}>
          <MessageBar intent="error" layout="multiline" role="alert" data-testid="rule-save-error">
            <MessageBarBody>
              <MessageBarTitle>{t('rules.saveFailed')}</MessageBarTitle>
              <span data-testid="rule-save-error-text">{describeError(error, tf)}</span>
            </MessageBarBody>
          </MessageBar>
        </div>
      )}
      {!readOnly && (
        <div className={s.actions}>
          <Button appearance="primary" onClick={() => void save()} disabled={saving} icon={saving ? <Spinner size="tiny" /> : undefined} data-testid="rule-save">
            {saving ? t('rules.editor.saving') : rule ? t('rules.editor.save') : t('rules.editor.create')}
          </Button>
          <Button onClick={() => whenLeaving(onClose)} disabled={saving} data-testid="rule-cancel">{t('rules.editor.cancel')}</Button>
        </div>
      )}

      {!readOnly && (
        <section className={s.section}>
          <DryRunPanel
            key={revision}
            t={t}
            buildRequest={(days) => {
              const input = checked();
              if (!input) return null;
              const set = draftRuleSet(rules, input, rule?.id ?? null, placed.changes);
              return { days, rules: set, draft: set.length - 1 };
            }}
          />
        </section>
      )}

      {leaving && (
        <Dialog open modalType="alert" onOpenChange={(_, d) => { if (!d.open) setLeaving(null); }}>
          <DialogSurface data-testid="rule-discard-dialog">
            <DialogBody>
              <DialogTitle>{t('rules.editor.discardTitle')}</DialogTitle>
              <DialogContent>{rule ? t('rules.editor.discardEdit', { name: rule.name }) : t('rules.editor.discardNew')}</DialogContent>
              <DialogActions>
                <Button appearance="primary" onClick={discard} data-testid="rule-discard-confirm">{t('rules.editor.discard')}</Button>
                <Button onClick={() => setLeaving(null)} data-testid="rule-discard-cancel">{t('rules.editor.keepEditing')}</Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      )}
    </section>
  );
}
