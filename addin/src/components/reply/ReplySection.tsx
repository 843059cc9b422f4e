// "Reply to Digital Post" in the letter detail: shown for letters whose sender accepts replies, to
// people with the admin or operator role. The button opens the compose dialog; below it, the
// letter's earlier replies with their status (a failed one can be sent again, same message id).
import {
  Badge, Button, Caption1, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, Spinner, Subtitle2, Text,
  makeStyles, tokens,
} from '@fluentui/react-components';
import { useEffect, useState, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import type { MessageDetail, ReplyInfo } from '../../../../shared/src/contracts';
import { isAbortError } from '../../api/client';
import { replyFailureText, type Translate } from '../../codes';
import { useApi } from '../../api/context';
import { useActionPermission } from '../../api/session';
import { formatDateTime, isPast } from '../../format';
import { ActionButton } from '../ActionButton';
import { SendIcon } from '../icons';
import { describeActionError } from '../LetterActions';
import { useLocale } from '../useLocale';
import { useReturnFocus } from '../useReturnFocus';
import { replyBlocked } from './checks';
import { hasDraft } from './drafts';
import { ReplyDialog } from './ReplyDialog';

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  title: { margin: 0 },
  muted: { color: tokens.colorNeutralForeground3 },
  overdue: { color: tokens.colorPaletteRedForeground1 },
  list: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  item: {
    display: 'flex', flexDirection: 'column', gap: '2px', padding: tokens.spacingVerticalS,
    border: `1px solid ${tokens.colorNeutralStroke2}`, borderRadius: tokens.borderRadiusMedium,
  },
  top: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  name: { overflowWrap: 'anywhere', minWidth: 0 },
  failure: { color: tokens.colorPaletteRedForeground1, overflowWrap: 'anywhere' },
  detail: { color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
});

const STATUS_COLOR = { sending: 'informative', sent: 'success', failed: 'danger' } as const;

