// Statistics: letters fetched and delivered and the automation rate for a period, over time and
// broken down by channel, CVR number, sender or destination; the same numbers as tables (for screen
// readers and copying) and as a CSV file from the API. Its own lazy chunk with the charts (App.tsx).
import {
  Body1Strong, Button, Caption1, Field, Input, Select, Spinner, Subtitle2, Text, makeStyles, mergeClasses, tokens,
} from '@fluentui/react-components';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { StatsBy, StatsGranularity, StatsResponse } from '../../../../shared/src/contracts';
import { isAbortError } from '../../api/client';
import { useApi } from '../../api/context';
import { formatPercent } from '../../format';
import { isLanguage } from '../../i18n';
import { EmptyState } from '../EmptyState';
import { ErrorBar } from '../ErrorBar';
import { InboxIcon } from '../icons';
import { useLocale } from '../useLocale';
import { BreakdownChart, OverTimeChart } from './StatsCharts';
import { breakdownLabels } from './labels';
import type { Translate } from '../../codes';
import { MAX_DAYS, copenhagenToday, daysBetween, formatBucket, presetPeriod, type Preset } from './period';
import { saveBlob } from '../download';

const BY: StatsBy[] = ['channel', 'cvr', 'sender', 'destination'];
const GRANULARITIES: StatsGranularity[] = ['day', 'month', 'year'];

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM} ${tokens.spacingVerticalXXL}` },
  top: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
  grow: { flexGrow: 1 },
  controls: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, rowGap: tokens.spacingVerticalS },
  control: { minWidth: '140px', flexGrow: 1 },
  kpis: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(140px, 1fr))', gap: tokens.spacingHorizontalS },
  kpi: {
    display: 'flex', flexDirection: 'column', gap: '2px', padding: tokens.spacingHorizontalM,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`, borderRadius: tokens.borderRadiusMedium,
  },
  kpiValue: { fontSize: tokens.fontSizeHero700, lineHeight: tokens.lineHeightHero700, fontWeight: tokens.fontWeightSemibold },
  muted: { color: tokens.colorNeutralForeground3 },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, minWidth: 0 },
  busy: { opacity: 0.6 },
  tableWrap: { overflowX: 'auto' },
  table: {
    borderCollapse: 'collapse', width: '100%', fontSize: tokens.fontSizeBase200,
    '& th, & td': { padding: `2px ${tokens.spacingHorizontalS}`, borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`, textAlign: 'right', whiteSpace: 'nowrap' },
    '& thead th': { whiteSpace: 'normal', verticalAlign: 'bottom' },
    // The name column takes the room; long names wrap at words, not per letter.
    '& th:first-child, & td:first-child': { textAlign: 'left', whiteSpace: 'normal', overflowWrap: 'break-word', minWidth: '110px', width: '40%' },
  },
  // Hidden on screen, still read by screen readers.
  srOnly: { position: 'absolute', width: '1px', height: '1px', overflow: 'hidden', clip: 'rect(0 0 0 0)', whiteSpace: 'nowrap' },
  // Both tables: name (or period), fetched and automation only, so the rate fits 350 px without
  // scrolling; the other counts under the name.
  threeColumns: { '& th:first-child, & td:first-child': { width: '60%' } },
  rowName: { display: 'block' },
  rowDetails: { display: 'block', fontWeight: tokens.fontWeightRegular, color: tokens.colorNeutralForeground3 },
  center: { display: 'flex', justifyContent: 'center', padding: tokens.spacingVerticalXXL },
});

interface Filters { preset: Preset; from: string; to: string; granularity: StatsGranularity; by: StatsBy }

function initialFilters(): Filters {
  return { preset: '30d', ...presetPeriod('30d', copenhagenToday()), by: 'channel' };
}

export default function StatsView() {
  const s = useStyles();
  const { t, i18n } = useTranslation();
  const api = useApi();
  const locale = useLocale();
  const [f, setF] = useState<Filters>(initialFilters);
  const [data, setData] = useState<StatsResponse | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const [showTable, setShowTable] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<unknown>(null);

  const validRange = f.from !== '' && f.to !== '' && f.from <= f.to;
  const days = validRange ? daysBetween(f.from, f.to) : 0;
  // Daily buckets only up to the server's limit; a longer period offers months and years.
  const granularity: StatsGranularity = f.granularity === 'day' && days > MAX_DAYS ? 'month' : f.granularity;
  const params = useMemo(() => ({ from: f.from, to: f.to, granularity, by: f.by }), [f.from, f.to, granularity, f.by]);

  useEffect(() => {
    if (!validRange) return;
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    api.stats(params, controller.signal).then(
      (r) => { setData(r); setLoading(false); },
      (e) => { if (!isAbortError(e)) { setError(e); setLoading(false); } },
    );
    return () => controller.abort();
  }, [api, params, validRange, attempt]);

  const nf = useMemo(() => new Intl.NumberFormat(locale), [locale]);
  const n = (v: number) => nf.format(v);
  const rate = (r: number | null) => (r === null ? t('stats.noRate') : formatPercent(r, locale));

  const exportCsv = async () => {
    setExporting(true);
    setExportError(null);
    try {
      const lang = isLanguage(i18n.resolvedLanguage) ? i18n.resolvedLanguage : 'da';
      const { blob, filename } = await api.downloadStatsCsv({ ...params, lang });
      saveBlob(blob, filename);
    } catch (e) {
      setExportError(e);
    } finally {
      setExporting(false);
    }
  };

  const setPreset = (preset: Preset) => {
    if (preset === 'custom') setF((x) => ({ ...x, preset }));
    else setF((x) => ({ ...x, preset, ...presetPeriod(preset, copenhagenToday()) }));
  };

  const unit = t(`stats.${granularity}`).toLowerCase();
  const byName = t(`stats.${f.by}`).toLowerCase();
  const empty = data !== null && data.totals.fetched === 0;
  const current = data && data.by === f.by ? data : null;
  const labels = useMemo(() => (current ? breakdownLabels(current.breakdown, current.by, t as unknown as Translate) : []), [current, t]);

  return (
    <section className={s.root} data-testid="stats-view" aria-labelledby="stats-title" aria-busy={loading}>
      <div className={s.top}>
        <Subtitle2 id="stats-title" as="h2" className={s.grow}>{t('stats.title')}</Subtitle2>
        <Button size="small" onClick={exportCsv} disabled={exporting || !validRange} data-testid="stats-export">
          {exporting ? t('stats.exporting') : t('stats.exportCsv')}
        </Button>
      </div>

      <div className={s.controls}>
        <Field label={t('stats.period')} className={s.control}>
          <Select value={f.preset} onChange={(_, d) => setPreset(d.value as Preset)} data-testid="stats-period">
            <option value="30d">{t('stats.last30Days')}</option>
            <option value="12m">{t('stats.last12Months')}</option>
            <option value="5y">{t('stats.last5Years')}</option>
            <option value="custom">{t('stats.custom')}</option>
          </Select>
        </Field>
        {f.preset === 'custom' && (
          <>
            <Field label={t('stats.from')} className={s.control} validationMessage={validRange ? undefined : t('stats.invalidRange')}>
              <Input type="date" value={f.from} max={f.to || undefined} onChange={(_, d) => setF((x) => ({ ...x, from: d.value }))} data-testid="stats-from" />
            </Field>
            <Field label={t('stats.to')} className={s.control}>
              <Input type="date" value={f.to} min={f.from || undefined} onChange={(_, d) => setF((x) => ({ ...x, to: d.value }))} data-testid="stats-to" />
            </Field>
          </>
        )}
        <Field label={t('stats.granularity')} className={s.control}>
          <Select value={granularity} onChange={(_, d) => setF((x) => ({ ...x, granularity: d.value as StatsGranularity }))} data-testid="stats-granularity">
            {GRANULARITIES.map((g) => (
              <option key={g} value={g} disabled={g === 'day' && days > MAX_DAYS}>{t(`stats.${g}`)}</option>
            ))}
          </Select>
        </Field>
        <Field label={t('stats.breakdownBy')} className={s.control}>
          <Select value={f.by} onChange={(_, d) => setF((x) => ({ ...x, by: d.value as StatsBy }))} data-testid="stats-by">
            {BY.map((b) => <option key={b} value={b}>{t(`stats.${b}`)}</option>)}
          </Select>
        </Field>
      </div>

      {exportError != null && <ErrorBar title={t('stats.exportFailed')} error={exportError} />}
      {error != null && <ErrorBar title={t('stats.loadFailed')} error={error} onRetry={() => setAttempt((a) => a + 1)} />}
      {data === null && loading && error == null && (
        <div className={s.center}><Spinner size="small" label={t('stats.loading')} data-testid="stats-loading" /></div>
      )}

      {data !== null && (
        <div className={mergeClasses(s.section, loading && s.busy)}>
          <div className={s.kpis} data-testid="stats-kpis">
            <div className={s.kpi}>
              <Caption1 className={s.muted}>{t('stats.fetched')}</Caption1>
              <Text className={s.kpiValue} data-testid="kpi-fetched">{n(data.totals.fetched)}</Text>
              <Caption1 className={s.muted}>{t('stats.inTriage', { value: n(data.totals.triage) })}</Caption1>
            </div>
            <div className={s.kpi}>
              <Caption1 className={s.muted}>{t('stats.delivered')}</Caption1>
              <Text className={s.kpiValue} data-testid="kpi-delivered">{n(data.totals.delivered)}</Text>
              <Caption1 className={s.muted}>{t('stats.failed', { value: n(data.totals.failed) })}</Caption1>
            </div>
            <div className={s.kpi}>
              <Caption1 className={s.muted}>{t('stats.automationRate')}</Caption1>
              <Text className={s.kpiValue} data-testid="kpi-rate">{rate(data.totals.automationRate)}</Text>
              <Caption1 className={s.muted}>{t('stats.automationHint', { automatic: n(data.totals.automatic), delivered: n(data.totals.delivered) })}</Caption1>
            </div>
          </div>
          <Caption1 className={s.muted}>{t('stats.timeZone')}</Caption1>

          {empty ? (
            <EmptyState icon={<InboxIcon />} title={t('stats.empty')} hint={t('stats.emptyHint')} />
          ) : (
            <>
              <section className={s.section} aria-labelledby="stats-over-time">
                <div className={s.top}>
                  <Body1Strong id="stats-over-time" className={s.grow}>{t('stats.overTime')}</Body1Strong>
                  <Button size="small" appearance="subtle" onClick={() => setShowTable((v) => !v)} aria-expanded={showTable} data-testid="stats-toggle-table">
                    {showTable ? t('stats.hideTable') : t('stats.showTable')}
                  </Button>
                </div>
                <OverTimeChart
                  data={data}
                  locale={locale}
                  label={t('stats.overTimeDescription', { unit, from: formatBucket(data.from, 'day', locale), to: formatBucket(data.to, 'day', locale) })}
                  legends={{ automatic: t('stats.automatic'), manual: t('stats.manual'), notDelivered: t('stats.notDelivered') }}
                />
                {/* A scrolling table must be reachable by keyboard (tab stop + name), WCAG 2.1.1. */}
                <div className={mergeClasses(s.tableWrap, !showTable && s.srOnly)} tabIndex={showTable ? 0 : -1} role="region" aria-label={t('stats.overTime')}>
                  <table className={mergeClasses(s.table, s.threeColumns)} data-testid="stats-series-table">
                    <caption className={s.srOnly}>{t('stats.overTime')}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{t('stats.bucket')}</th><th scope="col">{t('stats.fetched')}</th>
                        <th scope="col" data-testid="stats-series-rate">{t('stats.rate')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.series.map((b) => (
                        <tr key={b.bucket}>
                          <th scope="row">
                            <span className={s.rowName}>{formatBucket(b.bucket, data.granularity, locale)}</span>
                            <Caption1 className={s.rowDetails} data-testid="stats-bucket-details">
                              {t('stats.seriesDetails', { delivered: n(b.delivered), automatic: n(b.automatic), manual: n(b.manual) })}
                            </Caption1>
                          </th>
                          <td>{n(b.fetched)}</td><td data-testid="stats-bucket-rate">{rate(b.automationRate)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </section>

              {current && (
                <section className={s.section} aria-labelledby="stats-breakdown" data-testid="stats-breakdown" data-by={current.by}>
                  <Body1Strong id="stats-breakdown">{t('stats.breakdownTitle', { by: byName })}</Body1Strong>
                  <BreakdownChart
                    rows={current.breakdown.map((r, i) => ({ label: labels[i], fetched: r.fetched }))}
                    locale={locale}
                    label={t('stats.breakdownDescription', { by: byName })}
                  />
                  <div className={s.tableWrap} tabIndex={0} role="region" aria-label={t('stats.breakdownTitle', { by: byName })}>
                    <table className={mergeClasses(s.table, s.threeColumns)} data-testid="stats-breakdown-table">
                      <caption className={s.srOnly}>{t('stats.breakdownTitle', { by: byName })}</caption>
                      <thead>
                        <tr>
                          <th scope="col">{t(`stats.${current.by}`)}</th><th scope="col">{t('stats.fetched')}</th>
                          <th scope="col" data-testid="stats-breakdown-rate">{t('stats.rate')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {current.breakdown.map((r, i) => (
                          <tr key={r.key ?? '(other)'}>
                            <th scope="row">
                              <span className={s.rowName} data-testid="stats-group-name">{labels[i]}</span>
                              <Caption1 className={s.rowDetails}>{t('stats.rowDetails', { delivered: n(r.delivered), triage: n(r.triage) })}</Caption1>
                            </th>
                            <td>{n(r.fetched)}</td><td data-testid="stats-group-rate">{rate(r.automationRate)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                </section>
              )}
            </>
          )}
        </div>
      )}
    </section>
  );
}
