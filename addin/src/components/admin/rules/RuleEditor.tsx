// One rule, as a sub-page of the rules page (more room than a dialog in a narrow pane): name, on/off,
// conditions, action, continue, and the dry run. What is missing is marked here in the person's
// language; what only the server can judge (regex safety, unknown CVR, never-matching conditions)
// comes back as its sentence and is shown next to the save button — until the form is edited, as is
// a dry run's result (it described the rule as it was).
import {
  Body1Strong, Button, Caption1, Field, Input, MessageBar, MessageBarBody, MessageBarTitle, Radio, RadioGroup, Spinner, Switch,
  Textarea, makeStyles, tokens,
} from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RuleView } from '../../../../../shared/src/contracts';
import type { OrgCvr } from '../../../api/client';
import { useApi } from '../../../api/context';
import { DestinationPicker } from '../../DestinationPicker';
import { describeError } from '../../ErrorBar';
import { ConditionsBuilder } from './ConditionsBuilder';
import { DryRunPanel } from './DryRunPanel';
import { useTranslate } from './useRules';
import { TEMPLATE_PLACEHOLDERS, draftOf, draftRuleSet, inputOf, nextPriority, type DraftProblems, type RuleDraft } from './model';

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
  /** Every rule, for the new rule's priority and the dry run's draft set. */
  rules: RuleView[];
  cvrs: OrgCvr[];
  readOnly: boolean;
  onSaved: (rule: RuleView, created: boolean) => void;
  onClose: () => void;
}

export function RuleEditor({ rule, rules, cvrs, readOnly, onSaved, onClose }: RuleEditorProps) {
  const s = useStyles();
  const t = useTranslate();
  const { t: tf } = useTranslation();
  const api = useApi();
  const [draft, setDraft] = useState<RuleDraft>(() => draftOf(rule));
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
  const priority = rule?.priority ?? nextPriority(rules);

  // The page changed under the keyboard: start reading at the heading.
  useEffect(() => { heading.current?.focus(); }, []);
  useEffect(() => { if (error != null) errorRef.current?.focus(); }, [error]);

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
      if (rule) {
        // Priority is left out: the list's moves own it. Conditions beyond the form are left as stored.
        const { priority: _p, ...patch } = input;
        if (!draft.form) delete (patch as Partial<typeof patch>).conditions;
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
        <Button appearance="subtle" onClick={onClose} disabled={saving} data-testid="rule-editor-back">{`← ${t('rules.editor.back')}`}</Button>
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
          <Button onClick={onClose} disabled={saving} data-testid="rule-cancel">{t('rules.editor.cancel')}</Button>
        </div>
      )}

      {!readOnly && (
        <section className={s.section}>
          <DryRunPanel
            key={revision}
            t={t}
            buildRequest={(days) => {
              const input = checked();
              return input && { days, rules: draftRuleSet(rules, input, rule?.id ?? null) };
            }}
          />
        </section>
      )}
    </section>
  );
}
