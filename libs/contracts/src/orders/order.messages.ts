import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsEnum, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, MaxLength, Min, ValidateNested } from 'class-validator';
import { CancelReason, FulfillmentChannel, SalesOrderLineKind, SalesOrderStatus } from '../common/enums';
import { replyOf, requestContract } from '../common/message-contract';
import { IdRequest, PageQuery } from '../common/page-query';
import type { Page } from '../common/rpc-error';
import { BUYER_SEARCH, BUYER_SEARCH_MESSAGE } from '../partners/partner.messages';

/** A calendar date, or a date and time (no week or ordinal dates). */
const PURCHASE_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const PURCHASE_DATE_MESSAGE = (field: string) => `${field} must be a date (2026-12-06) or a date and time (2026-12-06T14:00:00Z)`;

export class ListOrdersRequest extends PageQuery {
  @IsOptional() @IsUUID() accountId?: string;
  @IsOptional() @Matches(/^[A-Z0-9]{8,20}$/) marketplaceId?: string;
  @IsOptional() @IsEnum(FulfillmentChannel) channel?: FulfillmentChannel;
  @IsOptional() @IsEnum(SalesOrderStatus) status?: SalesOrderStatus;
  @IsOptional() @IsString() @MaxLength(50) amazonOrderId?: string;
  @IsOptional() @IsISO8601({ strict: true, strictSeparator: true }) updatedSince?: string;
  /**
   * The buyer's whole name or e-mail address, exactly (any case, accents, punctuation or spacing):
   * buyers' data is sealed, so it is found through keyed hashes, never by a part of it. At least
   * one letter or digit: punctuation alone ("-") is no one's name.
   * @example "Jane Doe"
   */
  @IsOptional() @IsString() @Matches(BUYER_SEARCH, { message: BUYER_SEARCH_MESSAGE }) @MaxLength(300) buyer?: string;
  /** Orders with a line of this seller SKU. @example "MUG-RED-350" */
  @IsOptional() @IsString() @Matches(/\S/, { message: 'sku must not be blank' }) @MaxLength(200) sku?: string;
  /** Bought at or after this instant (a date alone: from its start; without an offset: UTC). @example "2026-12-01" */
  @IsOptional() @IsISO8601({ strict: true, strictSeparator: true }) @Matches(PURCHASE_DATE, { message: PURCHASE_DATE_MESSAGE('purchasedFrom') }) purchasedFrom?: string;
  /** Bought at or before this instant (a date alone: to its end; without an offset: UTC). @example "2026-12-06" */
  @IsOptional() @IsISO8601({ strict: true, strictSeparator: true }) @Matches(PURCHASE_DATE, { message: PURCHASE_DATE_MESSAGE('purchasedTo') }) purchasedTo?: string;
}
export const LIST_ORDERS = requestContract({ subject: 'ingestion.orders.list.v1', version: 1, payload: ListOrdersRequest, reply: replyOf<Page<SalesOrderView>>() });

export const GET_ORDER = requestContract({ subject: 'ingestion.orders.get.v1', version: 1, payload: IdRequest, reply: replyOf<SalesOrderView>() });

/**
 * Recover one order: order-ingestion fetches it from Amazon at once (getOrder on the account's
 * Orders API version) and writes it as the sync would, whatever the account's cursor says.
 */
export class RecoverOrderRequest {
  @IsUUID() accountId: string;
  /** Amazon's order id as Amazon writes it (digits and dashes, e.g. 405-1234567-1234567). */
  @Matches(/^[0-9A-Za-z-]{1,50}$/, { message: 'amazonOrderId must be 1 to 50 letters, digits or dashes' }) amazonOrderId: string;
}
export const RECOVER_ORDER = requestContract({ subject: 'ingestion.orders.recover.v1', version: 1, payload: RecoverOrderRequest, reply: replyOf<SalesOrderView>() });

/** Units of one order item to cancel. */
export class CancelOrderItemInput {
  /** @example "12345678901234" */
  @IsString() @MaxLength(50) orderItemId: string;
  /** @example 1 */
  @IsInt() @Min(1) quantity: number;
}

export class CancelOrderBody {
  @IsEnum(CancelReason) reason: CancelReason;
  /**
   * Cancel only these units (FBM orders): each item's quantity at most what is still open (not
   * shipped, not already cancelled, not in a validated delivery). Without it, the whole order.
   */
  @IsOptional() @ArrayMinSize(1) @ArrayMaxSize(500) @ValidateNested({ each: true }) @Type(() => CancelOrderItemInput) items?: CancelOrderItemInput[];
}
export class CancelOrderRequest extends CancelOrderBody {
  @IsUUID() id: string;
}
export const CANCEL_ORDER = requestContract({ subject: 'ingestion.orders.cancel.v1', version: 1, payload: CancelOrderRequest, reply: replyOf<SalesOrderView>() });

/** Units of one order item a delivery ships. */
export class UnitsToShipItem {
  @IsString() @MaxLength(50) orderItemId: string;
  @IsInt() @Min(1) quantity: number;
}
/**
 * Inventory, validating a delivery, claims its units at order-ingestion first: under the order's
 * lock, each item's units claimed by the order's deliveries may not exceed what the order has not
 * cancelled, and a cancellation of units (also under that lock) may not take claimed ones. So a
 * unit is either shipped or cancelled, never both, whichever of the two comes first. The same
 * delivery claiming again replaces its claim (a retried validation).
 */
