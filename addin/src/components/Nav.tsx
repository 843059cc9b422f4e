// The pane's sections as tabs: This letter (inside Outlook), Letters, Triage. Fluent's TabList gives
// arrow-key navigation between tabs; each tab is a real button, so Enter/Space activate it.
// The tabs wrap rather than scroll: five Danish labels need ~420 px, Outlook's pane is often 350, and
// a scrolled-away tab is neither seen nor reliably scrolled to by the arrow keys.
import { CounterBadge, Tab, TabList, makeStyles, tokens } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import type { Section } from './useHashRoute';

const useStyles = makeStyles({
  root: {
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    padding: `0 ${tokens.spacingHorizontalXS}`,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  list: { flexWrap: 'wrap' },
  tab: { flexShrink: 0 },
  badge: { marginLeft: tokens.spacingHorizontalXS },
});

export function Nav({ section, showThis, showAdmin, triageTotal, onSelect }: {
  section: Section;
  showThis: boolean;
  /** Admins and operators see the admin section (the API checks each action too). */
  showAdmin: boolean;
  triageTotal: number | null;
  onSelect: (section: Section) => void;
}) {
  const s = useStyles();
  const { t } = useTranslation();
  return (
    <nav className={s.root} aria-label={t('nav.label')}>
      <TabList
        className={s.list}
        size="small"
        selectedValue={section}
        onTabSelect={(_, data) => onSelect(data.value as Section)}
        data-testid="nav"
      >
        {showThis && <Tab className={s.tab} value="this" data-testid="nav-this">{t('nav.thisLetter')}</Tab>}
        <Tab className={s.tab} value="letters" data-testid="nav-letters">{t('nav.letters')}</Tab>
        <Tab className={s.tab} value="triage" data-testid="nav-triage">
          {t('nav.triage')}
          {triageTotal != null && triageTotal > 0 && (
            <CounterBadge
              className={s.badge}
              count={triageTotal}
              overflowCount={99}
              size="small"
              color="informative"
              appearance="filled"
              aria-label={t('nav.triageWaiting', { count: triageTotal })}
              data-testid="triage-count"
            />
          )}
        </Tab>
        <Tab className={s.tab} value="stats" data-testid="nav-stats">{t('nav.stats')}</Tab>
        {showAdmin && <Tab className={s.tab} value="admin" data-testid="nav-admin">{t('nav.admin')}</Tab>}
      </TabList>
    </nav>
  );
}
