// The filter panel of track & trace: sender, mailbox, destination (the registry), status, received
// from/until, and the order. Fields report changes at once except the sender (typed: debounced by
// the caller) and the dates (applied only while from ≤ until, so a half-typed range sends nothing).
import { Button, Caption1, Field, Input, Select, makeStyles, tokens } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import type { MessageSort } from '../../../../shared/src/contracts';
import { useDestinations } from '../useDestinations';
import type { TraceSearch } from '../useMessageList';

const STATUSES = ['received', 'routed', 'triage', 'delivered', 'failed'] as const;
const PROVIDERS = ['ngdp', 'eboks', 'mitdk'] as const;
export const SORTS = [
  'receivedAt_desc', 'receivedAt_asc', 'sender_asc', 'sender_desc', 'label_asc', 'label_desc',
  'cvr_asc', 'cvr_desc', 'status_asc', 'status_desc',
] as const;

const useStyles = makeStyles({
  root: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(140px, 1fr))',
    gap: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    padding: `0 ${tokens.spacingHorizontalM} ${tokens.spacingVerticalS}`,
  },
  wide: { gridColumn: '1 / -1' },
  actions: { display: 'flex', alignItems: 'end', gap: tokens.spacingHorizontalS },
  problem: { color: tokens.colorPaletteRedForeground1 },
});

/** The panel's part of a search: everything but the text, the CVR select and the page. */
export type FilterValues = Omit<TraceSearch, 'q' | 'cvr' | 'offset'>;

export function TraceFilters({ id, values, onChange, onClear, datesReversed }: {
  id: string;
  values: FilterValues;
  onChange: (patch: Partial<FilterValues>) => void;
  onClear: () => void;
  datesReversed: boolean;
}) {
  const s = useStyles();
  const { t } = useTranslation();
  const registry = useDestinations();

  return (
    <div id={id} className={s.root} role="group" aria-label={t('trace.filters')} data-testid="trace-filters">
      <Field label={t('trace.sender')}>
        <Input value={values.sender} onChange={(_, d) => onChange({ sender: d.value })} placeholder={t('trace.senderPlaceholder')}
          maxLength={200} data-testid="filter-sender" />
      </Field>
      <Field label={t('trace.mailbox')}>
        <Select value={values.provider} onChange={(_, d) => onChange({ provider: d.value })} data-testid="filter-provider">
          <option value="">{t('trace.allMailboxes')}</option>
          {PROVIDERS.map((p) => <option key={p} value={p}>{t(`provider.${p}`)}</option>)}
        </Select>
      </Field>
      <Field
        label={t('trace.destination')}
        validationState={registry.error ? 'error' : 'none'}
        validationMessage={registry.error ? (
          <span>{t('trace.destinationsFailed')} <Button size="small" appearance="transparent" onClick={registry.retry}>{t('errors.retry')}</Button></span>
        ) : undefined}
      >
        <Select value={values.destinationId} onChange={(_, d) => onChange({ destinationId: d.value })} disabled={registry.loading && !registry.destinations.length}
          data-testid="filter-destination">
          <option value="">{t('trace.allDestinations')}</option>
          {registry.destinations.map((d) => <option key={d.id} value={d.id}>{d.displayName}</option>)}
        </Select>
      </Field>
      <Field label={t('trace.status')}>
        <Select value={values.status} onChange={(_, d) => onChange({ status: d.value })} data-testid="filter-status">
          <option value="">{t('trace.allStatuses')}</option>
          {STATUSES.map((st) => <option key={st} value={st}>{t(`status.${st}`)}</option>)}
        </Select>
      </Field>
      <Field label={t('trace.from')} validationState={datesReversed ? 'error' : 'none'}>
        <Input type="date" value={values.from} onChange={(_, d) => onChange({ from: d.value })} max={values.to || undefined} data-testid="filter-from" />
      </Field>
      <Field label={t('trace.to')} validationState={datesReversed ? 'error' : 'none'}>
        <Input type="date" value={values.to} onChange={(_, d) => onChange({ to: d.value })} min={values.from || undefined} data-testid="filter-to" />
      </Field>
      {datesReversed && <Caption1 className={`${s.wide} ${s.problem}`} role="alert" data-testid="dates-reversed">{t('trace.datesReversed')}</Caption1>}
      <Field label={t('trace.sortBy')}>
        <Select
          value={`${values.sort}_${values.dir}`}
          onChange={(_, d) => {
            const [sort, dir] = d.value.split('_') as [MessageSort, 'asc' | 'desc'];
            onChange({ sort, dir });
          }}
          data-testid="sort-select"
        >
          {SORTS.map((k) => <option key={k} value={k}>{t(`trace.sort.${k}`)}</option>)}
        </Select>
      </Field>
      <div className={s.actions}>
        <Button onClick={onClear} data-testid="filters-clear">{t('trace.clear')}</Button>
      </div>
    </div>
  );
}
