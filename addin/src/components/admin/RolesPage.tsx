// Admin › Roles: which Entra groups and users hold which role in Brevdue, and what each grant is
// limited to (CVR numbers, destinations; shown by name). Grant, change, remove. Only administrators
// without limits may see or change grants (a limited admin could widen their own); the API enforces it.
import { Badge, Body1Strong, Button, Caption1, MessageBar, MessageBarBody, Spinner, Text } from '@fluentui/react-components';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RoleGrant } from '../../../../shared/src/contracts';
import { useApi } from '../../api/context';
import { EmptyState } from '../EmptyState';
import { ErrorBar } from '../ErrorBar';
import { InboxIcon, RefreshIcon } from '../icons';
import { useDestinations } from '../useDestinations';
import { ConfirmDialog, OutcomeBar, useAdmin, useAdminStyles, useOutcome, useResource } from './common';
import { GrantDialog } from './roles/GrantDialog';
import { limitNames, sortGrants } from './roles/model';
import { useOrgCvrs } from './rules/useRules';

const ROLE_COLOUR: Record<RoleGrant['role'], 'danger' | 'brand' | 'informative'> = { admin: 'danger', operator: 'brand', reader: 'informative' };

export function RolesPage() {
  const s = useAdminStyles();
  const { t } = useTranslation();
  const { isAdmin, roles } = useAdmin();
  if (!isAdmin) {
    return (
      <div className={s.page} data-testid="admin-roles-page">
        <MessageBar intent="info" data-testid="admin-only"><MessageBarBody>{t('admin.roles.adminOnly', { roles })}</MessageBarBody></MessageBar>
      </div>
    );
  }
  return <Grants />;
}

function Grants() {
  const s = useAdminStyles();
  const { t } = useTranslation();
  const api = useApi();
  const list = useResource((signal) => api.listRoleGrants(signal));
  const cvrs = useOrgCvrs();
  const { destinations } = useDestinations();
  const { outcome, succeeded, clear } = useOutcome();
  const [editing, setEditing] = useState<RoleGrant | 'new' | null>(null);
  const [removing, setRemoving] = useState<RoleGrant | null>(null);

  // Limits as names; an id no longer in the lists (a removed CVR number, an archived destination) says so.
  const names = useMemo(() => {
    const cvrNames = new Map(cvrs.map((c) => [c.cvr, c.name]));
    const destNames = new Map(destinations.map((d) => [d.id, d.displayName]));
    return (g: RoleGrant) => ({
      cvrs: limitNames(g.cvrs, (c) => cvrNames.get(c), (c) => t('admin.roles.removedCvr', { cvr: c })),
      destinations: limitNames(g.destinationIds, (id) => destNames.get(id), () => t('admin.roles.unknownDestination')),
    });
  }, [cvrs, destinations, t]);

  const replace = (g: RoleGrant) => list.setData((cur) => sortGrants([...(cur ?? []).filter((x) => x.id !== g.id), g]));
  const items = list.data ?? [];
  return (
    <section className={s.page} aria-labelledby="roles-title" data-testid="admin-roles-page">
      <div className={s.header}>
        <Body1Strong id="roles-title" className={s.grow} as="h2">{t('admin.roles.title')}</Body1Strong>
        <Button appearance="primary" size="small" onClick={() => { clear(); setEditing('new'); }} data-testid="grant-add">{t('admin.roles.add')}</Button>
        <Button size="small" icon={<RefreshIcon />} onClick={list.reload} aria-label={t('admin.refresh')} title={t('admin.refresh')} />
      </div>
      <Text className={s.intro}>{t('admin.roles.intro')}</Text>
      <Text className={s.intro} data-testid="roles-limits-explained">{t('admin.roles.limitsExplained')}</Text>
      <OutcomeBar outcome={outcome} onDismiss={clear} />
      {list.error != null && <ErrorBar title={t('admin.roles.loadFailed')} error={list.error} onRetry={list.reload} />}
      {list.loading && !list.data && <div className={s.center}><Spinner size="small" label={t('app.loading')} /></div>}
      {list.data && items.length === 0 && <EmptyState icon={<InboxIcon />} title={t('admin.roles.empty')} hint={t('admin.roles.emptyHint')} />}
      {items.length > 0 && (
        <>
          <Caption1 className={s.meta} data-testid="grant-count">{t('admin.roles.count', { count: items.length })}</Caption1>
          <ul className={s.list} data-testid="grant-list">
            {items.map((g) => (
              <GrantCard key={g.id} g={g} limits={names(g)} onEdit={() => { clear(); setEditing(g); }} onRemove={() => { clear(); setRemoving(g); }} />
            ))}
          </ul>
        </>
      )}
      {editing && (
        <GrantDialog
          existing={editing === 'new' ? null : editing}
          cvrs={cvrs}
          onClose={() => setEditing(null)}
          onSaved={(g, added) => {
            replace(g);
            setEditing(null);
            succeeded(t(added ? 'admin.roles.added' : 'admin.roles.saved', { name: g.displayName, role: t(`role.${g.role}`) }));
          }}
        />
      )}
      {removing && (
        <ConfirmDialog
          testId="grant-remove-dialog"
          title={t('admin.roles.removeTitle', { name: removing.displayName, role: t(`role.${removing.role}`) })}
          intro={t('admin.roles.removeIntro')}
          confirmLabel={t('admin.roles.remove')}
          busyLabel={t('admin.roles.removing')}
          failedTitle={t('admin.roles.removeFailed')}
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await api.deleteRoleGrant(removing.id);
            list.setData((cur) => (cur ?? []).filter((x) => x.id !== removing.id));
            succeeded(t('admin.roles.removed', { name: removing.displayName, role: t(`role.${removing.role}`) }));
            setRemoving(null);
          }}
        />
      )}
    </section>
  );
}

