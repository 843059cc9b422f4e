// Add or edit an approved recipient. The kind is chosen when adding (a mailbox cannot become a
// channel). The Teams webhook URL is write-only: it is never shown, and left empty on edit it stays.
import {
  Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, Input, Radio, RadioGroup,
  Spinner, makeStyles, tokens,
} from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { DestinationCreate, DestinationKind, DestinationUpdate, DestinationView } from '../../../../../shared/src/contracts';
import { useApi } from '../../../api/context';
import { InlineError, useAdminStyles } from '../common';

const KINDS: DestinationKind[] = ['shared_mailbox', 'user_mailbox', 'teams_channel'];

const useStyles = makeStyles({ surface: { maxWidth: 'min(520px, calc(100vw - 24px))' }, content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS } });

export function DestinationDialog({ existing, onClose, onSaved }: {
  existing: DestinationView | null; onClose: () => void; onSaved: (d: DestinationView) => void;
}) {
  const s = useStyles();
  const a = useAdminStyles();
  const { t } = useTranslation();
  const api = useApi();
  const [kind, setKind] = useState<DestinationKind>(existing?.kind ?? 'shared_mailbox');
  const [displayName, setDisplayName] = useState(existing?.displayName ?? '');
  const [mailbox, setMailbox] = useState(existing?.mailbox ?? '');
  const [folderPath, setFolderPath] = useState(existing?.folderPathRaw ?? '');
  const [teamId, setTeamId] = useState(existing?.teamId ?? '');
  const [channelId, setChannelId] = useState(existing?.channelId ?? '');
  const [webhookUrl, setWebhookUrl] = useState('');
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const teams = kind === 'teams_channel';

  const missing = {
    displayName: !displayName.trim(),
    mailbox: !teams && !mailbox.trim(),
    teamId: teams && !teamId.trim(),
    channelId: teams && !channelId.trim(),
    // A new channel needs its webhook; an edit keeps the stored one when this stays empty.
    webhookUrl: teams && !webhookUrl.trim() && !existing?.hasWebhook,
  };
  const required = (k: keyof typeof missing) => (tried && missing[k] ? t('admin.recipients.required') : undefined);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.values(missing).some(Boolean)) return;
    setBusy(true);
    setError(null);
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
      setError(err);
      setBusy(false);
    }
  };

  return (
    <Dialog open modalType="modal" onOpenChange={(_, d) => { if (!d.open && !busy) onClose(); }}>
      <DialogSurface className={s.surface} data-testid="recipient-dialog">
        <form onSubmit={submit} noValidate>
          <DialogBody>
            <DialogTitle>{existing ? t('admin.recipients.editTitle', { name: existing.displayName }) : t('admin.recipients.addTitle')}</DialogTitle>
            <DialogContent className={s.content}>
              {!existing && (
                <Field label={t('admin.recipients.kind')}>
                  <RadioGroup value={kind} onChange={(_, d) => setKind(d.value as DestinationKind)} disabled={busy} data-testid="recipient-kind-choice">
                    {KINDS.map((k) => <Radio key={k} value={k} label={t(`destinationKind.${k}`)} data-testid={`recipient-kind-${k}`} />)}
                  </RadioGroup>
                </Field>
              )}
              <Field label={t('admin.recipients.name')} hint={t('admin.recipients.nameHint')} required validationMessage={required('displayName')}>
                <Input value={displayName} onChange={(_, d) => setDisplayName(d.value)} maxLength={200} disabled={busy} data-testid="recipient-name-input" />
              </Field>
              {!teams && (
                <Field label={t('admin.recipients.mailbox')} required validationMessage={required('mailbox')}>
                  <Input type="email" value={mailbox} onChange={(_, d) => setMailbox(d.value)} disabled={busy} data-testid="recipient-mailbox-input" />
                </Field>
              )}
              {teams && (
                <>
                  <Field label={t('admin.recipients.team')} required validationMessage={required('teamId')}>
                    <Input value={teamId} onChange={(_, d) => setTeamId(d.value)} disabled={busy} data-testid="recipient-team-input" />
                  </Field>
                  <Field label={t('admin.recipients.channel')} required validationMessage={required('channelId')}>
                    <Input value={channelId} onChange={(_, d) => setChannelId(d.value)} disabled={busy} data-testid="recipient-channel-input" />
                  </Field>
                  <Field
                    label={t('admin.recipients.webhook')}
                    hint={existing?.hasWebhook ? t('admin.recipients.webhookKeep') : t('admin.recipients.webhookHint')}
                    required={!existing?.hasWebhook}
                    validationMessage={required('webhookUrl')}
                  >
                    {/* A password field: the URL is a secret (anyone holding it can post to the channel). */}
                    <Input type="password" autoComplete="off" value={webhookUrl} onChange={(_, d) => setWebhookUrl(d.value)} disabled={busy} data-testid="recipient-webhook-input" />
                  </Field>
                </>
              )}
              <Field label={teams ? t('admin.recipients.channelFolder') : t('admin.recipients.folder')} hint={t('admin.recipients.folderHint')}>
                <Input value={folderPath} onChange={(_, d) => setFolderPath(d.value)} maxLength={1000} disabled={busy} data-testid="recipient-folder-input" />
              </Field>
              {error != null && <InlineError title={t('admin.recipients.saveFailed')} error={error} />}
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
