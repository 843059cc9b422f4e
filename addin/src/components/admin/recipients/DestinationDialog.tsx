// Add or edit an approved recipient. The kind is chosen when adding (a mailbox cannot become a
// channel). The Teams webhook URL is write-only: it is never shown, and left empty on edit it stays.
// A refused save is said at the fields it is about, in the reader's language (problems.ts, placed as
// on every admin form), and the first marked field gets the focus; Graph's English answer is only a
// small technical detail.
import {
  Button, Caption1, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, Input, MessageBar, MessageBarBody,
  MessageBarTitle, Radio, RadioGroup, Spinner, makeStyles, tokens,
} from '@fluentui/react-components';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { DestinationCreate, DestinationKind, DestinationUpdate, DestinationView } from '../../../../../shared/src/contracts';
import { useApi } from '../../../api/context';
import type { Translate } from '../../../codes';
import { useAdminStyles } from '../common';
import { useServerProblems } from '../field-problems';
import { recipientForm, type RecipientField } from './problems';

const KINDS: DestinationKind[] = ['shared_mailbox', 'user_mailbox', 'teams_channel'];

const useStyles = makeStyles({
  surface: { maxWidth: 'min(520px, calc(100vw - 24px))' },
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  bar: { overflowWrap: 'anywhere' },
  detail: { display: 'block', color: tokens.colorNeutralForeground3, marginTop: tokens.spacingVerticalXXS },
});