function GrantCard({ g, limits, onEdit, onRemove }: {
  g: RoleGrant; limits: { cvrs: string[] | null; destinations: string[] | null }; onEdit: () => void; onRemove: () => void;
}) {
  const s = useAdminStyles();
  const { t } = useTranslation();
  const role = t(`role.${g.role}`);
  const all = t('admin.roles.all');
  return (
    <li className={s.card} data-testid="grant" data-grant-id={g.id} data-name={g.displayName} data-role={g.role}>
      <div className={s.row}>
        <Text weight="semibold" className={s.name} data-testid="grant-name">{g.displayName}</Text>
        <Badge appearance="tint" color={ROLE_COLOUR[g.role]} data-testid="grant-role">{t(`roleTitle.${g.role}`)}</Badge>
      </div>
      <Caption1 className={s.meta} data-testid="grant-principal">{`${t(`admin.roles.principal.${g.principalType}`)} · ${g.principalId}`}</Caption1>
      <Caption1 data-testid="grant-cvrs" data-limited={String(limits.cvrs !== null)}>
        {t('admin.roles.cvrsLabel', { names: limits.cvrs === null ? all : limits.cvrs.join(', ') || '—' })}
      </Caption1>
      <Caption1 data-testid="grant-destinations" data-limited={String(limits.destinations !== null)}>
        {t('admin.roles.destinationsLabel', { names: limits.destinations === null ? all : limits.destinations.join(', ') || '—' })}
      </Caption1>
      <div className={s.actions}>
        <Button size="small" onClick={onEdit} aria-label={t('admin.roles.editLabel', { name: g.displayName, role })} data-testid="grant-edit">{t('admin.roles.edit')}</Button>
        <Button size="small" onClick={onRemove} aria-label={t('admin.roles.removeLabel', { name: g.displayName, role })} data-testid="grant-remove">{t('admin.roles.remove')}</Button>
      </div>
    </li>
  );
}
