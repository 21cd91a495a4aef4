import { Type } from 'class-transformer';
import { ArrayMinSize, IsBoolean, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Min, ValidateNested } from 'class-validator';
import { eventContract } from '../common/message-contract';
import { ShipFromRecord } from './location.messages';

export class DeliveryCreatedEvent {
  @IsUUID() deliveryId: string;
  @IsUUID() orderId: string;
  @IsUUID() accountId: string;
}
export const DELIVERY_CREATED = eventContract({ subject: 'delivery.created.v1', version: 1, payload: DeliveryCreatedEvent });

export class ShippedItem {
  @IsString() orderItemId: string;
  @IsInt() @Min(1) quantity: number;
}

/**
 * Which of an order's delivery events is newer: inventory counts them per order (validated,
 * cancelled), so a consumer that keeps the order's delivery state ignores an older one that
 * arrives after a newer one. Absent from events of earlier releases: applied as before.
 */
export abstract class OrderFulfillmentEvent {
  @IsOptional() @IsInt() @Min(1) fulfillmentVersion?: number;
}

/** The seller shipped a package: what amazon-notifications confirms to Amazon. */
export class DeliveryValidatedEvent extends OrderFulfillmentEvent {
  @IsUUID() deliveryId: string;
  @IsUUID() orderId: string;
  @IsUUID() accountId: string;
  @IsString() marketplaceId: string;
  @IsString() amazonOrderId: string;
  @IsString() packageReferenceId: string;
  @IsString() carrierCode: string;
  @IsOptional() @IsString() carrierName: string | null;
  @IsString() trackingNumber: string;
  @IsOptional() @IsString() shippingMethod: string | null;
  @IsISO8601() shipDate: string;
  @ArrayMinSize(1) @ValidateNested({ each: true }) @Type(() => ShippedItem) items: ShippedItem[];
  /** True when nothing of the order is left to ship. */
  @IsBoolean() fullyShipped: boolean;
  /** Amazon's supply source id of the warehouse it shipped from, when that location has one (absent from earlier releases' events). */
  @IsOptional() @IsString() shipFromSupplySourceId?: string | null;
  /** The warehouse it shipped from, address included, for the confirmation's record (absent from earlier releases' events). */
  @IsOptional() @ValidateNested() @Type(() => ShipFromRecord) shipFrom?: ShipFromRecord | null;
}
export const DELIVERY_VALIDATED = eventContract({ subject: 'delivery.validated.v1', version: 1, payload: DeliveryValidatedEvent });

/**
 * Amazon reports (part of) an open delivery shipped that the connector never confirmed (the
 * seller shipped it from Seller Central or with Buy Shipping): inventory closed it for those
 * quantities. No shipment confirmation is ever sent for it, so amazon-notifications does not
 * consume this event.
 */
export class DeliveryShippedOutsideEvent extends OrderFulfillmentEvent {
  @IsUUID() deliveryId: string;
  @IsUUID() orderId: string;
  @IsUUID() accountId: string;
  @IsString() amazonOrderId: string;
  /** When Amazon reported it shipped (its LastUpdateDate). */
  @IsISO8601() shippedAt: string;
  @ArrayMinSize(1) @ValidateNested({ each: true }) @Type(() => ShippedItem) items: ShippedItem[];
  /** True when nothing of the order is left to ship. */
  @IsBoolean() fullyShipped: boolean;
}
export const DELIVERY_SHIPPED_OUTSIDE = eventContract({ subject: 'delivery.shipped-outside.v1', version: 1, payload: DeliveryShippedOutsideEvent });

export class DeliveryCanceledEvent extends OrderFulfillmentEvent {
  @IsUUID() deliveryId: string;
  @IsUUID() orderId: string;
  @IsUUID() accountId: string;
  /**
   * The seller cancelled what was left of a partly shipped order: nothing of it is left to ship,
   * so the order's delivery is done, not cancelled. Absent from earlier releases' events.
   */
  @IsOptional() @IsBoolean() fullyShipped?: boolean;
}
export const DELIVERY_CANCELED = eventContract({ subject: 'delivery.canceled.v1', version: 1, payload: DeliveryCanceledEvent });

/** A SKU now sells another product (null: unmapped): order-ingestion keeps its SKU → product lookup in step. */
export class OfferChangedEvent {
  @IsUUID() accountId: string;
  @IsString() sku: string;
  @IsOptional() @IsUUID() productId: string | null;
}
export const OFFER_CHANGED = eventContract({ subject: 'offer.changed.v1', version: 1, payload: OfferChangedEvent });