export function DestinationDialog({ existing, onClose, onSaved }: {
  existing: DestinationView | null; onClose: () => void; onSaved: (d: DestinationView) => void;
}) {
  const s = useStyles();
  const a = useAdminStyles();
  const { t } = useTranslation();
  const tr = t as unknown as Translate;
  const api = useApi();
  const formRef = useRef<HTMLFormElement>(null);
  const [kind, setKind] = useState<DestinationKind>(existing?.kind ?? 'shared_mailbox');
  const [displayName, setDisplayName] = useState(existing?.displayName ?? '');
  const [mailbox, setMailbox] = useState(existing?.mailbox ?? '');
  const [folderPath, setFolderPath] = useState(existing?.folderPathRaw ?? '');
  const [teamId, setTeamId] = useState(existing?.teamId ?? '');
  const [channelId, setChannelId] = useState(existing?.channelId ?? '');
  const [webhookUrl, setWebhookUrl] = useState('');
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [focusFirst, setFocusFirst] = useState(0);
  const teams = kind === 'teams_channel';
  const shown: RecipientField[] = teams ? ['displayName', 'teamId', 'channelId', 'webhookUrl', 'folderPath'] : ['displayName', 'mailbox', 'folderPath'];
  const server = useServerProblems(recipientForm(shown, tr));

  const missing = {
    displayName: !displayName.trim(),
    mailbox: !teams && !mailbox.trim(),
    teamId: teams && !teamId.trim(),
    channelId: teams && !channelId.trim(),
    // A new channel needs its webhook; an edit keeps the stored one when this stays empty.
    webhookUrl: teams && !webhookUrl.trim() && !existing?.hasWebhook,
  };
  const required = (k: keyof typeof missing) => (tried && missing[k] ? t('admin.recipients.required') : undefined);
  const message = (k: RecipientField) => (k in missing ? required(k as keyof typeof missing) : undefined) ?? server.at(k);
  const edited = server.edited;

  // After a refused submit (the form's own check or the server's): the first marked field gets the focus.
  useEffect(() => {
    if (!focusFirst) return;
    formRef.current?.querySelector<HTMLElement>('[aria-invalid=true]')?.focus();
  }, [focusFirst]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.values(missing).some(Boolean)) {
      setFocusFirst((n) => n + 1);
      return;
    }
    setBusy(true);
    server.clear();
    try {
      let saved: DestinationView;
      if (existing) {
        const patch: DestinationUpdate = { displayName, folderPath };
        if (teams) Object.assign(patch, { teamId, channelId }, webhookUrl.trim() ? { webhookUrl } : {});
        else patch.mailbox = mailbox;
        saved = await api.updateDestination(existing.id, patch);
      } else {
        const body: DestinationCreate = teams
          ? { kind, displayName, teamId, channelId, webhookUrl, folderPath }
          : { kind, displayName, mailbox, folderPath };
        saved = await api.createDestination(body);
      }
      onSaved(saved);
    } catch (err) {
      server.refused(err);
      setBusy(false);
      setFocusFirst((n) => n + 1);
    }
  };

  // The bar: that fields are marked and what no field says; Graph's English words small below.
  const barText = server.bar(t('admin.recipients.fixFields', { count: server.marked }));

  return (
    <Dialog open modalType="modal" onOpenChange={(_, d) => { if (!d.open && !busy) onClose(); }}>
      <DialogSurface className={s.surface} data-testid="recipient-dialog">
        <form ref={formRef} onSubmit={submit} noValidate>
          <DialogBody>
            <DialogTitle>{existing ? t('admin.recipients.editTitle', { name: existing.displayName }) : t('admin.recipients.addTitle')}</DialogTitle>
            <DialogContent className={s.content}>
              {!existing && (
                <Field label={t('admin.recipients.kind')}>
                  <RadioGroup value={kind} onChange={(_, d) => { setKind(d.value as DestinationKind); server.clear(); }} disabled={busy} data-testid="recipient-kind-choice">
                    {KINDS.map((k) => <Radio key={k} value={k} label={t(`destinationKind.${k}`)} data-testid={`recipient-kind-${k}`} />)}
                  </RadioGroup>
                </Field>
              )}
              <Field label={t('admin.recipients.name')} hint={t('admin.recipients.nameHint')} required validationMessage={message('displayName')}>
                <Input value={displayName} onChange={(_, d) => { setDisplayName(d.value); edited('displayName'); }} maxLength={200} disabled={busy} data-testid="recipient-name-input" />
              </Field>
              {!teams && (
                <Field label={t('admin.recipients.mailbox')} required validationMessage={message('mailbox')}>
                  <Input type="email" value={mailbox} onChange={(_, d) => { setMailbox(d.value); edited('mailbox'); }} disabled={busy} data-testid="recipient-mailbox-input" />
                </Field>
              )}
              {teams && (
                <>
                  <Field label={t('admin.recipients.team')} required validationMessage={message('teamId')}>
                    <Input value={teamId} onChange={(_, d) => { setTeamId(d.value); edited('teamId'); }} disabled={busy} data-testid="recipient-team-input" />
                  </Field>
                  <Field label={t('admin.recipients.channel')} required validationMessage={message('channelId')}>
                    <Input value={channelId} onChange={(_, d) => { setChannelId(d.value); edited('channelId'); }} disabled={busy} data-testid="recipient-channel-input" />
                  </Field>
                  <Field
                    label={t('admin.recipients.webhook')}
                    hint={existing?.hasWebhook ? t('admin.recipients.webhookKeep') : t('admin.recipients.webhookHint')}
                    required={!existing?.hasWebhook}
                    validationMessage={message('webhookUrl')}
                  >
                    {/* A password field: the URL is a secret (anyone holding it can post to the channel). */}
                    <Input type="password" autoComplete="off" value={webhookUrl} onChange={(_, d) => { setWebhookUrl(d.value); edited('webhookUrl'); }} disabled={busy} data-testid="recipient-webhook-input" />
                  </Field>
                </>
              )}
              <Field label={teams ? t('admin.recipients.channelFolder') : t('admin.recipients.folder')} hint={t('admin.recipients.folderHint')} validationMessage={message('folderPath')}>
                <Input value={folderPath} onChange={(_, d) => { setFolderPath(d.value); edited('folderPath'); }} maxLength={1000} disabled={busy} data-testid="recipient-folder-input" />
              </Field>
              {server.error != null && (
                <MessageBar intent="error" layout="multiline" role="alert" className={s.bar} data-testid="form-error">
                  <MessageBarBody>
                    <MessageBarTitle>{t('admin.recipients.saveFailed')}</MessageBarTitle>
                    <span data-testid="form-error-text">{barText}</span>
                    {server.placed?.details.map((d) => (
                      <Caption1 key={d} className={s.detail} data-testid="form-error-detail">{t('admin.recipients.technicalDetail', { detail: d })}</Caption1>
                    ))}
                  </MessageBarBody>
                </MessageBar>
              )}
            </DialogContent>
            <DialogActions className={a.actions}>
              <Button appearance="primary" type="submit" disabled={busy} icon={busy ? <Spinner size="tiny" /> : undefined} data-testid="recipient-save">
                {busy ? t('admin.recipients.saving') : t('admin.recipients.save')}
              </Button>
              <Button onClick={onClose} disabled={busy}>{t('admin.cancel')}</Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
