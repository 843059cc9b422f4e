import { Caption1, Text, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import type { MessageSummary } from '../../../shared/src/contracts';
import { formatDate, formatDateTime, formatListDate, isPast } from '../format';
import { AttachIcon, ClockIcon } from './icons';
import { MessageStatusBadge } from './StatusBadge';
import { useLocale } from './useLocale';

const useStyles = makeStyles({
  row: {
    display: 'flex',
    flexDirection: 'column',
    gap: '2px',
    width: '100%',
    minWidth: 0,
    padding: `${tokens.spacingVerticalXS} 0`,
  },
  top: { display: 'flex', alignItems: 'baseline', gap: tokens.spacingHorizontalS },
  sender: { flexGrow: 1, minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  date: { flexShrink: 0, color: tokens.colorNeutralForeground3 },
  label: {
    display: '-webkit-box',
    WebkitLineClamp: 2,
    WebkitBoxOrient: 'vertical',
    overflow: 'hidden',
    color: tokens.colorNeutralForeground2,
  },
  meta: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalM,
    rowGap: '2px',
    marginTop: '4px',
    color: tokens.colorNeutralForeground3,
  },
  metaItem: { display: 'inline-flex', alignItems: 'center', gap: '4px', whiteSpace: 'nowrap' },
  overdue: { color: tokens.colorPaletteRedForeground1 },
  cvr: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', minWidth: 0, maxWidth: '100%' },
});

/**
 * A letter in one grid cell: sender and date, subject, then status, documents, reply deadline and CVR.
 * The narrow pane's only column (the wide grid gives each its own), so nothing is lost at 320 px.
 */
export function MessageRow({ message, showCvr }: { message: MessageSummary; showCvr: boolean }) {
  const s = useStyles();
  const { t } = useTranslation();
  const locale = useLocale();
  const listDate = formatListDate(message.receivedAt, locale);

  return (
    <div className={s.row}>
      <div className={s.top}>
        <Text weight="semibold" className={s.sender} data-testid="message-sender">{message.senderName}</Text>
        <Caption1 className={s.date} title={formatDateTime(message.receivedAt, locale)}>
          <time dateTime={message.receivedAt}>{listDate.kind === 'time' ? t('list.todayAt', { time: listDate.text }) : listDate.text}</time>
        </Caption1>
      </div>
      <Text size={300} className={s.label} data-testid="message-label">{message.label}</Text>
      <Caption1 as="span" className={s.meta}>
        <MessageStatusBadge status={message.status} />
        <LetterMeta message={message} />
        {showCvr && <span className={s.cvr} title={message.cvr}>{message.cvrName}</span>}
      </Caption1>
    </div>
  );
}

/** Document count and reply deadline (red once passed); nothing when neither applies. */
export function LetterMeta({ message }: { message: MessageSummary }) {
  const s = useStyles();
  const { t } = useTranslation();
  const locale = useLocale();
  const overdue = message.replyBy !== null && isPast(message.replyBy);
  return (
    <>
      {message.documentCount > 0 && (
        <span className={s.metaItem}><AttachIcon />{t('list.documents', { count: message.documentCount })}</span>
      )}
      {message.replyAllowed && message.replyBy && (
        <span className={mergeClasses(s.metaItem, overdue && s.overdue)} data-testid="reply-by">
          <ClockIcon />
          {t(overdue ? 'list.replyOverdue' : 'list.replyBy', { date: formatDate(message.replyBy, locale) })}
        </span>
      )}
    </>
  );
}
