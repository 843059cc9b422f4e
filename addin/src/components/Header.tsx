import {
  Badge, Caption1, Select, Skeleton, SkeletonItem, Subtitle2, Tooltip, makeStyles, tokens,
} from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../../shared/src/contracts';
import { LANGUAGES, changeLanguage, isLanguage } from '../i18n';
import { MailIcon } from './icons';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalM,
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
  who: { flexGrow: 1, minWidth: 0, display: 'flex', flexDirection: 'column' },
  orgLine: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, minWidth: 0 },
  ellipsis: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', minWidth: 0 },
  user: { color: tokens.colorNeutralForeground3 },
  demo: { flexShrink: 0 },
  language: { flexShrink: 0, width: '96px' },
  skeleton: { display: 'flex', flexDirection: 'column', gap: '6px', width: '160px' },
});

export function Header({ me }: { me: Me | null }) {
  const s = useStyles();
  const { t, i18n } = useTranslation();
  const current = i18n.resolvedLanguage ?? i18n.language;

  return (
    <header className={s.root} data-testid="header">
      <div className={s.logo}><MailIcon /></div>
      <div className={s.who}>
        {me ? (
          <>
            <div className={s.orgLine}>
              <Subtitle2 className={s.ellipsis} data-testid="header-org" title={me.orgName}>{me.orgName}</Subtitle2>
              {me.demo && (
                <Tooltip content={t('header.demoHint')} relationship="description">
                  <Badge className={s.demo} color="warning" appearance="filled" shape="rounded" size="small" data-testid="demo-badge">
                    {t('header.demo')}
                  </Badge>
                </Tooltip>
              )}
            </div>
            <Caption1 className={`${s.ellipsis} ${s.user}`} data-testid="header-user" title={me.displayName}>{me.displayName}</Caption1>
          </>
        ) : (
          <Skeleton className={s.skeleton} aria-label={t('header.loadingUser')}>
            <SkeletonItem size={16} />
            <SkeletonItem size={12} />
          </Skeleton>
        )}
      </div>
      <Select
        className={s.language}
        size="small"
        appearance="underline"
        aria-label={t('header.language')}
        value={current}
        data-testid="language-switch"
        onChange={(_, data) => { if (isLanguage(data.value)) void changeLanguage(data.value); }}
      >
        {LANGUAGES.map((lng) => (
          <option key={lng} value={lng}>{t(`language.${lng}`)}</option>
        ))}
      </Select>
    </header>
  );
}
