import { IsEnum, IsISO8601, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { CancelReason, FulfillmentChannel, SalesOrderLineKind, SalesOrderStatus } from '../common/enums';
import { PageQuery } from '../common/page-query';

export const LIST_ORDERS = 'ingestion.orders.list.v1';
export class ListOrdersRequest extends PageQuery {
  @IsOptional() @IsUUID() accountId?: string;
  @IsOptional() @Matches(/^[A-Z0-9]{8,20}$/) marketplaceId?: string;
  @IsOptional() @IsEnum(FulfillmentChannel) channel?: FulfillmentChannel;
  @IsOptional() @IsEnum(SalesOrderStatus) status?: SalesOrderStatus;
  @IsOptional() @IsString() @MaxLength(50) amazonOrderId?: string;
  @IsOptional() @IsISO8601({ strict: true, strictSeparator: true }) updatedSince?: string;
}

export const GET_ORDER = 'ingestion.orders.get.v1';

export const CANCEL_ORDER = 'ingestion.orders.cancel.v1';
export class CancelOrderBody {
  @IsEnum(CancelReason) reason: CancelReason;
}
export class CancelOrderRequest extends CancelOrderBody {
  @IsUUID() id: string;
}

export const LIST_QUARANTINED_ORDERS = 'ingestion.quarantine.list.v1';
export class ListQuarantinedOrdersRequest extends PageQuery {
  @IsOptional() @IsUUID() accountId?: string;
}
/** An Amazon order that could not be synced yet (reconciliation or data errors); it is tried again. */
export class QuarantinedOrderView {
  id: string;
  accountId: string;
  /** @example "405-1234567-1234567" */
  amazonOrderId: string;
  /** @example "A1PA6795UKMFR9" */
  marketplaceId: string;
  /** @example "lines total 41.99 does not reconcile with Amazon's 42.99" */
  reason: string;
  attempts: number;
  firstSeenAt: string;
  lastAttemptAt: string;
}

export class SalesOrderLineView {
  id: string;
  kind: SalesOrderLineKind;
  orderItemId: string | null;
  sku: string | null;
  asin: string | null;
  productId: string | null;
  name: string;
  description: string | null;
  quantity: number;
  quantityShipped: number;
  currency: string;
  unitPriceTaxIncluded: string;
  unitPriceTaxExcluded: string;
  amountTaxIncluded: string;
  amountTaxExcluded: string;
  taxAmount: string;
  /** taxAmount per unit, rounded to the cent like the unit prices (taxAmount is exact). */
  unitTaxAmount: string;
  discountTaxIncluded: string;
  discountTaxExcluded: string;
  totalTaxIncluded: string;
  totalTaxExcluded: string;
  promotionIds: string[];
  giftWrapLevel: string | null;
  giftMessage: string | null;
}

export class SalesOrderView {
  id: string;
  accountId: string;
  marketplaceId: string;
  amazonOrderId: string;
  channel: FulfillmentChannel;
  status: SalesOrderStatus;
  amazonStatus: string;
  currency: string;
  purchasedAt: string;
  amazonUpdatedAt: string;
  contactId: string;
  deliveryAddressId: string;
  isBusinessOrder: boolean;
  giftMessage: string | null;
  amazonTotal: string | null;
  linesTotal: string;
  reconciled: boolean;
  cancelReason: string | null;
  canceledBy: 'amazon' | 'seller' | null;
  cancelError: string | null;
  deliveryState: string | null;
  amazonNotificationState: string | null;
  amazonNotificationError: string | null;
  lines: SalesOrderLineView[];
  createdAt: string;
  updatedAt: string;
}
