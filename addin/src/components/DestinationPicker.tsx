// Choosing destinations: a searchable multi-select over the organisation's approved recipients
// (Fluent TagPicker). Only registry entries can be chosen — there is no way to type an address.
// A chosen id the registry no longer holds (archived, perhaps in another tab) stays visible, marked,
// with a message naming it, so the person removes it before saving. A recipient the operator's
// allow-list refuses the organisation now (`unusable`, GET /api/destinations) is listed last, greyed
// out with the reason, and cannot be chosen: the server would refuse it; one chosen already (a rule
// made before) is marked like an archived one.
// Keyboard: Enter picks the active option and keeps the list open for the next one; Escape closes the
// list first, then clears the search text, and only then reaches a surrounding dialog.
import {
  Button, Caption1, Field, Spinner, Tag, TagPicker, TagPickerControl, TagPickerGroup, TagPickerInput, TagPickerList,
  TagPickerOption, makeStyles, mergeClasses, tokens,
} from '@fluentui/react-components';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Destination, DestinationChoice } from '../../../shared/src/contracts';
import { unusableText, type Translate } from '../codes';
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
  // Greyed out (Fluent's Option greys a disabled option; TagPickerOption's styles do not), the reason readable.
  unusable: { color: tokens.colorNeutralForegroundDisabled, cursor: 'not-allowed' },
  unusableIcon: { color: tokens.colorNeutralForegroundDisabled },
  unusableReason: { display: 'block', color: tokens.colorNeutralForeground2, overflowWrap: 'anywhere' },
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

function KindIcon({ d, greyed }: { d: Pick<Destination, 'kind'>; greyed?: boolean }) {
  const s = useStyles();
  return <span className={mergeClasses(s.icon, greyed && s.unusableIcon)}>{d.kind === 'teams_channel' ? <TeamsIcon /> : <MailIcon />}</span>;
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

  const byId = useMemo(() => new Map<string, DestinationChoice>(destinations.map((d) => [d.id, d])), [destinations]);
  // Why each recipient the operator does not allow now cannot be chosen, in the reader's language.
  const unusable = useMemo(
    () => new Map(destinations.flatMap((d) => (d.unusable ? [[d.id, unusableText(d.unusable, t as unknown as Translate)] as const] : []))),
    [destinations, t],
  );
  // Chosen, but not (any longer) in the registry: archived or removed. Known only once it has loaded.
  const gone = loading || error != null ? [] : selected.filter((id) => !byId.has(id));
  const goneName = (id: string) => knownDestinationName(id) ?? t('picker.unknownName');
  const goneMessage = gone.length > 0
    ? t('picker.gone', { count: gone.length, names: gone.map(goneName).join(', ') })
    : null;
  const chosenUnusable = selected.filter((id) => unusable.has(id));
  const unusableMessage = chosenUnusable.length > 0
    ? t('picker.unusableChosen', { count: chosenUnusable.length, names: chosenUnusable.map((id) => byId.get(id)!.displayName).join(', '), reason: unusable.get(chosenUnusable[0]) })
    : null;
  // Usable ones first, each group in registry order.
  const options = useMemo(
    () => {
      const found = filterDestinations(destinations, query, (d) => t(`destinationKind.${d.kind}`)).filter((d) => !selected.includes(d.id));
      return [...found.filter((d) => !d.unusable), ...found.filter((d) => d.unusable)];
    },
    [destinations, query, selected, t],
  );
  const problem = validation ?? goneMessage ?? unusableMessage;

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
      validationMessage={problem ?? undefined}
      validationState={problem ? 'error' : 'none'}
      data-testid={testId}
      data-gone={gone.length > 0 ? gone.length : undefined}
      data-unusable={chosenUnusable.length > 0 ? chosenUnusable.length : undefined}
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
          // Never add one the operator does not allow (a disabled option reached by the keyboard); removing one is fine.
          if (unusable.has(data.value) && !selected.includes(data.value)) return;
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
              const why = unusable.get(id);
              const name = d?.displayName ?? (isGone ? goneName(id) : knownDestinationName(id) ?? id);
              return (
                <Tag
                  key={id}
                  value={id}
                  shape="rounded"
                  className={isGone || why ? s.gone : undefined}
                  media={d ? <KindIcon d={d} /> : undefined}
                  dismissIcon={{ 'aria-label': t('picker.remove', { name }) }}
                  data-testid="picked-destination"
                  data-gone={isGone || undefined}
                  data-unusable={why ? d?.unusable?.code : undefined}
                  title={isGone ? t('picker.goneHint') : why}
                >
                  {isGone ? <><span className={s.goneName}>{name}</span>{` ${t('picker.goneTag')}`}</>
                    : why ? <><span className={s.goneName}>{name}</span>{` ${t('picker.unusableTag')}`}</> : name}
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
              const why = unusable.get(d.id);
              return (
                <TagPickerOption
                  key={d.id}
                  value={d.id}
                  text={d.displayName}
                  media={<KindIcon d={d} greyed={why !== undefined} />}
                  className={why ? s.unusable : undefined}
                  // Option's own `disabled` (not selectable, aria-disabled, skipped by the keyboard); TagPickerOption's type leaves it out.
                  {...{ disabled: why !== undefined }}
                  title={why}
                  secondaryContent={(
                    <span className={mergeClasses(s.secondary, why && s.unusable)}>
                      {t(`destinationKind.${d.kind}`)}{where ? ` · ${where}` : ''}
                      {copy && <span className={s.hasCopy}>{` · ${t('picker.hasCopy')}`}</span>}
                      {why && <span className={s.unusableReason} data-testid="destination-unusable-reason">{t('picker.unusableOption', { reason: why })}</span>}
                    </span>
                  )}
                  data-testid="destination-option"
                  data-destination-id={d.id}
                  data-unusable={d.unusable?.code}
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
