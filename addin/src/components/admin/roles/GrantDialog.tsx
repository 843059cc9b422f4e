// Grant a role, or change one. Who (an Entra group or user, by object id) is chosen when adding and
// fixed afterwards: another principal is another grant. Limits are picked from the organisation's own
// CVR numbers and registry, never typed; none picked means all.
import {
  Button, Caption1, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, Input, MessageBar,
  MessageBarBody, Radio, RadioGroup, Spinner, Text, makeStyles, tokens,
} from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { RoleGrant } from '../../../../../shared/src/contracts';
import type { OrgCvr } from '../../../api/client';
import { useApi } from '../../../api/context';
import { DestinationPicker } from '../../DestinationPicker';
import { InlineError, useAdminStyles } from '../common';
import { CvrPicker } from './CvrPicker';
import {
  GRANT_ROLES, PRINCIPAL_TYPES, createBody, emptyForm, formOf, formProblems, updateBody, type GrantForm, type GrantRole, type PrincipalType,
} from './model';

const useStyles = makeStyles({
  surface: { maxWidth: 'min(520px, calc(100vw - 24px))' },
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  limits: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, border: 'none', margin: 0, padding: 0, minWidth: 0 },
  legend: { padding: 0 },
  muted: { color: tokens.colorNeutralForeground2 },
});

export function GrantDialog({ existing, cvrs, onClose, onSaved }: {
  existing: RoleGrant | null; cvrs: OrgCvr[]; onClose: () => void; onSaved: (g: RoleGrant, added: boolean) => void;
}) {
  const s = useStyles();
  const a = useAdminStyles();
  const { t } = useTranslation();
  const api = useApi();
  const [form, setForm] = useState<GrantForm>(() => (existing ? formOf(existing) : emptyForm()));
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const set = (patch: Partial<GrantForm>) => setForm((f) => ({ ...f, ...patch }));
  const problems = formProblems(form, !existing);
  const idMessage = tried && problems.principalId
    ? t(problems.principalId === 'required' ? 'admin.roles.objectIdRequired' : 'admin.roles.objectIdFormat')
    : undefined;
  const nameMessage = tried && problems.displayName ? t('admin.roles.nameRequired') : undefined;
  const limited = form.cvrs.length > 0 || form.destinationIds.length > 0;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.keys(problems).length) return;
    setBusy(true);
    setError(null);
    try {
      onSaved(existing ? await api.updateRoleGrant(existing.id, updateBody(form)) : await api.createRoleGrant(createBody(form)), !existing);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <Dialog open modalType="modal" onOpenChange={(_, d) => { if (!d.open && !busy) onClose(); }}>
      <DialogSurface className={s.surface} data-testid="grant-dialog">
        <form onSubmit={submit} noValidate>
          <DialogBody>
            <DialogTitle>{existing ? t('admin.roles.editTitle', { name: existing.displayName }) : t('admin.roles.addTitle')}</DialogTitle>
            <DialogContent className={s.content}>
              {existing ? (
                <Caption1 className={s.muted} data-testid="grant-dialog-principal">
                  {`${t(`admin.roles.principal.${existing.principalType}`)} · ${existing.principalId}`}
                </Caption1>
              ) : (
                <>
                  <Field label={t('admin.roles.type')}>
                    <RadioGroup layout="horizontal" value={form.principalType} onChange={(_, d) => set({ principalType: d.value as PrincipalType })} disabled={busy} data-testid="grant-type">
                      {PRINCIPAL_TYPES.map((p) => <Radio key={p} value={p} label={t(`admin.roles.principal.${p}`)} data-testid={`grant-type-${p}`} />)}
                    </RadioGroup>
                  </Field>
                  <Field label={t('admin.roles.objectId')} hint={t(`admin.roles.objectIdHint.${form.principalType}`)} required validationMessage={idMessage}>
                    <Input value={form.principalId} onChange={(_, d) => set({ principalId: d.value })} maxLength={60} autoComplete="off" spellCheck={false} disabled={busy} data-testid="grant-object-id" />
                  </Field>
                </>
              )}
              <Field label={t('admin.roles.name')} hint={t('admin.roles.nameHint')} required validationMessage={nameMessage}>
                <Input value={form.displayName} onChange={(_, d) => set({ displayName: d.value })} maxLength={200} disabled={busy} data-testid="grant-name-input" />
              </Field>
              <Field label={t('admin.roles.role')}>
                <RadioGroup value={form.role} onChange={(_, d) => set({ role: d.value as GrantRole })} disabled={busy} data-testid="grant-role-choice">
                  {GRANT_ROLES.map((r) => <Radio key={r} value={r} label={t(`admin.roles.roleOption.${r}`)} data-testid={`grant-role-${r}`} />)}
                </RadioGroup>
              </Field>
              <fieldset className={s.limits}>
                <legend className={s.legend}><Text weight="semibold">{t('admin.roles.limitsTitle')}</Text></legend>
                <CvrPicker
                  label={t('admin.roles.limitCvrs')}
                  hint={t('admin.roles.limitCvrsHint')}
                  cvrs={cvrs}
                  selected={form.cvrs}
                  onChange={(c) => set({ cvrs: c })}
                  disabled={busy}
                />
                <DestinationPicker
                  label={t('admin.roles.limitDestinations')}
                  hint={t('admin.roles.limitDestinationsHint')}
                  placeholder={t('admin.roles.allDestinations')}
                  selected={form.destinationIds}
                  onChange={(ids) => set({ destinationIds: ids })}
                  disabled={busy}
                />
              </fieldset>
              {form.role === 'admin' && limited && (
                <MessageBar intent="info" layout="multiline" data-testid="grant-limited-admin"><MessageBarBody>{t('admin.roles.limitedAdmin')}</MessageBarBody></MessageBar>
              )}
              {error != null && <InlineError title={t('admin.roles.saveFailed')} error={error} />}
            </DialogContent>
            <DialogActions className={a.actions}>
              <Button appearance="primary" type="submit" disabled={busy} icon={busy ? <Spinner size="tiny" /> : undefined} data-testid="grant-save">
                {busy ? t('admin.roles.saving') : t('admin.roles.save')}
              </Button>
              <Button onClick={onClose} disabled={busy}>{t('admin.cancel')}</Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
