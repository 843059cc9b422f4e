// Compose a reply: the deadline, the text (with a counter), attachments checked before upload, and
// sending with upload progress. Digital Post refusing the reply keeps the dialog open with its
// reason and a "Try again" that sends the very same reply (same message id). The memoUuid is chosen
// once per draft, so sending again after a lost answer cannot create a second reply.
//
// The text and files are the letter's draft (drafts.ts): closing with something written asks first
// (keep writing, close and keep the draft, or discard), and reopening brings the draft back. Once the
// server has the reply (sent, or failed and listed with its own "Try again"), the draft is gone.
import {
  Button, Caption1, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field,
  MessageBar, MessageBarBody, MessageBarTitle, ProgressBar, Spinner, Text, Textarea, makeStyles, tokens,
} from '@fluentui/react-components';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { REPLY_LIMITS, type MessageDetail, type ReplyInfo } from '../../../../shared/src/contracts';
import { ApiError } from '../../api/client';
import { useApi } from '../../api/context';
import { formatBytes, formatDateTime } from '../../format';
import { AttachIcon, ClockIcon, SendIcon } from '../icons';
import { replyFailureText, type Translate } from '../../codes';
import { describeActionError } from '../LetterActions';
import { useLocale } from '../useLocale';
import { REPLY_ACCEPT, fileProblem, textLength, type FileProblem } from './checks';
import { draftFor, draftHasContent, dropDraft, saveDraft } from './drafts';

