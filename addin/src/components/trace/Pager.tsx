// Previous/next with "x–y of N". A capped total (the server stopped counting) reads "of more than N"
// and keeps "next" open while a full page came back.
import { Button, Caption1, makeStyles, tokens } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { pagerState } from './pager-state';
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
  const { first, last, hasPrevious, hasNext } = pagerState({ offset, shown, total, capped, pageSize });
  return (
    <nav className={s.root} aria-label={t('trace.paging')} data-testid="pager">
      <Button size="small" onClick={() => onPage(Math.max(0, offset - pageSize))} disabled={disabled || !hasPrevious} data-testid="page-prev">
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