export class ClaimUnitsToShipRequest {
  @IsUUID() orderId: string;
  @IsUUID() deliveryId: string;
  @ArrayMinSize(1) @ArrayMaxSize(500) @ValidateNested({ each: true }) @Type(() => UnitsToShipItem) items: UnitsToShipItem[];
}
export interface ClaimUnitsToShipResponse {
  claimed: true;
}
/** How long inventory waits for the claim's answer: order-ingestion gives up waiting for the order's lock well before (CLAIM_LOCK_TIMEOUT_MS). */
export const CLAIM_UNITS_TO_SHIP_TIMEOUT_MS = 15_000;
export const CLAIM_LOCK_TIMEOUT_MS = 5_000;
export const CLAIM_UNITS_TO_SHIP = requestContract({ subject: 'ingestion.orders.claim-units-to-ship.v1', version: 1, payload: ClaimUnitsToShipRequest, reply: replyOf<ClaimUnitsToShipResponse>(), idempotent: true });

export class ListQuarantinedOrdersRequest extends PageQuery {
  @IsOptional() @IsUUID() accountId?: string;
}
export const LIST_QUARANTINED_ORDERS = requestContract({ subject: 'ingestion.quarantine.list.v1', version: 1, payload: ListQuarantinedOrdersRequest, reply: replyOf<Page<QuarantinedOrderView>>() });
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
  /**
   * Why its last retry failed, when that was not the order's own doing (refused credentials, Amazon's 404 or 5xx, an
   * outage): `reason` stays what it was quarantined for. Null once a retry failed on the order itself.
   * @example "getOrder: 404 NotFound: the order was not found"
   */
  lastRetryError: string | null;
  attempts: number;
  firstSeenAt: string;
  lastAttemptAt: string;
  /**
   * Amazon's order as it was last read, to see what is wrong with it: without the buyer, the recipient (but for
   * the country, region and postal code) and gift messages. Null for an order quarantined before it was kept.
   */
  rawOrder: Record<string, unknown> | null;
}

export class SalesOrderLineView {
  id: string;
  kind: SalesOrderLineKind;
  /** @example "12345678901234" */
  orderItemId: string | null;
  /** @example "MUG-RED-350" */
  sku: string | null;
  /** @example "B0C1234567" */
  asin: string | null;
  productId: string | null;
  /** @example "Red mug, 350 ml" */
  name: string;
  description: string | null;
  /** @example 2 */
  quantity: number;
  quantityShipped: number;
  /** Units cancelled (by the seller here, or by Amazon): `quantity` less these and those shipped is what is left to ship. */
  quantityCancelled: number;
  /** @example "EUR" */
  currency: string;
  /** @example "11.90" */
  unitPriceTaxIncluded: string;
  /** @example "10.00" */
  unitPriceTaxExcluded: string;
  /** @example "23.80" */
  amountTaxIncluded: string;
  /** @example "20.00" */
  amountTaxExcluded: string;
  /** @example "3.80" */
  taxAmount: string;
  /** taxAmount per unit, rounded to the cent like the unit prices (taxAmount is exact). */
  unitTaxAmount: string;
  /** @example "0.00" */
  discountTaxIncluded: string;
  discountTaxExcluded: string;
  /** @example "23.80" */
  totalTaxIncluded: string;
  /** @example "20.00" */
  totalTaxExcluded: string;
  promotionIds: string[];
  giftWrapLevel: string | null;
  giftMessage: string | null;
  /** The buyer asked Amazon to cancel this item (Amazon's cancellation request, requester BUYER). */
  buyerCancelRequested: boolean;
  /** @example "Order created by mistake" */
  buyerCancelReason: string | null;
}

export class SalesOrderView {
  id: string;
  accountId: string;
  /** @example "A1PA6795UKMFR9" */
  marketplaceId: string;
  /** @example "405-1234567-1234567" */
  amazonOrderId: string;
  channel: FulfillmentChannel;
  status: SalesOrderStatus;
  /** @example "Unshipped" */
  amazonStatus: string;
  /** @example "EUR" */
  currency: string;
  /** @example "2026-12-06T20:14:00.000Z" */
  purchasedAt: string;
  amazonUpdatedAt: string;
  contactId: string;
  deliveryAddressId: string;
  isBusinessOrder: boolean;
  /** Amazon Prime (for an FBM order: Seller Fulfilled Prime, with its shorter promise). */
  isPrime: boolean;
  /** A replacement Amazon sends for an earlier order (`replacedOrderId`, when Amazon names it). */
  isReplacementOrder: boolean;
  /** @example "405-7654321-7654321" */
  replacedOrderId: string | null;
  /** Amazon's promised ship-by window (FBM; null when Amazon gives none). @example "2026-12-07T00:00:00.000Z" */
  earliestShipDate: string | null;
  /** The latest the seller ships by to keep the promise. @example "2026-12-08T23:59:59.000Z" */
  latestShipDate: string | null;
  /** @example "2026-12-09T00:00:00.000Z" */
  earliestDeliveryDate: string | null;
  /** @example "2026-12-11T23:59:59.000Z" */
  latestDeliveryDate: string | null;
  /** The buyer asked to cancel (any item of the order): its delivery is held until the seller cancels or releases it. */
  buyerCancelRequested: boolean;
  /** The buyer's reasons, as Amazon gives them (kept like gift messages: forgotten with the order's personal data). @example "Order created by mistake" */
  buyerCancelReason: string | null;
  giftMessage: string | null;
  /** @example "28.70" */
  amazonTotal: string | null;
  /** @example "28.70" */
  linesTotal: string;
  /** @example true */
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
