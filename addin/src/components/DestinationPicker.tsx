// Choosing destinations: a searchable multi-select over the organisation's approved recipients
// (Fluent TagPicker). Only registry entries can be chosen — there is no way to type an address.
// A chosen id the registry no longer holds (archived, perhaps in another tab) stays visible, marked,
// with a message naming it, so the person removes it before saving.
// Keyboard: Enter picks the active option and keeps the list open for the next one; Escape closes the
// list first, then clears the search text, and only then reaches a surrounding dialog.
import {
  Button, Caption1, Field, Spinner, Tag, TagPicker, TagPickerControl, TagPickerGroup, TagPickerInput, TagPickerList,
  TagPickerOption, makeStyles, tokens,
} from '@fluentui/react-components';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Destination } from '../../../shared/src/contracts';
import { destinationWhere, filterDestinations } from '../destinations';
import { describeError } from './ErrorBar';
import { MailIcon, TeamsIcon } from './icons';
import { knownDestinationName, useDestinations } from './useDestinations';

const NO_OPTIONS = '__no-options__';

const useStyles = makeStyles({
  icon: { fontSize: '16px', color: tokens.colorBrandForeground1, display: 'inline-flex' },
  secondary: { overflowWrap: 'anywhere' },
  hasCopy: { color: tokens.colorPaletteMarigoldForeground2 },
  problem: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  error: { color: tokens.colorPaletteRedForeground1 },
  list: { maxHeight: '260px' },
  gone: {
    color: tokens.colorPaletteRedForeground1,
    ...{ borderTopColor: tokens.colorPaletteRedBorder1, borderRightColor: tokens.colorPaletteRedBorder1, borderBottomColor: tokens.colorPaletteRedBorder1, borderLeftColor: tokens.colorPaletteRedBorder1 },
    backgroundColor: tokens.colorPaletteRedBackground1,
  },
  goneName: { textDecorationLine: 'line-through' },
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
  /** Focus the search field as soon as it can take focus (after the registry has loaded), once. */
  autoFocus?: boolean;
  /** Changing it fetches the registry again, quietly (e.g. after the server refused a recipient). */
  reloadToken?: number;
}

function KindIcon({ d }: { d: Pick<Destination, 'kind'> }) {
  const s = useStyles();
  return <span className={s.icon}>{d.kind === 'teams_channel' ? <TeamsIcon /> : <MailIcon />}</span>;
}

export function DestinationPicker({
  label, selected, onChange, withCopy, disabled, validation, hint: givenHint, placeholder, testId = 'destination-picker',
  autoFocus, reloadToken,
}: DestinationPickerProps) {
  const s = useStyles();
  const { t } = useTranslation();
  const { destinations, loading, error, retry, refresh } = useDestinations();
  const [query, setQuery] = useState('');
  // Controlled, so a click into the field shows the whole registry (TagPicker opens on typing only).
  const [open, setOpen] = useState(false);
  // The keydown that picked an option: Fluent closes the list on that Enter; a multi-select keeps it open.
  const pickedBy = useRef<Event | null>(null);
  const input = useRef<HTMLInputElement | null>(null);
  const inactive = disabled || loading || error != null;

  useEffect(() => { if (reloadToken) refresh(); }, [reloadToken, refresh]);

  // Once usable, take the focus — unless the person has already put it into a field of their own.
  const focused = useRef(false);
  useEffect(() => {
    if (!autoFocus || inactive || focused.current) return;
    // Fluent passes "enabled" on to the input a render later: wait for it (briefly).
    let tries = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const attempt = () => {
      const el = input.current;
      if (!el || el.disabled) {
        if (++tries < 20) timer = setTimeout(attempt, 25);
        return;
      }
      focused.current = true;
      const active = document.activeElement;
      const elsewhere = active instanceof HTMLElement && active !== document.body
        && (active.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(active.tagName));
      if (!elsewhere) el.focus();
    };
    attempt();
    return () => clearTimeout(timer);
  }, [autoFocus, inactive]);

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key !== 'Escape' || e.defaultPrevented) return;
    // The list is closed by Fluent (which stops the key there); with it closed, clear the search text
    // before letting a dialog close.
    if (open) { e.preventDefault(); setOpen(false); return; }
    if (query !== '') { e.preventDefault(); e.stopPropagation(); setQuery(''); }
  };

  const byId = useMemo(() => new Map(destinations.map((d) => [d.id, d])), [destinations]);
  // Chosen, but not (any longer) in the registry: archived or removed. Known only once it has loaded.
  const gone = loading || error != null ? [] : selected.filter((id) => !byId.has(id));
  const goneName = (id: string) => knownDestinationName(id) ?? t('picker.unknownName');
  const goneMessage = gone.length > 0
    ? t('picker.gone', { count: gone.length, names: gone.map(goneName).join(', ') })
    : null;
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
      validationMessage={validation ?? goneMessage ?? undefined}
      validationState={validation || goneMessage ? 'error' : 'none'}
      data-testid={testId}
      data-gone={gone.length > 0 ? gone.length : undefined}
    >
      <TagPicker
        open={open}
        onOpenChange={(e, data) => {
          if (!data.open && pickedBy.current !== null && pickedBy.current === ('nativeEvent' in e ? e.nativeEvent : e)) return;
          setOpen(data.open);
        }}
        selectedOptions={selected}
        disabled={inactive}
        onOptionSelect={(e, data) => {
          if (data.value === NO_OPTIONS) return;
          pickedBy.current = e.type === 'keydown' ? ('nativeEvent' in e ? e.nativeEvent : e) : null;
          onChange(data.selectedOptions.filter((id) => id !== NO_OPTIONS));
          setQuery('');
        }}
      >
        <TagPickerControl>
          <TagPickerGroup aria-label={t('picker.selected')}>
            {selected.map((id) => {
              const d = byId.get(id);
              const isGone = gone.includes(id);
              const name = d?.displayName ?? (isGone ? goneName(id) : knownDestinationName(id) ?? id);
              return (
                <Tag
                  key={id}
                  value={id}
                  shape="rounded"
                  className={isGone ? s.gone : undefined}
                  media={d ? <KindIcon d={d} /> : undefined}
                  dismissIcon={{ 'aria-label': t('picker.remove', { name }) }}
                  data-testid="picked-destination"
                  data-gone={isGone || undefined}
                  title={isGone ? t('picker.goneHint') : undefined}
                >
                  {isGone ? <><span className={s.goneName}>{name}</span>{` ${t('picker.goneTag')}`}</> : name}
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
            onKeyDown={onKeyDown}
            ref={input}
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
