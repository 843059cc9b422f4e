// Choosing destinations: a searchable multi-select over the organisation's approved recipients
// (Fluent TagPicker). Only registry entries can be chosen — there is no way to type an address.
import {
  Button, Caption1, Field, Spinner, Tag, TagPicker, TagPickerControl, TagPickerGroup, TagPickerInput, TagPickerList,
  TagPickerOption, makeStyles, tokens,
} from '@fluentui/react-components';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Destination } from '../../../shared/src/contracts';
import { destinationWhere, filterDestinations } from '../destinations';
import { describeError } from './ErrorBar';
import { MailIcon, TeamsIcon } from './icons';
import { useDestinations } from './useDestinations';

const NO_OPTIONS = '__no-options__';

const useStyles = makeStyles({
  icon: { fontSize: '16px', color: tokens.colorBrandForeground1, display: 'inline-flex' },
  secondary: { overflowWrap: 'anywhere' },
  hasCopy: { color: tokens.colorPaletteMarigoldForeground2 },
  problem: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  error: { color: tokens.colorPaletteRedForeground1 },
  list: { maxHeight: '260px' },
});

export interface DestinationPickerProps {
  label: string;
  selected: string[];
  onChange: (ids: string[]) => void;
  /** Destinations that already hold a copy: marked in the list. */
  withCopy?: ReadonlySet<string>;
  disabled?: boolean;
  /** A validation message under the field. */
  validation?: string | null;
  /** Under the field when the registry has loaded (loading and failures take its place). */
  hint?: string;
  /** In the empty search box; default: what can be searched for. */
  placeholder?: string;
  testId?: string;
}

function KindIcon({ d }: { d: Pick<Destination, 'kind'> }) {
  const s = useStyles();
  return <span className={s.icon}>{d.kind === 'teams_channel' ? <TeamsIcon /> : <MailIcon />}</span>;
}

export function DestinationPicker({ label, selected, onChange, withCopy, disabled, validation, hint: givenHint, placeholder, testId = 'destination-picker' }: DestinationPickerProps) {
  const s = useStyles();
  const { t } = useTranslation();
  const { destinations, loading, error, retry } = useDestinations();
  const [query, setQuery] = useState('');
  // Controlled, so a click into the field shows the whole registry (TagPicker opens on typing only).
  const [open, setOpen] = useState(false);

  const byId = useMemo(() => new Map(destinations.map((d) => [d.id, d])), [destinations]);
  const options = useMemo(
    () => filterDestinations(destinations, query, (d) => t(`destinationKind.${d.kind}`)).filter((d) => !selected.includes(d.id)),
    [destinations, query, selected, t],
  );

  const hint = loading
    ? <span className={s.problem}><Spinner size="extra-tiny" />{t('picker.loading')}</span>
    : error != null
      ? (
        <span className={s.problem} role="alert" data-testid="picker-error">
          <span className={s.error}>{`${t('picker.loadFailed')}: ${describeError(error, t)}`}</span>
          <Button size="small" onClick={retry}>{t('errors.retry')}</Button>
        </span>
      )
      : destinations.length === 0 ? t('picker.empty') : givenHint;

  return (
    <Field
      label={label}
      hint={hint}
      validationMessage={validation ?? undefined}
      validationState={validation ? 'error' : 'none'}
      data-testid={testId}
    >
      <TagPicker
        open={open}
        onOpenChange={(_, data) => setOpen(data.open)}
        selectedOptions={selected}
        disabled={disabled || loading || error != null}
        onOptionSelect={(_, data) => {
          if (data.value === NO_OPTIONS) return;
          onChange(data.selectedOptions.filter((id) => id !== NO_OPTIONS));
          setQuery('');
        }}
      >
        <TagPickerControl>
          <TagPickerGroup aria-label={t('picker.selected')}>
            {selected.map((id) => {
              const d = byId.get(id);
              const name = d?.displayName ?? id;
              return (
                <Tag
                  key={id}
                  value={id}
                  shape="rounded"
                  media={d ? <KindIcon d={d} /> : undefined}
                  dismissIcon={{ 'aria-label': t('picker.remove', { name }) }}
                  data-testid="picked-destination"
                >
                  {name}
                </Tag>
              );
            })}
          </TagPickerGroup>
          <TagPickerInput
            aria-label={label}
            placeholder={selected.length === 0 ? placeholder ?? t('picker.placeholder') : undefined}
            value={query}
            onChange={(e) => { setQuery(e.target.value); setOpen(true); }}
            onClick={() => setOpen(true)}
            data-testid="destination-search"
          />
        </TagPickerControl>
        <TagPickerList className={s.list} data-testid="destination-options">
          {options.length > 0
            ? options.map((d) => {
              const where = destinationWhere(d);
              const copy = withCopy?.has(d.id);
              return (
                <TagPickerOption
                  key={d.id}
                  value={d.id}
                  text={d.displayName}
                  media={<KindIcon d={d} />}
                  secondaryContent={(
                    <span className={s.secondary}>
                      {t(`destinationKind.${d.kind}`)}{where ? ` · ${where}` : ''}
                      {copy && <span className={s.hasCopy}>{` · ${t('picker.hasCopy')}`}</span>}
                    </span>
                  )}
                  data-testid="destination-option"
                  data-destination-id={d.id}
                >
                  {d.displayName}
                </TagPickerOption>
              );
            })
            : (
              <TagPickerOption value={NO_OPTIONS} text="" data-testid="destination-no-match">
                <Caption1>{t('picker.noMatches')}</Caption1>
              </TagPickerOption>
            )}
        </TagPickerList>
      </TagPicker>
    </Field>
  );
}
