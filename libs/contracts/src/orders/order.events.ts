import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsBoolean,
  IsEnum,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Min,
  ValidateNested,
} from 'class-validator';
import { CancelReason, FulfillmentChannel, SalesOrderLineKind, SalesOrderStatus } from '../common/enums';
import { eventContract } from '../common/message-contract';

export class OrderEventLine {
  @IsUUID() lineId: string;
  @IsEnum(SalesOrderLineKind) kind: SalesOrderLineKind;
  @IsOptional() @IsString() orderItemId: string | null;
  @IsOptional() @IsUUID() productId: string | null;
  @IsOptional() @IsString() sku: string | null;
  @IsInt() @Min(0) quantity: number;
  @IsInt() @Min(0) quantityShipped: number;
  /**
   * Units cancelled of what was ordered; `quantity` is already net of them (what is still ordered).
   * Absent from events of earlier releases.
   */
  @IsOptional() @IsInt() @Min(0) quantityCancelled?: number;
}

/** What every order event says: which order, which version of it, and its lines. */
export abstract class OrderEvent {
  @IsUUID() orderId: string;
  @IsInt() @Min(1) version: number;
  @IsUUID() accountId: string;
  @IsString() marketplaceId: string;
  @IsString() amazonOrderId: string;
  @IsEnum(FulfillmentChannel) channel: FulfillmentChannel;
  @ArrayMinSize(1) @ValidateNested({ each: true }) @Type(() => OrderEventLine) lines: OrderEventLine[];
}

/**
 * The whole current state of a sales order, sent on every change (event-carried state), so a
 * consumer can act on the newest state and ignore one older than what it has (`version`).
 */
export class OrderSyncedEvent extends OrderEvent {
  @IsEnum(SalesOrderStatus) status: SalesOrderStatus;
  @IsUUID() contactId: string;
  @IsUUID() deliveryAddressId: string;
  @IsOptional() @IsString() giftMessage: string | null;
  /**
   * Amazon's LastUpdateDate of the snapshot: when Amazon reports items shipped that the
   * connector did not confirm, the date they count as shipped on. Absent from events of
   * earlier releases.
   */
  @IsOptional() @IsISO8601() amazonUpdatedAt?: string;
  /**
   * What the warehouse needs (absent from events of earlier releases, which then change
   * nothing of it): Amazon's ship-by and deliver-by windows, Prime, business and replacement
   * order, and the buyer's request to cancel, which holds the order's open delivery.
   */
  @IsOptional() @IsISO8601() earliestShipDate?: string | null;
  @IsOptional() @IsISO8601() latestShipDate?: string | null;
  @IsOptional() @IsISO8601() earliestDeliveryDate?: string | null;
  @IsOptional() @IsISO8601() latestDeliveryDate?: string | null;
  @IsOptional() @IsBoolean() isPrime?: boolean;
  @IsOptional() @IsBoolean() isBusinessOrder?: boolean;
  @IsOptional() @IsBoolean() isReplacementOrder?: boolean;
  @IsOptional() @IsString() replacedOrderId?: string | null;
  @IsOptional() @IsBoolean() buyerCancelRequested?: boolean;
  @IsOptional() @IsString() buyerCancelReason?: string | null;
}
export const ORDER_SYNCED = eventContract({ subject: 'order.synced.v1', version: 1, payload: OrderSyncedEvent });

/** A sales order was cancelled, on Amazon or by hand (`canceledBy`). */
export class OrderCanceledEvent extends OrderEvent {
  @IsIn(['amazon', 'seller']) canceledBy: 'amazon' | 'seller';
  @IsOptional() @IsEnum(CancelReason) reason: CancelReason | null;
  @IsBoolean() notifyAmazon: boolean;
}
export const ORDER_CANCELED = eventContract({ subject: 'order.canceled.v1', version: 1, payload: OrderCanceledEvent });

export class CanceledItem {
  @IsUUID() lineId: string;
  @IsString() orderItemId: string;
  /** Units cancelled now. */
  @IsInt() @Min(1) quantity: number;
  /** Units of the item still ordered after this cancellation (0: the whole item is cancelled). */
  @IsInt() @Min(0) quantityLeft: number;
}

/**
 * The seller cancelled some units of an FBM order (not all of it: that is `order.canceled`).
 * `cancellationId` names this cancellation: inventory shrinks the open delivery once per id,
 * amazon-notifications tells Amazon once per id. `partlyShipped`: something of the order has
 * shipped already (Amazon then takes unit cancellations only, not item-level acknowledgements).
 */
export class OrderItemsCanceledEvent extends OrderEvent {
  @IsUUID() cancellationId: string;
  @IsIn(['seller']) canceledBy: 'seller';
  @IsEnum(CancelReason) reason: CancelReason;
  @IsBoolean() partlyShipped: boolean;
  @ArrayMinSize(1) @ValidateNested({ each: true }) @Type(() => CanceledItem) items: CanceledItem[];
}
export const ORDER_ITEMS_CANCELED = eventContract({ subject: 'order.items-canceled.v1', version: 1, payload: OrderItemsCanceledEvent });
