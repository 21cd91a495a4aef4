import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsBoolean, IsEnum, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Max, Min, ValidateNested } from 'class-validator';
import { NotificationKind, NotificationState } from '../common/enums';
import { eventContract, replyOf, requestContract } from '../common/message-contract';
import { IdRequest, PageQuery } from '../common/page-query';
import type { Page } from '../common/rpc-error';
import type { ShipFromRecord } from '../inventory/location.messages';

export class ListNotificationsRequest extends PageQuery {
  @IsOptional() @IsUUID() orderId?: string;
  @IsOptional() @IsUUID() accountId?: string;
  @IsOptional() @IsEnum(NotificationState) state?: NotificationState;
  @IsOptional() @IsEnum(NotificationKind) kind?: NotificationKind;
}
export const LIST_NOTIFICATIONS = requestContract({ subject: 'notifications.list.v1', version: 1, payload: ListNotificationsRequest, reply: replyOf<Page<NotificationView>>() });
export const GET_NOTIFICATION = requestContract({ subject: 'notifications.get.v1', version: 1, payload: IdRequest, reply: replyOf<NotificationView>() });
export const RETRY_NOTIFICATION = requestContract({ subject: 'notifications.retry.v1', version: 1, payload: IdRequest, reply: replyOf<NotificationView>() });

/**
 * Failed notifications sent again in bulk (once Amazon's outage is over, or the seller fixed
 * what it refused): those matching every filter given, the oldest first.
 */
export class RetryNotificationsRequest {
  @IsOptional() @IsUUID() accountId?: string;
  @IsOptional() @IsEnum(NotificationKind) kind?: NotificationKind;
  /** Only these notifications (those of them that failed). */
  @IsOptional() @ArrayMinSize(1) @ArrayMaxSize(1000) @IsUUID(undefined, { each: true }) ids?: string[];
  /**
   * At most this many in one call (default 1000); call again while `retried` equals it.
   * @example 1000
   */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(5000) limit?: number;
}

export class RetryNotificationsResult {
  /** How many failed notifications are pending again. @example 2 */
  retried: number;
  /** Their ids. */
  ids: string[];
}
export const RETRY_NOTIFICATIONS = requestContract({ subject: 'notifications.retry-failed.v1', version: 1, payload: RetryNotificationsRequest, reply: replyOf<RetryNotificationsResult>() });

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
  /** A shipment confirmation's packageDetail as sent to Amazon (confirmShipment); null for cancellations. */
  packageDetail: Record<string, unknown> | null;
  /**
   * The warehouse the package shipped from, address included, as it was when validated. Amazon
   * gets only its supplySourceId (packageDetail.shipFromSupplySourceId): confirmShipment has no
   * ship-from address. Null for cancellations and packages with no location.
   */
  shipFrom: ShipFromRecord | null;
  /** @example 1 */
  attempts: number;
  nextAttemptAt: string | null;
  /** Since when every try has met an outage of Amazon (null when the last try was answered); retried until NOTIFY_RETRY_HOURS after it. */
  retryingSince: string | null;
  lastError: string | null;
  amazonResponse: unknown;
  feedId: string | null;
  /** A cancellation's feed as Amazon last reported it when polled. @example "DONE" */
  feedStatus: string | null;
  /** When the cancellation's feed was made at Amazon (createFeed). */
  feedSubmittedAt: string | null;
  /** The seller's cancellation of some items or units it tells; null for a whole order's and for shipments. */
  cancellationId: string | null;
  /** What a cancellation tells Amazon: its reason and the units (all of the order's, or those cancelled); null for shipments. */
  cancellation: CancellationToldView | null;
  sentAt: string | null;
  /** When its outcome was recorded: sent (Amazon took it) or failed for good; null while pending. */
  decidedAt: string | null;
  createdAt: string;
}

export class CancelledUnitsView {
  /** @example "12345678901234" */
  orderItemId: string;
  /** @example 1 */
  quantity: number;
}
export class CancellationToldView {
  /** Amazon's CancelReason. @example "NoInventory" */
  reason: string | null;
  items: CancelledUnitsView[];
}

/** What was told to Amazon, for the sales order's notification status. */
/** Units of one order item a cancellation notification was about. */
export class NotifiedUnits {
  @IsString() orderItemId: string;
  @IsInt() @Min(1) quantity: number;
}
export class NotificationOutcomeEvent {
  @IsUUID() notificationId: string;
  @IsEnum(NotificationKind) kind: NotificationKind;
  @IsUUID() orderId: string;
  @IsOptional() @IsUUID() deliveryId: string | null;
  @IsEnum(NotificationState) state: NotificationState;
  @IsOptional() @IsString() error: string | null;
  /**
   * When the outcome was recorded: of two outcomes of an order's notifications, the later one
   * is its state (a redelivered old failure must not hide the retry that succeeded). Absent
   * from events of earlier releases: applied as before.
   */
  @IsOptional() @IsISO8601() decidedAt?: string;
  /**
   * A seller's cancellation of some items or units (order.items-canceled): its id and the units it
   * cancelled. On a failure for good, order-ingestion gives those units back to the order's lines
   * (Amazon refused them), once per cancellation. Absent for other notifications.
   */
  @IsOptional() @IsUUID() cancellationId?: string | null;
  @IsOptional() @ValidateNested({ each: true }) @Type(() => NotifiedUnits) items?: NotifiedUnits[];
  /**
   * A failure of such a cancellation that Amazon surely did not apply (an error for its message in the
   * processing report, a FATAL or CANCELLED feed, createFeed refused): only then are its units given back.
   * Otherwise (absent or false: an outage outlasted, a DONE feed silent about it, a check that could not
   * tell) Amazon may have applied it, and the order is only flagged.
   */
  @IsOptional() @IsBoolean() refusedByAmazon?: boolean;
}
export const NOTIFICATION_SENT = eventContract({ subject: 'notification.sent.v1', version: 1, payload: NotificationOutcomeEvent });
export const NOTIFICATION_FAILED = eventContract({ subject: 'notification.failed.v1', version: 1, payload: NotificationOutcomeEvent });