const useStyles = makeStyles({
  surface: { maxWidth: 'min(560px, calc(100vw - 24px))' },
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  deadline: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
  muted: { color: tokens.colorNeutralForeground3 },
  files: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  file: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
  fileName: { flex: 1, minWidth: 0, overflowWrap: 'anywhere' },
  hidden: { display: 'none' },
  // The hint is its own line under the button, not text flowing beside it (a 350 px pane wraps it badly).
  attach: { display: 'flex', flexDirection: 'column', alignItems: 'flex-start', gap: tokens.spacingVerticalXS },
  hint: { display: 'block', margin: 0 },
  errorBody: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  detail: { display: 'block', color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
});

export interface ReplyDialogProps {
  message: MessageDetail;
  onClose: () => void;
  onSent: (reply: ReplyInfo) => void;
  /** The answer got lost: the reply may exist; refresh the detail. */
  onMaybeChanged: () => void;
}

export function ReplyDialog({ message, onClose, onSent, onMaybeChanged }: ReplyDialogProps) {
  const s = useStyles();
  const { t } = useTranslation();
  const api = useApi();
  const locale = useLocale();
  const [draft] = useState(() => draftFor(message.id));
  const memoUuid = draft.memoUuid;
  const input = useRef<HTMLInputElement>(null);
  const textArea = useRef<HTMLTextAreaElement>(null);
  const [text, setText] = useState(draft.text);
  const [files, setFiles] = useState<File[]>(draft.files);
  const [confirming, setConfirming] = useState(false);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [failed, setFailed] = useState<ReplyInfo | null>(null);

  // Every change is the draft at once: the pane may show another letter without closing the dialog.
  useEffect(() => {
    if (!failed) saveDraft(message.id, { text, files, memoUuid });
  }, [message.id, text, files, memoUuid, failed]);

  // Limits are binary megabytes (as the server counts them), so "10 MB" here is the server's 10 MB.
  const mb = (n: number) => `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(n / (1024 * 1024))} MB`;
  const count = (n: number) => new Intl.NumberFormat(locale).format(n);
  const length = textLength(text);
  const textProblem = text.trim() === ''
    ? t('reply.textEmpty')
    : length > REPLY_LIMITS.textMaxChars ? t('reply.textTooLong', { count: count(length), max: count(REPLY_LIMITS.textMaxChars) }) : null;
  const problem = fileProblem(files);
  const describeProblem = (p: FileProblem) => {
    switch (p.kind) {
      case 'type': return t('reply.fileType', { name: p.name });
      case 'tooLarge': return t('reply.fileTooLarge', { name: p.name, size: mb(p.size), max: mb(REPLY_LIMITS.fileMaxBytes) });
      case 'tooMany': return t('reply.tooManyFiles', { max: REPLY_LIMITS.maxFiles });
      case 'totalTooLarge': return t('reply.totalTooLarge', { size: mb(p.size), max: mb(REPLY_LIMITS.totalMaxBytes) });
    }
  };

  function addFiles(list: FileList | null) {
    if (!list) return;
    const known = new Set(files.map((f) => `${f.name}:${f.size}`));
    setFiles([...files, ...[...list].filter((f) => !known.has(`${f.name}:${f.size}`))]);
    setError(null);
    if (input.current) input.current.value = '';
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setTried(true);
    if (textProblem || problem) return;
    setBusy(true);
    setError(null);
    setProgress(0);
    try {
      const reply = failed
        ? await api.retryReply(message.id, failed.id)
        : await api.sendReply(message.id, formOf(text, memoUuid, files), setProgress);
      if (reply.status === 'sent') { dropDraft(message.id); onSent(reply); return; }
      // Stored but not taken by Digital Post: keep the dialog, say why, offer the same reply again.
      // The server keeps it (listed, with "Try again"), so it is no longer a draft here.
      dropDraft(message.id);
      setFailed(reply);
      onMaybeChanged();
    } catch (err) {
      setError(err);
      if (err instanceof ApiError && err.kind === 'network') onMaybeChanged();
    }
    setBusy(false);
    setProgress(null);
  }

  /** Escape, "Cancel", a click outside: asks first when something written would be lost. */
  function requestClose() {
    if (busy) return;
    if (confirming) { keepWriting(); return; } // Escape on the question: back to the reply
    if (!failed && draftHasContent({ text, files })) { setConfirming(true); return; }
    if (!failed) dropDraft(message.id);
    onClose();
  }
  function keepWriting() {
    setConfirming(false);
    // After the question's buttons are gone: back where the person was writing.
    setTimeout(() => textArea.current?.focus(), 0);
  }
  function discard() {
    dropDraft(message.id);
    onClose();
  }

  const sender = message.senderName;
  const uploading = busy && progress !== null && progress < 1 && files.length > 0;
  const failure = failed ? replyFailureText(failed, t as unknown as Translate) : null;
  return (
    <Dialog open modalType="modal" onOpenChange={(_, d) => { if (!d.open) requestClose(); }}>
      <DialogSurface className={s.surface} data-testid="reply-dialog">
        {confirming ? (
          <DialogBody data-testid="reply-discard-confirm">
            <DialogTitle>{t('reply.discardTitle')}</DialogTitle>
            <DialogContent className={s.content}>
              <Text role="alert">{t('reply.discardText')}</Text>
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" onClick={keepWriting} autoFocus data-testid="reply-keep-editing">{t('reply.keepEditing')}</Button>
              <Button onClick={onClose} data-testid="reply-keep-draft">{t('reply.keepDraft')}</Button>
              <Button onClick={discard} data-testid="reply-discard">{t('reply.discard')}</Button>
            </DialogActions>
          </DialogBody>
        ) : (
          <form onSubmit={submit} noValidate>
            <DialogBody>
              <DialogTitle>{t('reply.title', { sender })}</DialogTitle>
              <DialogContent className={s.content}>
                <Text>{t('reply.intro', { sender })}</Text>
                <div className={s.deadline} data-testid="reply-deadline">
                  <ClockIcon />
                  <Text weight="semibold">
                    {message.replyBy ? t('reply.deadline', { date: formatDateTime(message.replyBy, locale) }) : t('reply.noDeadline')}
                  </Text>
                </div>
                <Field
                  label={t('reply.text')}
                  required
                  validationState={tried && textProblem ? 'error' : 'none'}
                  validationMessage={tried && textProblem ? textProblem : undefined}
                  hint={t('reply.counter', { count: count(length), max: count(REPLY_LIMITS.textMaxChars) })}
                >
                  <Textarea
                    ref={textArea}
                    value={text}
                    onChange={(_, d) => setText(d.value)}
                    placeholder={t('reply.textPlaceholder')}
                    resize="vertical"
                    rows={8}
                    disabled={busy || failed !== null}
                    data-testid="reply-text"
                  />
                </Field>
                <div className={s.attach}>
                  <input
                    ref={input}
                    type="file"
                    multiple
                    accept={REPLY_ACCEPT}
                    className={s.hidden}
                    onChange={(e) => addFiles(e.currentTarget.files)}
                    data-testid="reply-file-input"
                  />
                  <Button icon={<AttachIcon />} onClick={() => input.current?.click()} disabled={busy || failed !== null} data-testid="reply-attach">
                    {t('reply.attach')}
                  </Button>
                  <Caption1 as="p" className={`${s.muted} ${s.hint}`} data-testid="reply-attach-hint">
                    {t('reply.attachHint', { files: REPLY_LIMITS.maxFiles, each: mb(REPLY_LIMITS.fileMaxBytes), total: mb(REPLY_LIMITS.totalMaxBytes) })}
                  </Caption1>
                </div>
                {files.length > 0 && (
                  <ul className={s.files} data-testid="reply-files">
                    {files.map((f, i) => (
                      <li key={`${f.name}-${i}`} className={s.file} data-testid="reply-file">
                        <Text size={200} className={s.fileName}>{f.name}</Text>
                        <Caption1 className={s.muted}>{formatBytes(f.size, locale)}</Caption1>
                        <Button
                          size="small"
                          appearance="subtle"
                          aria-label={t('reply.remove', { name: f.name })}
                          title={t('reply.remove', { name: f.name })}
                          disabled={busy || failed !== null}
                          onClick={() => setFiles(files.filter((_, j) => j !== i))}
                        >×</Button>
                      </li>
                    ))}
                  </ul>
                )}
                {problem && (
                  <MessageBar intent="error" layout="multiline" data-testid="reply-file-problem">
                    <MessageBarBody>{describeProblem(problem)}</MessageBarBody>
                  </MessageBar>
                )}
                {uploading && (
                  <Field validationMessage={t('reply.uploading', { percent: Math.round((progress ?? 0) * 100) })} validationState="none">
                    <ProgressBar value={progress ?? 0} data-testid="reply-progress" />
                  </Field>
                )}
                {(failed || error != null) && (
                  <MessageBar intent="error" layout="multiline" role="alert" data-testid="reply-error-bar">
                    <MessageBarBody className={s.errorBody}>
                      <MessageBarTitle>{t('reply.failed')}</MessageBarTitle>
                      <span data-testid="reply-error-text">{error != null ? describeActionError(error, t) : failure?.text}</span>
                      {error == null && failure?.detail && (
                        <Caption1 className={s.detail} data-testid="reply-error-detail">{t('reply.technicalDetail', { detail: failure.detail })}</Caption1>
                      )}
                    </MessageBarBody>
                  </MessageBar>
                )}
              </DialogContent>
              <DialogActions>
                <Button
                  appearance="primary"
                  type="submit"
                  disabled={busy}
                  icon={busy ? <Spinner size="tiny" /> : <SendIcon />}
                  data-testid="reply-send"
                >
                  {busy ? t('reply.sending') : failed ? t('reply.retry') : t('reply.send')}
                </Button>
                <Button onClick={requestClose} disabled={busy} data-testid="reply-cancel">{t('actions.cancel')}</Button>
              </DialogActions>
            </DialogBody>
          </form>
        )}
      </DialogSurface>
    </Dialog>
  );
}

function formOf(text: string, memoUuid: string, files: File[]): FormData {
  const form = new FormData();
  form.append('memoUuid', memoUuid);
  form.append('text', text);
  for (const f of files) form.append('attachments', f, f.name);
  return form;
}
