import { IsEnum, IsOptional, IsString, IsUUID } from 'class-validator';
import { NotificationKind, NotificationState } from '../common/enums';
import { PageQuery } from '../common/page-query';

export const LIST_NOTIFICATIONS = 'notifications.list.v1';
export class ListNotificationsRequest extends PageQuery {
  @IsOptional() @IsUUID() orderId?: string;
  @IsOptional() @IsUUID() accountId?: string;
  @IsOptional() @IsEnum(NotificationState) state?: NotificationState;
  @IsOptional() @IsEnum(NotificationKind) kind?: NotificationKind;
}
export const GET_NOTIFICATION = 'notifications.get.v1';
export const RETRY_NOTIFICATION = 'notifications.retry.v1';

export class NotificationView {
  id: string;
  kind: NotificationKind;
  state: NotificationState;
  accountId: string;
  marketplaceId: string;
  orderId: string;
  /** @example "405-1234567-1234567" */
  amazonOrderId: string;
  deliveryId: string | null;
  /** @example 1 */
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  amazonResponse: unknown;
  feedId: string | null;
  sentAt: string | null;
  createdAt: string;
}

/** What was told to Amazon, for the sales order's notification status. */
export const NOTIFICATION_SENT = 'notification.sent.v1';
export const NOTIFICATION_FAILED = 'notification.failed.v1';
export class NotificationOutcomeEvent {
  @IsUUID() notificationId: string;
  @IsEnum(NotificationKind) kind: NotificationKind;
  @IsUUID() orderId: string;
  @IsOptional() @IsUUID() deliveryId: string | null;
  @IsEnum(NotificationState) state: NotificationState;
  @IsOptional() @IsString() error: string | null;
}
