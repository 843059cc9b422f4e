// A mailbox's last error for people: what kind of trouble it is and what to do about it, in the
// pane's language, above the provider's own sentence (English, the technical detail, smaller). An
// error recorded before kinds existed has no kind: the callers show its sentence alone, as before. A
// caller who does not see the mailbox's quarantine gets no sentence (health's detailHidden): the headline alone.
import { Body1, Body1Strong, Caption1, Caption1Strong, Caption2, makeStyles, tokens } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import type { MailboxErrorKind } from '../../../../../shared/src/contracts';

/** Kinds the saved credentials and settings are not to blame for: nothing there to correct, it is tried again. */
const NOT_THE_SETUP: ReadonlySet<MailboxErrorKind> = new Set<MailboxErrorKind>(['provider_unavailable', 'provider_answer_unreadable', 'letter_failed', 'letter_given_up', 'database']);

export const notTheSetup = (kind: MailboxErrorKind | null | undefined): boolean => kind != null && NOT_THE_SETUP.has(kind);

const useStyles = makeStyles({
  block: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, overflowWrap: 'anywhere' },
  act: { color: tokens.colorPaletteRedForeground1 },
  wait: { color: tokens.colorNeutralForeground1 },
  detail: { color: tokens.colorNeutralForeground3 },
});

/**
 * The kind's headline (after "Last error <date>:" when `date` is given), what to do (unless `withAction`
 * is false: the jobs view), and the detail. `error` null: the detail is not the reader's, and neither is
 * what to do (it is for those who see the quarantine it may point to): the headline alone.
 * `size`: a mailbox's row (captions) or a message bar (body text, the detail a caption).
 */
export function MailboxErrorExplained({ kind, error, provider, date, size, testId, withAction = true }: {
  kind: MailboxErrorKind; error: string | null; provider: string; date?: string; size: 'row' | 'bar'; testId: string; withAction?: boolean;
}) {
  const s = useStyles();
  const { t } = useTranslation();
  const headline = t(`admin.mailboxes.errorKind.${kind}.headline`, { provider });
  const Strong = size === 'row' ? Caption1Strong : Body1Strong;
  const Plain = size === 'row' ? Caption1 : Body1;
  const Small = size === 'row' ? Caption2 : Caption1;
  return (
    <div className={s.block} data-testid={testId} data-kind={kind}>
      <Strong className={notTheSetup(kind) ? s.wait : s.act} data-testid={`${testId}-headline`}>
        {date !== undefined ? t('admin.mailboxes.lastErrorKind', { date, headline }) : headline}
      </Strong>
      {withAction && error !== null && <Plain data-testid={`${testId}-action`}>{t(`admin.mailboxes.errorKind.${kind}.action`, { provider })}</Plain>}
      {error !== null && <Small className={s.detail} data-testid={`${testId}-detail`}>{t('admin.mailboxes.errorKind.detail', { error })}</Small>}
    </div>
  );
}
