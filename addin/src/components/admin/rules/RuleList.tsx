// The rules in priority order: number, name, on/off, what the rule asks and does in words, who last
// changed it, and the buttons to move, edit and delete. Moves are buttons (keyboard and screen
// readers reach them like any other); the page keeps focus on the moved rule's button. A rule that
// never applies where it stands (earlier rules take all its letters; placement.ts) says so in words,
// not colour alone, names those rules, and offers to move it just before the first of them.
import {
  Badge, Body1Strong, Button, Caption1, Spinner, Switch, Tooltip, makeStyles, mergeClasses, tokens,
} from '@fluentui/react-components';
import type { RuleView } from '../../../../../shared/src/contracts';
import { joinNames } from '../../../destinations';
import { formatDateTime } from '../../../format';
import { useLocale } from '../../useLocale';
import { describeAction, describeConditions, type DescribeNames, type Translate } from './describe';
import type { ListShadow } from './placement';

const useStyles = makeStyles({
  list: { listStyle: 'none', margin: 0, padding: `0 ${tokens.spacingHorizontalM} ${tokens.spacingVerticalXXL}`, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  card: {
    display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, padding: tokens.spacingHorizontalM,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`, borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  off: { backgroundColor: tokens.colorNeutralBackground3 },
  busy: { opacity: 0.7 },
  top: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
  number: { flexShrink: 0 },
  name: { flexGrow: 1, minWidth: 0, overflowWrap: 'anywhere' },
  text: { overflowWrap: 'anywhere', color: tokens.colorNeutralForeground2 },
  muted: { color: tokens.colorNeutralForeground3 },
  buttons: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalXS },
  shadow: {
    display: 'flex', flexDirection: 'column', alignItems: 'flex-start', gap: tokens.spacingVerticalXS,
    padding: tokens.spacingHorizontalS, borderRadius: tokens.borderRadiusMedium, backgroundColor: tokens.colorPaletteYellowBackground1,
  },
  shadowText: { overflowWrap: 'anywhere' },
  // Rule names can be long; the button wraps rather than widening the pane.
  shadowFix: { whiteSpace: 'normal', textAlign: 'start', maxWidth: '100%' },
});

export interface RuleListProps {
  rules: RuleView[];
  canEdit: boolean;
  /** The rule an operation is running on (its controls are off meanwhile); '*' for a move. */
  busy: string | null;
  /** The rules that never apply where they stand, by id (placement.ts's listShadows). */
  shadows: ReadonlyMap<string, ListShadow>;
  names: DescribeNames;
  t: Translate;
  onToggle: (rule: RuleView, enabled: boolean) => void;
  onMove: (index: number, dir: -1 | 1) => void;
  /** Moves the rule to just before `before`, where it applies. */
  onMoveBefore: (rule: RuleView, before: RuleView) => void;
  onEdit: (rule: RuleView) => void;
  onDelete: (rule: RuleView) => void;
}

export function RuleList({ rules, canEdit, busy, shadows, names, t, onToggle, onMove, onMoveBefore, onEdit, onDelete }: RuleListProps) {
  const s = useStyles();
  const locale = useLocale();
  return (
    <ol className={s.list} aria-label={t('rules.title')} data-testid="rules-list">
      {rules.map((rule, i) => {
        const locked = busy !== null;
        const mine = busy === rule.id;
        const description = describeConditions(rule.conditions, t, names) ?? rule.description;
        const shadow = shadows.get(rule.id);
        const shadowId = `rule-shadow-${rule.id}`;
        const nameId = `rule-name-${rule.id}`;
        return (
          <li
            key={rule.id}
            className={mergeClasses(s.card, !rule.enabled && s.off, mine && s.busy)}
            data-testid="rule-item"
            data-rule-id={rule.id}
            data-rule-name={rule.name}
            aria-busy={mine}
          >
            <div className={s.top}>
              <Badge className={s.number} appearance="tint" shape="rounded" color="informative" aria-label={t('rules.position', { position: i + 1 })}>
                {i + 1}
              </Badge>
              <Body1Strong id={nameId} className={s.name} data-testid="rule-name-text">{rule.name}</Body1Strong>
              {mine && <Spinner size="extra-tiny" />}
              <Switch
                checked={rule.enabled}
                disabled={!canEdit || locked}
                label={rule.enabled ? t('rules.enabled') : t('rules.off')}
                aria-label={t('rules.enabledLabel', { name: rule.name })}
                aria-describedby={shadow ? shadowId : undefined}
                onChange={(_, d) => onToggle(rule, d.checked)}
                data-testid="rule-switch"
              />
            </div>
            <Caption1 className={s.text} data-testid="rule-description">{description}</Caption1>
            <Caption1 className={s.text} data-testid="rule-action-text">{describeAction(rule, t, names)}</Caption1>
            {shadow && (
              <div className={s.shadow} data-testid="rule-never-applies">
                {/* One element read as one sentence ("Never applies “X” comes before it …"): the switch and Edit are described by it. */}
                <div id={shadowId} className={s.shadowText} data-testid="rule-never-applies-text">
                  <Badge appearance="filled" color="warning" shape="rounded">{t('rules.neverApplies')}</Badge>{' '}
                  <Caption1>
                    {shadow.by.length === 1 ? t('rules.neverAppliesOne', { name: shadow.by[0].name })
                      : t('rules.neverAppliesMany', { names: joinNames(shadow.by.map((r) => t('rules.editor.quoted', { name: r.name })), locale) })}
                  </Caption1>
                </div>
                {canEdit && (
                  <Button
                    className={s.shadowFix}
                    size="small"
                    disabled={locked}
                    onClick={() => onMoveBefore(rule, shadow.before)}
                    aria-describedby={nameId}
                    data-testid="rule-move-before"
                  >
                    {t('rules.moveBefore', { name: shadow.before.name })}
                  </Button>
                )}
              </div>
            )}
            <Caption1 className={s.muted} data-testid="rule-version">
              {t('rules.version', { version: rule.version, by: rule.updatedBy, when: formatDateTime(rule.updatedAt, locale) })}
            </Caption1>
            <div className={s.buttons}>
              {canEdit && (
                <>
                  <Tooltip content={t('rules.moveUp', { name: rule.name })} relationship="label" withArrow>
                    <Button size="small" appearance="subtle" disabled={locked || i === 0} onClick={() => onMove(i, -1)} data-move="up" data-testid="rule-move-up">↑</Button>
                  </Tooltip>
                  <Tooltip content={t('rules.moveDown', { name: rule.name })} relationship="label" withArrow>
                    <Button size="small" appearance="subtle" disabled={locked || i === rules.length - 1} onClick={() => onMove(i, 1)} data-move="down" data-testid="rule-move-down">↓</Button>
                  </Tooltip>
                </>
              )}
              <Button
                size="small"
                disabled={locked}
                onClick={() => onEdit(rule)}
                aria-label={t(canEdit ? 'rules.editRule' : 'rules.viewRule', { name: rule.name })}
                aria-describedby={shadow ? shadowId : undefined}
                data-testid="rule-edit"
              >
                {canEdit ? t('rules.edit') : t('rules.view')}
              </Button>
              {canEdit && (
                <Button size="small" appearance="subtle" disabled={locked} onClick={() => onDelete(rule)} aria-label={t('rules.deleteRule', { name: rule.name })} data-testid="rule-delete">
                  {t('rules.delete')}
                </Button>
              )}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