export function ReplySection({ message, onChanged, focusFallback }: {
  message: MessageDetail;
  onChanged: () => void;
  /** Where the focus goes when the dialog closes and its button is gone or disabled. */
  focusFallback?: RefObject<HTMLElement | null>;
}) {
  const s = useStyles();
  const { t } = useTranslation();
  const api = useApi();
  const locale = useLocale();
  const permission = useActionPermission();
  const [open, setOpen] = useState(false);
  const [outcome, setOutcome] = useState<{ intent: 'success' | 'error'; title: string; text: string } | null>(null);
  const [replies, setReplies] = useState<ReplyInfo[] | null>(null);
  const [retrying, setRetrying] = useState<string | null>(null);
  const timelineLength = message.timeline.length;
  const returnFocus = useReturnFocus(focusFallback);
  const close = () => { setOpen(false); returnFocus.restore(); };

  // Reload with every refresh of the detail (a new reply adds a timeline event).
  useEffect(() => {
    if (!message.replyAllowed || permission !== 'allowed') return;
    const controller = new AbortController();
    api.listReplies(message.id, controller.signal).then(setReplies, (e) => { if (!isAbortError(e)) setReplies([]); });
    return () => controller.abort();
  }, [api, message.id, message.replyAllowed, permission, timelineLength]);

  if (!message.replyAllowed || permission === 'denied') return null;
  const blocked = replyBlocked(message);
  const reason = blocked ? t(`reply.${blocked}`, { provider: t(`provider.${message.provider}`) }) : null;

  async function retry(r: ReplyInfo) {
    setRetrying(r.id);
    setOutcome(null);
    try {
      const done = await api.retryReply(message.id, r.id);
      setOutcome(done.status === 'sent'
        ? { intent: 'success', title: t('reply.sent'), text: t('reply.sentText', { id: done.transmissionId }) }
        : { intent: 'error', title: t('reply.failed'), text: replyFailureText(done, t as unknown as Translate).text });
    } catch (e) {
      setOutcome({ intent: 'error', title: t('reply.failed'), text: describeActionError(e, t) });
    } finally {
      setRetrying(null);
      onChanged();
    }
  }

  function failureLines(reply: ReplyInfo) {
    const f = replyFailureText(reply, t as unknown as Translate);
    return (
      <>
        <Caption1 className={s.failure} data-testid="reply-error">{f.text}</Caption1>
        {f.detail && <Caption1 className={s.detail} data-testid="reply-error-detail">{t('reply.technicalDetail', { detail: f.detail })}</Caption1>}
      </>
    );
  }

  return (
    <section className={s.section} aria-labelledby="detail-replies" data-testid="replies">
      <Subtitle2 as="h3" id="detail-replies" className={s.title}>{t('reply.history')}</Subtitle2>
      {message.replyBy && (
        <Caption1 className={isPast(message.replyBy) ? s.overdue : s.muted} data-testid="reply-deadline-inline">
          {t('reply.deadline', { date: formatDateTime(message.replyBy, locale) })}
        </Caption1>
      )}
      <div>
        <ActionButton
          icon={<SendIcon />}
          onClick={(e) => { setOutcome(null); returnFocus.remember(e.currentTarget); setOpen(true); }}
          unavailableReason={reason}
          data-testid="action-reply"
        >
          {t('reply.action')}
        </ActionButton>
      </div>
      {!open && !blocked && hasDraft(message.id) && <Caption1 className={s.muted} data-testid="reply-draft-note">{t('reply.draftKept')}</Caption1>}

      {outcome && (
        <MessageBar intent={outcome.intent} layout="multiline" role={outcome.intent === 'error' ? 'alert' : 'status'} data-testid="reply-result" data-intent={outcome.intent}>
          <MessageBarBody>
            <MessageBarTitle>{outcome.title}</MessageBarTitle>
            <span data-testid="reply-result-text">{outcome.text}</span>
          </MessageBarBody>
          <MessageBarActions
            containerAction={<Button appearance="transparent" size="small" aria-label={t('actions.dismiss')} onClick={() => setOutcome(null)}>×</Button>}
          />
        </MessageBar>
      )}

      {replies && replies.length > 0 && (
        <ul className={s.list}>
          {replies.map((r) => (
            <li key={r.id} className={s.item} data-testid="reply-item" data-status={r.status} data-reply-id={r.id}>
              <div className={s.top}>
                <Text weight="semibold" size={300} className={s.name}>{r.label}</Text>
                <Badge appearance="tint" color={STATUS_COLOR[r.status]} data-testid="reply-status">{t(`reply.status_${r.status}`)}</Badge>
              </div>
              <Caption1 className={s.muted}>
                {t('reply.by', { name: r.requestedBy, date: formatDateTime(r.sentAt ?? r.createdAt, locale) })}
                {r.attachments.length > 0 && ` · ${t('reply.attachments', { count: r.attachments.length })}`}
              </Caption1>
              {r.transmissionId && <Caption1 className={s.muted} data-testid="reply-transmission">{t('reply.sentText', { id: r.transmissionId })}</Caption1>}
              {r.status === 'failed' && (r.error || r.failure) && failureLines(r)}
              {r.status === 'failed' && !blocked && (
                <div>
                  <Button size="small" onClick={() => retry(r)} disabled={retrying !== null}
                    icon={retrying === r.id ? <Spinner size="tiny" /> : undefined} data-testid="reply-retry">
                    {retrying === r.id ? t('reply.retrying') : t('reply.retry')}
                  </Button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}

      {open && (
        <ReplyDialog
          message={message}
          onClose={close}
          onSent={(r) => {
            close();
            setOutcome({ intent: 'success', title: t('reply.sent'), text: t('reply.sentText', { id: r.transmissionId }) });
            onChanged();
          }}
          onMaybeChanged={onChanged}
        />
      )}
    </section>
  );
}
