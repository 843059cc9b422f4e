// "Test against the last N days": the dry-run endpoint replays the draft rule set (the rule as it is
// in the form, in place of the stored one) over recent letters and reports what would go elsewhere,
// and why the edited rule changes less than expected: earlier rules that take its letters, by name.
import {
  Body1Strong, Button, Caption1, Field, Input, MessageBar, MessageBarBody, MessageBarTitle, Spinner, makeStyles, tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DryRunResponse } from '../../../../../shared/src/contracts';
import type { DryRunRequest } from '../../../api/client';
import { useApi } from '../../../api/context';
import { formatDate } from '../../../format';
import { describeError } from '../../ErrorBar';
import { problemText } from '../../../codes';
import { joinNames } from '../../../destinations';
import { useLocale } from '../../useLocale';
import { dryRunSideText, type Translate } from './describe';

/** Examples shown; the API returns up to 500. */
const SHOWN = 20;

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  row: { display: 'flex', flexWrap: 'wrap', alignItems: 'flex-end', gap: tokens.spacingHorizontalS },
  days: { width: '110px' },
  muted: { color: tokens.colorNeutralForeground3 },
  list: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  change: { display: 'flex', flexDirection: 'column', gap: '2px', overflowWrap: 'anywhere' },
  arrow: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS, color: tokens.colorNeutralForeground2 },
  before: { textDecorationLine: 'line-through', color: tokens.colorNeutralForeground3 },
  after: { color: tokens.colorPaletteGreenForeground1, fontWeight: tokens.fontWeightSemibold },
  h: { margin: 0 },
  srOnly: { position: 'absolute', width: '1px', height: '1px', overflow: 'hidden', clip: 'rect(0 0 0 0)', whiteSpace: 'nowrap' },
});

export interface DryRunPanelProps {
  /** The draft rule set, or null when the form is not complete (the editor then marks the fields). */
  buildRequest: (days: number) => DryRunRequest | null;
  t: Translate;
}

