import { Badge, Button, Caption1, Select, Spinner, Subtitle2, makeStyles, tokens } from '@fluentui/react-components';
import { DEMO_ROLES, setDemoRole, type DemoRole } from '../auth/demo-role';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../../shared/src/contracts';
import { LANGUAGES, changeLanguage, type Language } from '../i18n';
import { limitedRolesLine } from '../roles';
import { MailIcon } from './icons';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    alignItems: 'center',
    // In a narrow pane the controls move to a line of their own rather than squeeze the names.
    flexWrap: 'wrap',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground1,
    minHeight: '48px',
    boxSizing: 'border-box',
  },
  logo: {
    flexShrink: 0,
    width: '32px',
    height: '32px',
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    fontSize: '20px',
  },
  who: { flexGrow: 1, flexShrink: 1, flexBasis: 'auto', minWidth: 0, maxWidth: 'calc(100% - 44px)', display: 'flex', flexDirection: 'column' },
  orgLine: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, minWidth: 0 },
  org: { minWidth: 0, overflowWrap: 'anywhere' },
  ellipsis: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', minWidth: 0 },
  controls: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, marginLeft: 'auto', flexShrink: 0 },
  user: { color: tokens.colorNeutralForeground3 },
  demo: { flexShrink: 0 },
  language: { flexShrink: 0, minWidth: 'auto' },
  loading: { justifyContent: 'flex-start' },
  role: { flexShrink: 0, minWidth: 'auto' },
});

/** Who is signed in, for which organisation (and whether it is the demo), plus the language switch. */
export function Header({ me, meFailed }: { me: Me | null; meFailed: boolean }) {
  const s = useStyles();
  const { t, i18n } = useTranslation();
  const current = i18n.resolvedLanguage ?? i18n.language;
  // Two languages: the switch is one button naming the other one, as Danish sites do ("English").
  const other: Language = LANGUAGES.find((l) => l !== current) ?? LANGUAGES[0];
  // Roles held only with limits (role grants), so a person missing letters knows why.
  const limited = limitedRolesLine(me, (key, options) => String(t(key as never, options as never)));

  return (
    <header className={s.root} data-testid="header">
      <div className={s.logo}><MailIcon /></div>
      <div className={s.who}>
        {me ? (
          <>
            <div className={s.orgLine}>
              <Subtitle2 className={s.org} data-testid="header-org" title={me.orgName}>{me.orgName}</Subtitle2>
              {me.demo && (
                <Badge
                  className={s.demo}
                  color="warning"
                  appearance="filled"
                  shape="rounded"
                  size="small"
                  title={t('header.demoHint')}
                  data-testid="demo-badge"
                >
                  {t('header.demo')}
                </Badge>
              )}
            </div>
            <Caption1 className={`${s.ellipsis} ${s.user}`} data-testid="header-user" title={me.displayName}>{me.displayName}</Caption1>
            {limited && (
              <Caption1 className={`${s.ellipsis} ${s.user}`} data-testid="header-limits" title={`${limited}. ${t('limits.hint')}`}>{limited}</Caption1>
            )}
          </>
        ) : meFailed ? (
          <Subtitle2 data-testid="header-org">{t('app.name')}</Subtitle2>
        ) : (
          <Spinner size="extra-tiny" labelPosition="after" label={t('header.loadingUser')} className={s.loading} />
        )}
      </div>
      <div className={s.controls}>
        {me?.demo && (
          // The demo's role switcher: see the pane as an operator or a reader. The choice is sent as
          // X-Brevdue-Demo-Role (honoured in demo mode only); a reload refetches everything as that role.
          <Select
            className={s.role}
            size="small"
            appearance="underline"
            aria-label={t('header.demoRole')}
            title={t('header.demoRole')}
            value={me.roles[0]}
            data-testid="demo-role"
            onChange={(_, data) => { setDemoRole(data.value as DemoRole); window.location.reload(); }}
          >
            {DEMO_ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}
          </Select>
        )}
        <Button
          className={s.language}
          appearance="subtle"
          size="small"
          lang={other}
          aria-label={t('header.switchLanguage', { language: t(`language.${other}`) })}
          title={t('header.language')}
          data-testid="language-switch"
          data-language={current}
          onClick={() => void changeLanguage(other)}
        >
          {t(`language.${other}`)}
        </Button>
      </div>
    </header>
  );
}
