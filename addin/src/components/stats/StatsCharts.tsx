// The two charts (Fluent UI react-charts). Only the statistics chunk imports this file, so d3 and the
// chart components never reach the task pane's first download. Each chart is a figure with a caption
// and an accessible name; the numbers are also in tables (StatsView).
import { HorizontalBarChartWithAxis, VerticalStackedBarChart, type VerticalStackedChartProps } from '@fluentui/react-charts';
import { makeStyles, tokens } from '@fluentui/react-components';
import type { StatsResponse } from '../../../../shared/src/contracts';
import { bucketDate, formatBucket } from './period';

const useStyles = makeStyles({
  figure: { margin: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, minWidth: 0 },
  // The chart library capitalises every word of a legend ("Ikke Leveret"); Danish does not.
  chart: { width: '100%', minWidth: 0, '& .fui-legend__text': { textTransform: 'none' } },
});

// Fixed colours (the charts draw in SVG): brand blue, marigold and neutral grey, distinct also in greyscale.
export const SERIES_COLORS = { automatic: '#0f6cbd', manual: '#c19c00', notDelivered: '#b3b3b3' } as const;

export function OverTimeChart(props: {
  data: StatsResponse; locale: string; label: string;
  legends: { automatic: string; manual: string; notDelivered: string };
}) {
  const s = useStyles();
  const { data, locale, legends } = props;
  const g = data.granularity;
  const points: VerticalStackedChartProps[] = data.series.map((b) => {
    const when = formatBucket(b.bucket, g, locale);
    return {
      // Years as text (few, evenly spaced); days and months on a time axis, so d3 thins the ticks.
      xAxisPoint: g === 'year' ? b.bucket : bucketDate(b.bucket),
      xAxisCalloutData: when,
      chartData: [
        { legend: legends.automatic, data: b.automatic, color: SERIES_COLORS.automatic, xAxisCalloutData: when },
        { legend: legends.manual, data: b.manual, color: SERIES_COLORS.manual, xAxisCalloutData: when },
        { legend: legends.notDelivered, data: b.fetched - b.delivered, color: SERIES_COLORS.notDelivered, xAxisCalloutData: when },
      ],
    };
  });
  return (
    <figure className={s.figure} data-testid="stats-over-time-chart">
      <div className={s.chart}>
        <VerticalStackedBarChart
          data={points}
          height={240}
          culture={locale}
          chartTitle={props.label}
          svgProps={{ role: 'group', 'aria-label': props.label }}
          customDateTimeFormatter={(d: Date) => formatBucket(d.toISOString().slice(0, g === 'month' ? 7 : 10), g, locale)}
          useUTC
          isCalloutForStack
          hideLabels
          barWidth="auto"
          maxBarWidth={28}
          yAxisTickCount={4}
          margins={{ top: 16, bottom: 36, left: 40, right: 16 }}
        />
      </div>
    </figure>
  );
}

export function BreakdownChart(props: { rows: { label: string; fetched: number }[]; locale: string; label: string }) {
  const s = useStyles();
  // The chart draws the first point at the bottom: reverse, so the largest is on top as in the table.
  const data = props.rows.slice(0, 10).map((r) => ({ x: r.fetched, y: r.label, color: SERIES_COLORS.automatic })).reverse();
  return (
    <figure className={s.figure} data-testid="stats-breakdown-chart">
      <div className={s.chart}>
        <HorizontalBarChartWithAxis
          data={data}
          height={Math.max(120, 36 * data.length + 48)}
          culture={props.locale}
          chartTitle={props.label}
          svgProps={{ role: 'group', 'aria-label': props.label }}
          useSingleColor
          colors={[SERIES_COLORS.automatic]}
          hideLegend
          showYAxisLablesTooltip
          noOfCharsToTruncate={18}
          yAxisTickCount={4}
          margins={{ top: 8, bottom: 32, left: 140, right: 24 }}
        />
      </div>
    </figure>
  );
}
