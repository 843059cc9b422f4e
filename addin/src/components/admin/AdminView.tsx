// The admin section (its own lazily loaded chunk): a tab per page — rules, approved recipients,
// CVR numbers and mailboxes, settings (retention, service notices), role grants, the audit log. The
// page is in the URL hash.
import { Tab, TabList, makeStyles, tokens } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { ADMIN_PAGES, type AdminPage } from '../useHashRoute';
import { RulesPage } from './RulesPage';
import { RecipientsPage } from './RecipientsPage';
import { MailboxesPage } from './MailboxesPage';
import { SettingsPage } from './SettingsPage';
import { AuditPage } from './AuditPage';
import { RolesPage } from './RolesPage';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', flexGrow: 1, minHeight: 0 },
  tabs: {
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    padding: `0 ${tokens.spacingHorizontalXS}`,
  },
  // Six tabs do not fit a narrow pane on one line: they wrap, so every tab stays in sight.
  tabList: { flexWrap: 'wrap' },
  tab: { flexShrink: 0 },
});

export default function AdminView({ page, onPage }: { page: AdminPage; onPage: (page: AdminPage) => void }) {
  const s = useStyles();
  const { t } = useTranslation();
  return (
    <div className={s.root} data-testid={`admin-${page}`}>
      <nav className={s.tabs} aria-label={t('admin.tabs')}>
        <TabList className={s.tabList} size="small" appearance="subtle" selectedValue={page} onTabSelect={(_, d) => onPage(d.value as AdminPage)} data-testid="admin-tabs">
          {ADMIN_PAGES.map((p) => (
            <Tab key={p} value={p} className={s.tab} data-testid={`admin-tab-${p}`}>{t(`admin.tab.${p}`)}</Tab>
          ))}
        </TabList>
      </nav>
      {page === 'rules' && <RulesPage />}
      {page === 'recipients' && <RecipientsPage />}
      {page === 'mailboxes' && <MailboxesPage />}
      {page === 'settings' && <SettingsPage />}
      {page === 'roles' && <RolesPage />}
      {page === 'audit' && <AuditPage />}
    </div>
  );
}
