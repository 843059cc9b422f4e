import { Badge, type BadgeProps } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import type { DeliveryInfo, MessageStatus } from '../../../shared/src/contracts';

const MESSAGE_COLOR: Record<MessageStatus, BadgeProps['color']> = {
  received: 'informative',
  routed: 'brand',
  triage: 'warning',
  delivered: 'success',
  failed: 'danger',
};

export function MessageStatusBadge({ status }: { status: MessageStatus }) {
  const { t } = useTranslation();
  return (
    <Badge appearance="tint" shape="rounded" color={MESSAGE_COLOR[status]} data-testid="status-badge" data-status={status}>
      {t(`status.${status}`)}
    </Badge>
  );
}

const DELIVERY_COLOR: Record<DeliveryInfo['status'], BadgeProps['color']> = {
  pending: 'informative',
  delivered: 'success',
  dead: 'danger',
};

export function DeliveryStatusBadge({ status }: { status: DeliveryInfo['status'] }) {
  const { t } = useTranslation();
  return (
    <Badge appearance="tint" shape="rounded" color={DELIVERY_COLOR[status]} data-status={status}>
      {t(`deliveryStatus.${status}`)}
    </Badge>
  );
}
