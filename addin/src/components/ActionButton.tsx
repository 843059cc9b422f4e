// A button for an action that needs the admin or operator role. Without it the button stays visible
// but disabled — focusable, so keyboard and screen-reader users reach the tooltip that says why.
import { Button, Tooltip, type ButtonProps } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { useActionPermission, useSession } from '../api/session';

export type ActionButtonProps = ButtonProps & {
  /** Why the action cannot be used right now even with the role (e.g. nothing to resend). */
  unavailableReason?: string | null;
};

export function ActionButton({ unavailableReason, ...props }: ActionButtonProps) {
  const { t } = useTranslation();
  const permission = useActionPermission();
  const { me } = useSession();

  const reason = permission === 'denied'
    ? t('actions.notAllowed', { roles: (me?.roles ?? []).map((r) => t(`role.${r}`)).join(', ') || '—' })
    : permission === 'loading'
      ? t('actions.rolesLoading')
      : permission === 'unknown'
        ? t('actions.rolesUnknown')
        : unavailableReason ?? null;

  if (!reason) return <Button {...props} />;
  return (
    <Tooltip content={reason} relationship="description" withArrow>
      <Button {...props} disabledFocusable data-permission={permission} />
    </Tooltip>
  );
}
