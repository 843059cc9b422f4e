import { Body1Strong, Caption1, makeStyles, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    textAlign: 'center',
    gap: tokens.spacingVerticalS,
    padding: `${tokens.spacingVerticalXXL} ${tokens.spacingHorizontalL}`,
    color: tokens.colorNeutralForeground3,
  },
  icon: { fontSize: '40px', color: tokens.colorBrandForeground2 },
  title: { color: tokens.colorNeutralForeground1 },
});

export function EmptyState({ icon, title, hint }: { icon: ReactNode; title: string; hint?: string }) {
  const s = useStyles();
  return (
    <div className={s.root} data-testid="empty-state">
      <div className={s.icon}>{icon}</div>
      <Body1Strong className={s.title}>{title}</Body1Strong>
      {hint && <Caption1>{hint}</Caption1>}
    </div>
  );
}
