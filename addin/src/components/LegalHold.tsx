// A letter's retention state in its detail: purged (content deleted, only the trace is left), and for
// admins the legal hold switch that keeps it past retention (PUT/DELETE /api/messages/:id/legal-hold;
// audited by the backend).
import { MessageBar, MessageBarBody, Switch, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MessageDetail } from '../../../shared/src/contracts';
import { useApi } from '../api/context';
import { useSession } from '../api/session';
import { formatDateTime } from '../format';
import { isFullAdmin } from '../roles';
import { describeError } from './ErrorBar';
import { useLocale } from './useLocale';

const useStyles = makeStyles({ root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS } });

export function LegalHold({ message, onChanged }: { message: MessageDetail; onChanged: () => void }) {
  const s = useStyles();
  const { t } = useTranslation();
  const api = useApi();
  const locale = useLocale();
  const { me } = useSession();
  const [busy, setBusy] = useState(false);
  // Shown at once (the switch answers the click), put back if the server refuses.
  const [held, setHeld] = useState(!!message.legalHold);
  const [error, setError] = useState<unknown>(null);
  const isAdmin = isFullAdmin(me); // the server refuses a limited admin
  if (!message.purgedAt && !isAdmin) return null;

  const toggle = async (hold: boolean) => {
    setBusy(true);
    setError(null);
    setHeld(hold);
    try {
      await api.setLegalHold(message.id, hold);
      onChanged();
    } catch (e) {
      setHeld(!hold);
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className={s.root} data-testid="retention-state">
      {message.purgedAt && (
        <MessageBar intent="info" data-testid="purged">
          <MessageBarBody>{t('legalHold.purged', { date: formatDateTime(message.purgedAt, locale) })}</MessageBarBody>
        </MessageBar>
      )}
      {isAdmin && !message.purgedAt && (
        <Switch
          checked={held}
          disabled={busy}
          label={t('legalHold.label')}
          onChange={(_, d) => void toggle(d.checked)}
          data-testid="legal-hold"
        />
      )}
      {error != null && (
        <MessageBar intent="error" role="alert" data-testid="legal-hold-error"><MessageBarBody>{describeError(error, t)}</MessageBarBody></MessageBar>
      )}
    </div>
  );
}
