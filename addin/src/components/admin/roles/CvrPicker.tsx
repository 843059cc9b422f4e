// Choosing CVR numbers for a limit: a searchable multi-select over the organisation's own CVR numbers
// (Fluent TagPicker, like DestinationPicker). Only listed numbers can be chosen, never typed ones.
import {
  Caption1, Field, Tag, TagPicker, TagPickerControl, TagPickerGroup, TagPickerInput, TagPickerList, TagPickerOption,
  makeStyles,
} from '@fluentui/react-components';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OrgCvr } from '../../../api/client';
import { foldForSearch } from '../../../destinations';

const NO_OPTIONS = '__no-options__';

const useStyles = makeStyles({ list: { maxHeight: '260px' } });

export function CvrPicker({ label, hint, cvrs, selected, onChange, disabled }: {
  label: string; hint: string; cvrs: OrgCvr[]; selected: string[]; onChange: (cvrs: string[]) => void; disabled?: boolean;
}) {
  const s = useStyles();
  const { t } = useTranslation();
  const [query, setQuery] = useState('');
  // Controlled, so a click shows every CVR number (TagPicker opens on typing only).
  const [open, setOpen] = useState(false);
  const byCvr = useMemo(() => new Map(cvrs.map((c) => [c.cvr, c])), [cvrs]);
  const options = useMemo(() => {
    const q = foldForSearch(query);
    return cvrs.filter((c) => !selected.includes(c.cvr) && (!q || c.cvr.includes(q) || foldForSearch(c.name).includes(q)));
  }, [cvrs, query, selected]);

  return (
    <Field label={label} hint={hint} data-testid="cvr-picker">
      <TagPicker
        open={open}
        onOpenChange={(_, d) => setOpen(d.open)}
        selectedOptions={selected}
        disabled={disabled}
        onOptionSelect={(_, d) => {
          if (d.value === NO_OPTIONS) return;
          onChange(d.selectedOptions.filter((c) => c !== NO_OPTIONS));
          setQuery('');
        }}
      >
        <TagPickerControl>
          <TagPickerGroup aria-label={t('admin.roles.chosenCvrs')}>
            {selected.map((cvr) => {
              const name = byCvr.get(cvr)?.name ?? `CVR ${cvr}`;
              return (
                <Tag key={cvr} value={cvr} shape="rounded" dismissIcon={{ 'aria-label': t('picker.remove', { name }) }} data-testid="picked-cvr">
                  {name}
                </Tag>
              );
            })}
          </TagPickerGroup>
          <TagPickerInput
            aria-label={label}
            placeholder={selected.length === 0 ? t('admin.roles.allCvrs') : undefined}
            value={query}
            onChange={(e) => { setQuery(e.target.value); setOpen(true); }}
            onClick={() => setOpen(true)}
            data-testid="cvr-search"
          />
        </TagPickerControl>
        <TagPickerList className={s.list}>
          {options.length > 0
            ? options.map((c) => (
              <TagPickerOption key={c.cvr} value={c.cvr} text={c.name} secondaryContent={`CVR ${c.cvr}`} data-testid="cvr-option" data-cvr={c.cvr}>
                {c.name}
              </TagPickerOption>
            ))
            : (
              <TagPickerOption value={NO_OPTIONS} text="">
                <Caption1>{t('admin.roles.noCvrMatches')}</Caption1>
              </TagPickerOption>
            )}
        </TagPickerList>
      </TagPicker>
    </Field>
  );
}
