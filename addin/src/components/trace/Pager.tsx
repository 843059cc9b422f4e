// Previous/next with "x–y of N". A capped total (the server stopped counting) reads "of more than N"
// and keeps "next" open while a full page came back.
import { Button, Caption1, makeStyles, tokens } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { MESSAGE_OFFSET_MAX } from '../../../../shared/src/contracts';
import { useLocale } from '../useLocale';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
  },
  range: { color: tokens.colorNeutralForeground2, textAlign: 'center', flexGrow: 1 },
});

export function Pager({ offset, shown, total, capped, pageSize, disabled, onPage }: {
  offset: number;
  shown: number;
  total: number;
  capped: boolean;
  pageSize: number;
  disabled: boolean;
  onPage: (offset: number) => void;
}) {
  const s = useStyles();
  const { t } = useTranslation();
  const locale = useLocale();
  const n = (v: number) => v.toLocaleString(locale);
  const first = shown === 0 ? 0 : offset + 1;
  const last = offset + shown;
  // The count stops at a cap; pages go on while they are full, up to MESSAGE_OFFSET_MAX: beyond it,
  // narrowing the search is the way.
  const hasNext = capped ? shown === pageSize && offset + pageSize <= MESSAGE_OFFSET_MAX : last < total;
  return (
    <nav className={s.root} aria-label={t('trace.paging')} data-testid="pager">
      <Button size="small" onClick={() => onPage(Math.max(0, offset - pageSize))} disabled={disabled || offset === 0} data-testid="page-prev">
        {t('trace.previous')}
      </Button>
      <Caption1 className={s.range} aria-live="polite" data-testid="page-range">
        {t(capped ? 'trace.rangeCapped' : 'trace.range', { first: n(first), last: n(last), total: n(total) })}
      </Caption1>
      <Button size="small" onClick={() => onPage(offset + pageSize)} disabled={disabled || !hasNext} data-testid="page-next">
        {t('trace.next')}
      </Button>
    </nav>
  );
}
