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
    boxSizing: 'border-box',
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    border: 'none',
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    background: tokens.colorNeutralBackground1,
    color: tokens.colorNeutralForeground1,
    textAlign: 'left',
    cursor: 'pointer',
    fontFamily: 'inherit',
    ':hover': { backgroundColor: tokens.colorNeutralBackground1Hover },
    ':active': { backgroundColor: tokens.colorNeutralBackground1Pressed },
    ':focus-visible': { outline: `${tokens.strokeWidthThick} solid ${tokens.colorStrokeFocus2}`, outlineOffset: '-2px' },
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

export function MessageRow({ message, showCvr, onOpen }: { message: MessageSummary; showCvr: boolean; onOpen: (id: string) => void }) {
  const s = useStyles();
  const { t } = useTranslation();
  const locale = useLocale();
  const overdue = message.replyBy !== null && isPast(message.replyBy);
  const listDate = formatListDate(message.receivedAt, locale);

  return (
    <li>
      <button
        type="button"
        className={s.row}
        onClick={() => onOpen(message.id)}
        aria-label={t('list.openMessage', { label: message.label })}
        data-testid="message-row"
        data-message-id={message.id}
        data-status={message.status}
      >
        <div className={s.top}>
          <Text weight="semibold" className={s.sender} data-testid="message-sender">{message.senderName}</Text>
          <Caption1 className={s.date} title={formatDateTime(message.receivedAt, locale)}>
            <time dateTime={message.receivedAt}>{listDate.kind === 'time' ? t('list.todayAt', { time: listDate.text }) : listDate.text}</time>
          </Caption1>
        </div>
        <Text size={300} className={s.label} data-testid="message-label">{message.label}</Text>
        <Caption1 as="span" className={s.meta}>
          <MessageStatusBadge status={message.status} />
          {message.documentCount > 0 && (
            <span className={s.metaItem}><AttachIcon />{t('list.documents', { count: message.documentCount })}</span>
          )}
          {message.replyAllowed && message.replyBy && (
            <span className={mergeClasses(s.metaItem, overdue && s.overdue)} data-testid="reply-by">
              <ClockIcon />
              {t(overdue ? 'list.replyOverdue' : 'list.replyBy', { date: formatDate(message.replyBy, locale) })}
            </span>
          )}
          {showCvr && <span className={s.cvr} title={message.cvr}>{message.cvrName}</span>}
        </Caption1>
      </button>
    </li>
  );
}
