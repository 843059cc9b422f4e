// Statistics as CSV for Excel. Format choice: UTF-8 with a byte-order mark (without it Excel reads
// æøå as mojibake), ';' between fields and a decimal comma in the rate (what Excel in a Danish locale
// splits and reads as numbers on opening), CRLF line ends (RFC 4180). One row per period bucket and
// breakdown group, so the file can be pivoted.
import type { StatsBy, StatsCounts, StatsGranularity } from '../../../shared/src/contracts';

export const CSV_BOM = '\uFEFF';
export const CSV_SEPARATOR = ';';

export type CsvLang = 'da' | 'en';

const HEADERS: Record<CsvLang, { period: Record<StatsGranularity, string>; by: Record<StatsBy, [string, string]>; counts: string[] }> = {
  da: {
    period: { day: 'Dag', month: 'Måned', year: 'År' },
    by: { channel: ['Kanal', 'Kanalnavn'], cvr: ['CVR-nummer', 'Navn'], sender: ['Afsender-id', 'Afsender'], destination: ['Modtager-id', 'Modtager'] },
    counts: ['Hentet', 'Leveret', 'Automatisk', 'Manuelt', 'Til sortering', 'Fejlet', 'Under behandling', 'Automatiseringsgrad (%)'],
  },
  en: {
    period: { day: 'Day', month: 'Month', year: 'Year' },
    by: { channel: ['Channel', 'Channel name'], cvr: ['CVR number', 'Name'], sender: ['Sender id', 'Sender'], destination: ['Destination id', 'Destination'] },
    counts: ['Fetched', 'Delivered', 'Automatic', 'Manual', 'In triage', 'Failed', 'In progress', 'Automation rate (%)'],
  },
};

export const CHANNEL_NAMES: Record<string, string> = { ngdp: 'Digital Post', eboks: 'e-Boks', mitdk: 'mit.dk' };

/** One field: quoted when it holds the separator, a quote or a line break. */
export function csvField(value: string): string {
  return /[;",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Text from outside (a sender's name) that Excel would run as a formula gets a leading apostrophe
 * (OWASP "CSV injection").
 */
export function csvText(value: string): string {
  return csvField(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
}

/** A share as a percentage with one decimal and a decimal comma ("87,5"); empty when undefined. */
export function csvPercent(rate: number | null): string {
  return rate === null ? '' : (Math.round(rate * 1000) / 10).toFixed(1).replace('.', ',');
}

export interface CsvRow extends StatsCounts { bucket: string; key: string; label: string }

export function statsCsv(rows: readonly CsvRow[], o: { granularity: StatsGranularity; by: StatsBy; lang: CsvLang }): string {
  const h = HEADERS[o.lang];
  const lines = [[h.period[o.granularity], ...h.by[o.by], ...h.counts].map(csvField).join(CSV_SEPARATOR)];
  for (const r of rows) {
    lines.push([
      r.bucket, csvText(r.key), csvText(r.label),
      ...[r.fetched, r.delivered, r.automatic, r.manual, r.triage, r.failed, r.inProgress].map(String),
      csvPercent(r.automationRate),
    ].join(CSV_SEPARATOR));
  }
  return CSV_BOM + lines.join('\r\n') + '\r\n';
}

/** e.g. brevdue-statistik-2025-01-01-2025-12-31.csv (ASCII, safe in any header). */
export function csvFilename(from: string, to: string, lang: CsvLang): string {
  return `brevdue-${lang === 'da' ? 'statistik' : 'statistics'}-${from}-${to}.csv`;
}