export function DryRunPanel({ buildRequest, t }: DryRunPanelProps) {
  const s = useStyles();
  const api = useApi();
  const { t: tf } = useTranslation();
  const locale = useLocale();
  const [daysText, setDaysText] = useState('30');
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<DryRunResponse | null>(null);
  // Whether the edited rule was off in the request the result answers.
  const [draftOff, setDraftOff] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const days = Number(daysText);
  const daysOk = Number.isInteger(days) && days >= 1 && days <= 366;

  const run = async () => {
    if (!daysOk || running) return;
    const request = buildRequest(days);
    if (!request) return;
    setRunning(true);
    setError(null);
    try {
      setResult(await api.dryRunRules(request));
      setDraftOff(request.draft !== undefined && request.rules[request.draft]?.enabled === false);
    } catch (e) {
      setResult(null);
      setError(e);
    } finally {
      setRunning(false);
    }
  };

  const side = (x: DryRunResponse['changes'][number]['before']) => dryRunSideText(x, t);

  /** Why the edited rule changes what it changes: off, matches nothing, earlier rules take its letters, or they stay put. */
  const reasons = (r: DryRunResponse): string[] => {
    if (draftOff) return [t('rules.dryRun.draftOff')];
    const d = r.draft;
    if (!d) return [];
    if (r.letters === 0) return [t('rules.dryRun.noLetters')];
    if (d.matching === 0) return [t('rules.dryRun.matchesNone', { count: r.letters })];
    const out: string[] = [];
    const shadowed = d.placedBy.reduce((n, p) => n + p.letters, 0);
    if (shadowed > 0) {
      const rules = d.placedBy.length === 1 ? t('rules.dryRun.byRule', { name: d.placedBy[0].rule })
        : t('rules.dryRun.byRules', { names: joinNames(d.placedBy.map((p) => t('rules.dryRun.byRulesItem', { name: p.rule, letters: p.letters })), locale) });
      out.push(shadowed >= d.matching ? t('rules.dryRun.placedByAll', { count: d.matching, rules })
        : t('rules.dryRun.placedBySome', { shadowed, matching: d.matching, rules }));
    }
    if (r.changed === 0 && shadowed < d.matching) out.push(t('rules.dryRun.samePlace', { count: d.matching - shadowed }));
    return out;
  };

  return (
    <section className={s.root} aria-labelledby="rules-dry-run-title" data-testid="dry-run">
      <Body1Strong id="rules-dry-run-title" as="h3" className={s.h}>{t('rules.dryRun.title')}</Body1Strong>
      <Caption1 className={s.muted}>{t('rules.dryRun.intro')}</Caption1>
      <div className={s.row}>
        <Field label={t('rules.dryRun.days')} validationMessage={daysOk ? undefined : t('rules.dryRun.daysInvalid')} validationState={daysOk ? 'none' : 'error'}>
          <Input className={s.days} type="number" min={1} max={366} value={daysText} onChange={(_, d) => setDaysText(d.value)} data-testid="dry-run-days" />
        </Field>
        <Button onClick={() => void run()} disabled={running || !daysOk} icon={running ? <Spinner size="tiny" /> : undefined} data-testid="dry-run-run">
          {running ? t('rules.dryRun.running') : t('rules.dryRun.run', { count: daysOk ? days : 30 })}
        </Button>
      </div>

      {error != null && (
        <MessageBar intent="error" layout="multiline" role="alert" data-testid="dry-run-error">
          <MessageBarBody><MessageBarTitle>{t('rules.dryRun.failed')}</MessageBarTitle>{describeError(error, tf)}</MessageBarBody>
        </MessageBar>
      )}

      {result && result.problems.length > 0 && (
        <MessageBar intent="warning" layout="multiline" role="alert" data-testid="dry-run-problems">
          <MessageBarBody>
            <MessageBarTitle>{t('rules.dryRun.problems')}</MessageBarTitle>
            <ul>
              {result.problems.map((p, i) => (
                <li key={i} data-testid="dry-run-problem">
                  <strong>{p.rule}</strong>
                  {`: ${(p.details ?? p.problems.map((message) => ({ code: '', message }))).map((x) => problemText(x, t)).join(' ')}`}
                </li>
              ))}
            </ul>
          </MessageBarBody>
        </MessageBar>
      )}

      {result && result.problems.length === 0 && (
        <div className={s.root} role="status" data-testid="dry-run-result" data-changed={result.changed}>
          <Body1Strong data-testid="dry-run-summary">
            {result.changed === 0 ? t('rules.dryRun.none') : t('rules.dryRun.summary', { changed: result.changed, letters: result.letters })}
          </Body1Strong>
          {reasons(result).map((text) => <Caption1 key={text} data-testid="dry-run-reason">{text}</Caption1>)}
          <Caption1 className={s.muted}>{t('rules.dryRun.triage', { before: result.toTriageBefore, after: result.toTriageAfter })}</Caption1>
          {result.changes.length > 0 && (
            <>
              <Caption1 as="h4" className={s.h}>{t('rules.dryRun.examples')}</Caption1>
              <ul className={s.list}>
                {result.changes.slice(0, SHOWN).map((c) => (
                  <li key={c.messageId} className={s.change} data-testid="dry-run-change">
                    <span>
                      <Body1Strong>{c.label}</Body1Strong>
                      <Caption1 className={s.muted}>{` · ${c.senderName} · ${formatDate(c.receivedAt, locale)}`}</Caption1>
                    </span>
                    <Caption1 className={s.arrow}>
                      <span className={s.srOnly}>{t('rules.dryRun.nowSr')}</span>
                      <span className={s.before} data-testid="dry-run-before">{side(c.before)}</span>
                      <span aria-hidden="true">→</span>
                      <span className={s.srOnly}>{t('rules.dryRun.afterSr')}</span>
                      <span className={s.after} data-testid="dry-run-after">{side(c.after)}</span>
                    </Caption1>
                  </li>
                ))}
              </ul>
              {result.changed > SHOWN && <Caption1 className={s.muted}>{t('rules.dryRun.more', { count: result.changed - SHOWN })}</Caption1>}
            </>
          )}
        </div>
      )}
    </section>
  );
}
