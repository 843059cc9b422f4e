// Admin › Settings › Delivery: where the mail about a delivery that gave up goes (notifyAddress) and
// the mailbox it is sent from (notifySender) — GET/PUT /api/admin/delivery-settings (backend
// api/delivery.ts). Operators read them; admins change them. The PUT replaces the settings whole, so
// the other delivery settings are sent back as read. The letter's timeline points here when a notice
// could not go (codes.ts, events.notify*). A refusal is said at its field (../field-problems.ts).
import { Body1Strong, Button, Caption1, Field, Input, Spinner, Text } from '@fluentui/react-components';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { deliverySettingsSchema } from '../../../../../shared/src/contracts';
import { useApi } from '../../../api/context';
import { ErrorBar } from '../../ErrorBar';
import { InlineError, OutcomeBar, useAdminStyles, useOutcome, useResource } from '../common';
import { useServerProblems, type ProblemForm } from '../field-problems';

type FieldName = 'address' | 'sender';
type FieldProblems = Partial<Record<FieldName, string>>;

/** The pane's own check, as the server's schema checks: each an e-mail address or empty; both or neither. */
export function noticeFieldProblems(address: string, sender: string, t: (key: string) => string): FieldProblems {
  const out: FieldProblems = {};
  const a = address.trim(); const s = sender.trim();
  if (a && !deliverySettingsSchema.shape.notifyAddress.safeParse(a).success) out.address = t('admin.settings.notifyAddressInvalid');
  if (s && !deliverySettingsSchema.shape.notifySender.safeParse(s).success) out.sender = t('admin.settings.notifySenderInvalid');
  if (a && !s) out.sender = t('admin.settings.notifyBothNeeded');
  if (s && !a) out.address = t('admin.settings.notifyBothNeeded');
  return out;
}

const FIELD_OF: Readonly<Record<string, FieldName>> = { notifyAddress: 'address', notifySender: 'sender' };

/**
 * The form as the server's refusals are placed on it: a refused sender (the operator's allow-list)
 * and a malformed address at their fields, said as the pane's own check says them.
 */
export function noticeForm(t: (key: string, options?: Record<string, unknown>) => string): ProblemForm<FieldName> {
  return {
    fieldOf: (path) => (Object.prototype.hasOwnProperty.call(FIELD_OF, path) ? FIELD_OF[path] : undefined),
    label: (path) => (path === 'notifyAddress' ? t('admin.settings.notifyAddressLabel') : path === 'notifySender' ? t('admin.settings.notifySenderLabel') : undefined),
    say: (p, field) => (p.code === 'field_not_email' ? t(field === 'address' ? 'admin.settings.notifyAddressInvalid' : 'admin.settings.notifySenderInvalid') : undefined),
    byCode: (e) => {
      if (e.code !== 'mailbox_domain_not_allowed') return undefined;
      const p = e.details.params ?? {};
      const domain = typeof p.domain === 'string' ? p.domain : '';
      const allowed = typeof p.allowed === 'string' ? p.allowed : '';
      return { path: 'notifySender', text: t('admin.settings.notifySenderRefused', { domain, allowed, ...(allowed ? { context: 'listed' } : {}) }) };
    },
  };
}

export function DeliverySection({ isAdmin }: { isAdmin: boolean }) {
  const s = useAdminStyles();
  const { t } = useTranslation();
  const tr = t as unknown as (key: string, options?: Record<string, unknown>) => string;
  const api = useApi();
  const current = useResource((signal) => api.deliverySettings(signal));
  const [address, setAddress] = useState('');
  const [sender, setSender] = useState('');
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<FieldProblems>({});
  const server = useServerProblems(noticeForm(tr));
  const { outcome, succeeded, clear } = useOutcome();

  useEffect(() => {
    if (!current.data) return;
    setAddress(current.data.notifyAddress ?? '');
    setSender(current.data.notifySender ?? '');
  }, [current.data]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!current.data || busy) return;
    clear();
    server.clear();
    const found = noticeFieldProblems(address, sender, tr);
    setProblems(found);
    if (found.address || found.sender) return;
    setBusy(true);
    try {
      const saved = await api.putDeliverySettings({
        ...current.data,
        notifyAddress: address.trim() ? address.trim().toLowerCase() : null,
        notifySender: sender.trim() ? sender.trim().toLowerCase() : null,
      });
      current.setData(saved);
      succeeded(saved.notifyAddress && saved.notifySender
        ? t('admin.settings.notifySaved', { address: saved.notifyAddress, sender: saved.notifySender })
        : t('admin.settings.notifySavedNone'));
    } catch (err) {
      server.refused(err);
    } finally {
      setBusy(false);
    }
  };

  const d = current.data;
  const bar = server.bar();
  return (
    <section className={s.section} aria-labelledby="delivery-title" data-testid="delivery-settings">
      <Body1Strong id="delivery-title" as="h2">{t('admin.settings.deliveryTitle')}</Body1Strong>
      <Caption1 className={s.meta}>{t('admin.settings.notifyIntro')}</Caption1>
      {current.error != null && <ErrorBar title={t('admin.settings.deliveryLoadFailed')} error={current.error} onRetry={current.reload} />}
      {current.loading && !d && <Spinner size="tiny" label={t('app.loading')} />}
      {d && (
        <Text data-testid="delivery-notify-current">
          {d.notifyAddress && d.notifySender
            ? t('admin.settings.notifyCurrent', { address: d.notifyAddress, sender: d.notifySender })
            : t('admin.settings.notifyNone')}
        </Text>
      )}
      {d && isAdmin && (
        <form className={s.form} onSubmit={submit} noValidate>
          <Field
            label={t('admin.settings.notifyAddressLabel')}
            hint={t('admin.settings.notifyAddressHint')}
            validationMessage={problems.address ?? server.at('address')}
            data-testid="notify-address-field"
          >
            <Input type="email" value={address} disabled={busy} data-testid="notify-address-input"
              onChange={(_, v) => { setAddress(v.value); setProblems((x) => ({ ...x, address: undefined })); server.edited('address'); }} />
          </Field>
          <Field
            label={t('admin.settings.notifySenderLabel')}
            hint={t('admin.settings.notifySenderHint')}
            validationMessage={problems.sender ?? server.at('sender')}
            data-testid="notify-sender-field"
          >
            <Input type="email" value={sender} disabled={busy} data-testid="notify-sender-input"
              onChange={(_, v) => { setSender(v.value); setProblems((x) => ({ ...x, sender: undefined })); server.edited('sender'); }} />
          </Field>
          {bar != null && <InlineError title={t('admin.settings.deliveryFailed')} text={bar} />}
          <div className={s.actions}>
            <Button appearance="primary" type="submit" disabled={busy} icon={busy ? <Spinner size="tiny" /> : undefined} data-testid="delivery-save">
              {busy ? t('admin.settings.deliverySaving') : t('admin.settings.deliverySave')}
            </Button>
          </div>
        </form>
      )}
      <OutcomeBar outcome={outcome} onDismiss={clear} />
    </section>
  );
}
