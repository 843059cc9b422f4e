// The conditions form: a top combinator (all / any) over tests and groups of tests, each test with
// "not". Every input has a label; rows stack so the form fits a 320 px task pane.
import { Button, Checkbox, Field, Input, Select, makeStyles, mergeClasses, shorthands, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import type { OrgCvr } from '../../../api/client';
import type { Translate } from './describe';
import {
  ATTENTION_FIELDS, LEAF_KINDS, LEAF_OPS, PROVIDERS, TEXT_FIELDS, changeKind, defaultLeaf, isBooleanKind, isRegex, newKey,
  type ConditionForm, type FormItem, type FormProblems, type GroupForm, type LeafForm, type LeafKind,
} from './model';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  items: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  item: {
    display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, padding: tokens.spacingHorizontalS,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`, borderRadius: tokens.borderRadiusMedium,
  },
  group: { backgroundColor: tokens.colorNeutralBackground2 },
  problem: { ...shorthands.borderColor(tokens.colorPaletteRedBorder2) },
  leaf: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'flex-end' },
  grow: { flexGrow: 1, minWidth: '140px' },
  fixed: { minWidth: '120px' },
  row: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalS },
  error: { color: tokens.colorPaletteRedForeground1 },
});

export interface ConditionsBuilderProps {
  form: ConditionForm;
  onChange: (form: ConditionForm) => void;
  /** What is missing (shown once the person tried to save or test). */
  problems: FormProblems | null;
  cvrs: OrgCvr[];
  readOnly: boolean;
  t: Translate;
}

export function ConditionsBuilder({ form, onChange, problems, cvrs, readOnly, t }: ConditionsBuilderProps) {
  const s = useStyles();
  const firstCvr = cvrs[0]?.cvr ?? '';
  const setItem = (key: string, next: FormItem | null) =>
    onChange({ ...form, items: next ? form.items.map((i) => (i.key === key ? next : i)) : form.items.filter((i) => i.key !== key) });

  return (
    <div className={s.root} data-testid="conditions-builder">
      <Field label={t('rules.editor.match')}>
        <Select
          value={form.combinator}
          disabled={readOnly}
          onChange={(_, d) => onChange({ ...form, combinator: d.value as 'all' | 'any' })}
          data-testid="match-combinator"
        >
          <option value="all">{t('rules.editor.all')}</option>
          <option value="any">{t('rules.editor.any')}</option>
        </Select>
      </Field>
      {form.items.length > 0 && (
        <ul className={s.items}>
          {form.items.map((item) => (item.node.kind === 'group'
            ? (
              <GroupEditor
                key={item.key}
                item={item as FormItem & { node: GroupForm }}
                onChange={(next) => setItem(item.key, next)}
                problems={problems}
                cvrs={cvrs}
                readOnly={readOnly}
                t={t}
              />
            )
            : (
              <li key={item.key} className={mergeClasses(s.item, problems?.emptyValues.includes(item.key) && s.problem)} data-testid="rule-condition">
                <LeafEditor
                  leaf={item.node}
                  negate={item.negate}
                  onChange={(leaf, negate) => setItem(item.key, { ...item, node: leaf, negate })}
                  onRemove={() => setItem(item.key, null)}
                  missing={!!problems?.emptyValues.includes(item.key)}
                  cvrs={cvrs}
                  readOnly={readOnly}
                  t={t}
                />
              </li>
            )))}
        </ul>
      )}
      {problems?.noConditions && <span className={s.error} role="alert" data-testid="conditions-missing">{t('rules.editor.noConditions')}</span>}
      {!readOnly && (
        <div className={s.row}>
          <Button
            size="small"
            onClick={() => onChange({ ...form, items: [...form.items, { key: newKey(), negate: false, node: defaultLeaf('senderName', firstCvr) }] })}
            data-testid="add-condition"
          >
            {t('rules.editor.addCondition')}
          </Button>
          <Button
            size="small"
            appearance="subtle"
            onClick={() => onChange({
              ...form,
              items: [...form.items, { key: newKey(), negate: false, node: { kind: 'group', combinator: 'any', items: [{ key: newKey(), negate: false, leaf: defaultLeaf('senderName', firstCvr) }] } }],
            })}
            data-testid="add-group"
          >
            {t('rules.editor.addGroup')}
          </Button>
        </div>
      )}
    </div>
  );
}

function GroupEditor({ item, onChange, problems, cvrs, readOnly, t }: {
  item: FormItem & { node: GroupForm };
  onChange: (next: FormItem | null) => void;
  problems: FormProblems | null;
  cvrs: OrgCvr[];
  readOnly: boolean;
  t: Translate;
}) {
  const s = useStyles();
  const g = item.node;
  const setGroup = (next: Partial<GroupForm>) => onChange({ ...item, node: { ...g, ...next } });
  const empty = !!problems?.emptyGroups.includes(item.key);
  return (
    <li className={mergeClasses(s.item, s.group, empty && s.problem)} data-testid="rule-group" role="group" aria-label={t('rules.editor.group')}>
      <div className={s.row}>
        <Checkbox label={t('rules.editor.negate')} aria-label={t('rules.editor.negateLabel')} checked={item.negate} disabled={readOnly} onChange={(_, d) => onChange({ ...item, negate: !!d.checked })} />
        <Field label={t('rules.editor.groupMatch')} className={s.grow}>
          <Select value={g.combinator} disabled={readOnly} onChange={(_, d) => setGroup({ combinator: d.value as 'all' | 'any' })} data-testid="group-combinator">
            <option value="all">{t('rules.editor.all')}</option>
            <option value="any">{t('rules.editor.any')}</option>
          </Select>
        </Field>
        {!readOnly && <Button size="small" appearance="subtle" onClick={() => onChange(null)} data-testid="group-remove">{t('rules.editor.removeGroup')}</Button>}
      </div>
      <ul className={s.items}>
        {g.items.map((gi) => (
          <li key={gi.key} className={mergeClasses(s.item, problems?.emptyValues.includes(gi.key) && s.problem)} data-testid="rule-condition">
            <LeafEditor
              leaf={gi.leaf}
              negate={gi.negate}
              onChange={(leaf, negate) => setGroup({ items: g.items.map((x) => (x.key === gi.key ? { ...x, leaf, negate } : x)) })}
              onRemove={() => setGroup({ items: g.items.filter((x) => x.key !== gi.key) })}
              missing={!!problems?.emptyValues.includes(gi.key)}
              cvrs={cvrs}
              readOnly={readOnly}
              t={t}
            />
          </li>
        ))}
      </ul>
      {empty && <span className={s.error} role="alert">{t('rules.editor.emptyGroup')}</span>}
      {!readOnly && (
        <div className={s.row}>
          <Button size="small" onClick={() => setGroup({ items: [...g.items, { key: newKey(), negate: false, leaf: defaultLeaf('senderName', cvrs[0]?.cvr ?? '') }] })}>
            {t('rules.editor.addToGroup')}
          </Button>
        </div>
      )}
    </li>
  );
}

function LeafEditor({ leaf, negate, onChange, onRemove, missing, cvrs, readOnly, t }: {
  leaf: LeafForm;
  negate: boolean;
  onChange: (leaf: LeafForm, negate: boolean) => void;
  onRemove: () => void;
  missing: boolean;
  cvrs: OrgCvr[];
  readOnly: boolean;
  t: Translate;
}) {
  const s = useStyles();
  const set = (next: Partial<LeafForm>) => onChange({ ...leaf, ...next }, negate);
  const ops = LEAF_OPS[leaf.kind];
  const fields = leaf.kind === 'text' ? TEXT_FIELDS : leaf.kind === 'attention' ? ATTENTION_FIELDS : null;
  const validation = missing ? t('rules.editor.emptyValue') : undefined;
  const placeholderKey = isRegex(leaf) ? 'regex' : leaf.kind === 'text' && leaf.op === 'words' ? 'words' : leaf.kind;
  const placeholder = ['senderId', 'words', 'regex', 'kle', 'form', 'documentType'].includes(placeholderKey) ? t(`rules.placeholder.${placeholderKey}`) : undefined;

  let value: ReactNode;
  if (leaf.kind === 'always') value = null;
  else if (leaf.kind === 'provider') {
    value = (
      <Select value={leaf.value} disabled={readOnly} onChange={(_, d) => set({ value: d.value })} data-testid="condition-value">
        {PROVIDERS.map((p) => <option key={p} value={p}>{t(`provider.${p}`)}</option>)}
      </Select>
    );
  } else if (isBooleanKind(leaf.kind)) {
    value = (
      <Select value={leaf.value} disabled={readOnly} onChange={(_, d) => set({ value: d.value })} data-testid="condition-value">
        <option value="true">{t('rules.bool.true')}</option>
        <option value="false">{t('rules.bool.false')}</option>
      </Select>
    );
  } else if (leaf.kind === 'recipientCvr') {
    // A stored CVR the organisation no longer has stays choosable, so opening the rule changes nothing.
    const known = cvrs.some((c) => c.cvr === leaf.value);
    value = (
      <Select value={leaf.value} disabled={readOnly} onChange={(_, d) => set({ value: d.value })} data-testid="condition-value">
        {!known && <option value={leaf.value}>{leaf.value || '—'}</option>}
        {cvrs.map((c) => <option key={c.cvr} value={c.cvr}>{`${c.cvr} · ${c.name}`}</option>)}
      </Select>
    );
  } else {
    value = (
      <Input
        value={leaf.value}
        readOnly={readOnly}
        placeholder={placeholder}
        onChange={(_, d) => set({ value: d.value })}
        data-testid="condition-value"
      />
    );
  }

  return (
    <>
      <div className={s.leaf}>
        <Field label={t('rules.editor.kind')} className={s.grow}>
          <Select
            value={leaf.kind}
            disabled={readOnly}
            onChange={(_, d) => onChange(changeKind(leaf, d.value as LeafKind, cvrs[0]?.cvr ?? ''), negate)}
            data-testid="condition-kind"
          >
            {LEAF_KINDS.map((k) => <option key={k} value={k}>{t(`rules.kind.${k}`)}</option>)}
          </Select>
        </Field>
        {fields && (
          <Field label={t('rules.editor.field')} className={s.fixed}>
            <Select value={leaf.field} disabled={readOnly} onChange={(_, d) => set({ field: d.value })} data-testid="condition-field">
              {fields.map((f) => <option key={f} value={f}>{t(leaf.kind === 'text' ? `rules.textField.${f}` : `rules.attentionField.${f}`)}</option>)}
            </Select>
          </Field>
        )}
        {ops.length > 0 && (
          <Field label={t('rules.editor.op')} className={s.fixed}>
            <Select value={leaf.op} disabled={readOnly} onChange={(_, d) => set({ op: d.value })} data-testid="condition-op">
              {ops.map((o) => <option key={o} value={o}>{t(`rules.op.${o}`)}</option>)}
            </Select>
          </Field>
        )}
        {value && (
          <Field label={t('rules.editor.value')} className={s.grow} validationMessage={validation} validationState={missing ? 'error' : 'none'}>
            {value}
          </Field>
        )}
      </div>
      <div className={s.row}>
        <Checkbox
          label={t('rules.editor.negate')}
          aria-label={t('rules.editor.negateLabel')}
          checked={negate}
          disabled={readOnly}
          onChange={(_, d) => onChange(leaf, !!d.checked)}
          data-testid="condition-negate"
        />
        {isRegex(leaf) && (
          <Checkbox label={t('rules.editor.ignoreCase')} checked={leaf.ignoreCase} disabled={readOnly} onChange={(_, d) => set({ ignoreCase: !!d.checked })} data-testid="condition-ignore-case" />
        )}
        {!readOnly && (
          <Button size="small" appearance="subtle" onClick={onRemove} data-testid="condition-remove">{t('rules.editor.removeCondition')}</Button>
        )}
      </div>
    </>
  );
}
