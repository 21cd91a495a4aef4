import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsEnum,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { DeliveryState, FulfillmentChannel, StockMoveState } from '../common/enums';
import { replyOf, requestContract } from '../common/message-contract';
import { IdRequest, PageQuery, queryBoolean } from '../common/page-query';
import type { Page } from '../common/rpc-error';
import { AMAZON_CARRIER_CODES } from './carrier-codes';
import type { ShipFromRecord } from './location.messages';

export class SkuToResolve {
  @IsString() @MinLength(1) @MaxLength(200) sku: string;
  @IsOptional() @IsString() @MaxLength(1000) title?: string;
  @IsOptional() @IsString() @MaxLength(20) asin?: string;
  /** The marketplace of the order the SKU was first seen on (recorded on a new offer). */
  @IsOptional() @IsString() @MaxLength(20) marketplaceId?: string;
}

/** One request per page of orders: the product of each SKU, creating what is missing. */
export class ResolveProductsRequest {
  @IsUUID() accountId: string;
  @IsOptional() @IsUUID() defaultProductId?: string;
  @ArrayMinSize(1) @ArrayMaxSize(2000) @ValidateNested({ each: true }) @Type(() => SkuToResolve) skus: SkuToResolve[];
}
// Find-or-create by (account, SKU): a new SKU first matches a product whose internal reference is
// the trimmed SKU (case-sensitive), else the default product, else a new product. Asked again, it
// finds the offers the first try created.
export const RESOLVE_PRODUCTS = requestContract({ subject: 'inventory.products.resolve.v1', version: 1, payload: ResolveProductsRequest, reply: replyOf<ResolveProductsResponse>(), idempotent: true });
export interface ResolveProductsResponse {
  offers: { sku: string; productId: string }[];
}

export class ListProductsRequest extends PageQuery {
  @IsOptional() @IsString() @MaxLength(200) search?: string;
}
export const LIST_PRODUCTS = requestContract({ subject: 'inventory.products.list.v1', version: 1, payload: ListProductsRequest, reply: replyOf<Page<ProductView>>() });
export class CreateProductRequest {
  /** @example "Red mug, 350 ml" */
  @IsString() @MinLength(1) @MaxLength(500) name: string;
  /**
   * The seller's reference, unique among products: an Amazon SKU equal to it (both trimmed,
   * case-sensitive) sells this product. Generated (`P-<id>`) when left out.
   * @example "MUG-RED"
   */
  @IsOptional() @IsString() @Matches(/\S/, { message: 'internalReference must not be blank' }) @MaxLength(200) internalReference?: string;
}
export const CREATE_PRODUCT = requestContract({ subject: 'inventory.products.create.v1', version: 1, payload: CreateProductRequest, reply: replyOf<ProductView>() });
export class ProductView {
  id: string;
  /** @example "Red mug, 350 ml" */
  name: string;
  /** @example "MUG-RED" */
  internalReference: string;
  createdAt: string;
}

export class ListOffersRequest extends PageQuery {
  @IsOptional() @IsUUID() accountId?: string;
  /** Exact SKU. */
  @IsOptional() @IsString() @MaxLength(200) sku?: string;
  /** The marketplace the SKU was first seen on. */
  @IsOptional() @IsString() @MaxLength(20) marketplaceId?: string;
  /** `true`: only SKUs that created a new product (the review list). */
  @IsOptional() @Transform(queryBoolean) @IsBoolean() createdProduct?: boolean;
  /** `false`: only those not yet marked reviewed. */
  @IsOptional() @Transform(queryBoolean) @IsBoolean() reviewed?: boolean;
}
export const LIST_OFFERS = requestContract({ subject: 'inventory.offers.list.v1', version: 1, payload: ListOffersRequest, reply: replyOf<Page<OfferView>>() });
export class PutOfferRequest {
  @IsUUID() accountId: string;
  /** @example "MUG-RED-350" */
  @IsString() @MinLength(1) @MaxLength(200) sku: string;
  @IsUUID() productId: string;
  /**
   * How the SKU is fulfilled, when the seller knows it before its orders tell: the offer is then
   * known under this channel only (Stock to Amazon sends the quantity of `FBM` offers only).
   * Absent: the channels its orders showed are kept.
   */
  @IsOptional() @IsEnum(FulfillmentChannel) fulfillmentChannel?: FulfillmentChannel;
}
export const PUT_OFFER = requestContract({ subject: 'inventory.offers.put.v1', version: 1, payload: PutOfferRequest, reply: replyOf<OfferView>() });
export const GET_OFFER = requestContract({ subject: 'inventory.offers.get.v1', version: 1, payload: IdRequest, reply: replyOf<OfferView>() });
export class MapOfferBody {
  /** An existing product: later orders of the offer's SKU use it; orders already stored keep theirs. */
  @IsUUID() productId: string;
}
export class MapOfferRequest extends MapOfferBody {
  @IsUUID() id: string;
}
export const MAP_OFFER = requestContract({ subject: 'inventory.offers.map.v1', version: 1, payload: MapOfferRequest, reply: replyOf<OfferView>() });
// Removes the offer: the next order of its SKU resolves again (by reference, default product, or a new product).
export const UNMAP_OFFER = requestContract({ subject: 'inventory.offers.unmap.v1', version: 1, payload: IdRequest, reply: replyOf<OfferView>() });
export const MARK_OFFER_REVIEWED = requestContract({ subject: 'inventory.offers.reviewed.v1', version: 1, payload: IdRequest, reply: replyOf<OfferView>() });
export class OfferView {
  id: string;
  accountId: string;
  /** @example "MUG-RED-350" */
  sku: string;
  productId: string;
  /** @example "A1PA6795UKMFR9" */
  marketplaceId: string | null;
  /** How the SKU got the product it has: `reference` (a product with that internal reference), `created` (a new product), `default` (the account's default product), `manual` (through the API). */
  matchedBy: 'reference' | 'created' | 'default' | 'manual';
  /** True when this SKU created its product: listed for review until marked reviewed. */
  createdProduct: boolean;
  /** The channels the SKU's orders came under (or the seller set): `FBM`, `FBA`, both, or none known yet. Stock to Amazon sends only offers known `FBM` and never seen `FBA`. */
  fulfillmentChannels: FulfillmentChannel[];
  reviewedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export class ListDeliveriesRequest extends PageQuery {
  @IsOptional() @IsUUID() orderId?: string;
  @IsOptional() @IsUUID() accountId?: string;
  @IsOptional() @IsEnum(DeliveryState) state?: DeliveryState;
  /** `true`: only ready deliveries on hold (the buyer asked to cancel); `false`: none of them. */
  @IsOptional() @Transform(queryBoolean) @IsBoolean() onHold?: boolean;
  /** Only deliveries Amazon wants shipped by this time at the latest (their latestShipDate). @example "2026-12-08T23:59:59.000Z" */
  @IsOptional() @IsISO8601({ strict: true, strictSeparator: true }) shipByBefore?: string;
  /**
   * `created` (default): oldest first. `shipBy`: the most urgent first, by latestShipDate
   * (deliveries without one last), so the warehouse picks what must leave soonest.
   */
  @IsOptional() @IsIn(['created', 'shipBy']) sort?: 'created' | 'shipBy';
}
export const LIST_DELIVERIES = requestContract({ subject: 'inventory.deliveries.list.v1', version: 1, payload: ListDeliveriesRequest, reply: replyOf<Page<DeliveryView>>() });
export const GET_DELIVERY = requestContract({ subject: 'inventory.deliveries.get.v1', version: 1, payload: IdRequest, reply: replyOf<DeliveryView>() });
/**
 * The seller lifts the hold a buyer's cancellation request put on a ready delivery (they ship
 * after all); it can be validated again. The request stays on the delivery, flagged.
 */
export const RELEASE_DELIVERY = requestContract({ subject: 'inventory.deliveries.release.v1', version: 1, payload: IdRequest, reply: replyOf<DeliveryView>() });

/** An order's units per order item in validated or done deliveries: what can no longer be cancelled. */
export class ShippedQuantitiesRequest {
  @IsUUID() orderId: string;
}
export interface ShippedQuantitiesResponse {
  /** Units of each order item in done deliveries (validated here, or shipped outside the connector). */
  shipped: { orderItemId: string; quantity: number }[];
  /**
   * The order's validated (done) deliveries: a shipment claim of a delivery not among them, older than
   * a validation can take, is one whose validation never committed (order-ingestion drops it). Absent
   * from answers of earlier releases (no claim is dropped then).
   */
  validatedDeliveries?: string[];
}
export const GET_SHIPPED_QUANTITIES = requestContract({ subject: 'inventory.deliveries.shipped-quantities.v1', version: 1, payload: ShippedQuantitiesRequest, reply: replyOf<ShippedQuantitiesResponse>(), idempotent: true });

export class ValidateDeliveryLine {
  /** @example "12345678901234" */
  @IsString() @MaxLength(50) orderItemId: string;
  /** @example 1 */
  @IsInt() @Min(0) quantity: number;
}
export class ValidateDeliveryBody {
  /** One of Amazon's carrier codes (GET /api/v1/carriers); or give `carrier` instead. @example "DHL" */
  @ValidateIf((body: ValidateDeliveryBody) => body.carrierCode !== undefined || body.carrier === undefined)
  @IsIn(AMAZON_CARRIER_CODES, { message: 'carrierCode must be one of Amazon\'s carrier codes (use Other with carrierName)' })
  carrierCode?: string;
  /**
   * The carrier as the seller calls it, instead of `carrierCode`: a name mapped through
   * /api/v1/carrier-mappings, else one of Amazon's codes (any case), else Amazon is told
   * `Other` with this name. @example "dhl paket"
   */
  @ValidateIf((body: ValidateDeliveryBody) => body.carrier !== undefined)
  @IsString() @Matches(/\S/, { message: 'carrier must not be empty' }) @MaxLength(100)
  @ValidateBy({ name: 'carrierOrCarrierCode', validator: { validate: (_v, args) => (args?.object as ValidateDeliveryBody).carrierCode === undefined, defaultMessage: () => 'give carrier or carrierCode, not both' } })
  carrier?: string;
  /** With carrierCode Other: the carrier's name (`carrier` brings its own). */
  @ValidateIf((body: ValidateDeliveryBody) => body.carrierCode === 'Other' || body.carrierName !== undefined)
  @IsString() @MinLength(1) @MaxLength(100)
  @ValidateBy({ name: 'carrierNameWithCarrierCode', validator: { validate: (_v, args) => (args?.object as ValidateDeliveryBody).carrier === undefined, defaultMessage: () => 'carrierName goes with carrierCode, not with carrier' } })
  carrierName?: string;
  /** @example "00340434161094042557" */
  @IsString() @MinLength(1) @MaxLength(100) trackingNumber: string;
  /** @example "Paket" */
  @IsOptional() @IsString() @MaxLength(100) shippingMethod?: string;
  /** @example "2026-12-06T16:00:00.000Z" */
  @IsOptional() @IsISO8601({ strict: true }) shipDate?: string;
  @IsOptional() @ArrayMinSize(1) @ValidateNested({ each: true }) @Type(() => ValidateDeliveryLine) lines?: ValidateDeliveryLine[];
}
export class ValidateDeliveryRequest extends ValidateDeliveryBody {
  @IsUUID() id: string;
}
export const VALIDATE_DELIVERY = requestContract({ subject: 'inventory.deliveries.validate.v1', version: 1, payload: ValidateDeliveryRequest, reply: replyOf<DeliveryView>() });

export class DeliveryView {
  id: string;
  orderId: string;
  accountId: string;
  marketplaceId: string;
  /** @example "405-1234567-1234567" */
  amazonOrderId: string;
  contactId: string;
  deliveryAddressId: string;
  state: DeliveryState;
  packageReferenceId: string;
  backorderOfId: string | null;
  giftMessage: string | null;
  /** Amazon's promised ship-by window of the order (null when Amazon gave none). @example "2026-12-07T00:00:00.000Z" */
  earliestShipDate: string | null;
  /** Ship by this time to keep Amazon's promise. @example "2026-12-08T23:59:59.000Z" */
  latestShipDate: string | null;
  /** @example "2026-12-09T00:00:00.000Z" */
  earliestDeliveryDate: string | null;
  /** @example "2026-12-11T23:59:59.000Z" */
  latestDeliveryDate: string | null;
  /** A Prime order (Seller Fulfilled Prime): its promise is short. */
  isPrime: boolean;
  /** The buyer asked Amazon to cancel the order. */
  buyerCancelRequested: boolean;
  /** @example "Order created by mistake" */
  buyerCancelReason: string | null;
  /** True while a ready delivery is held: validating it is refused (409) until the order is cancelled or the hold released. */
  onHold: boolean;
  /** Why it is (or was) held: `buyer-cancel-request`. */
  holdReason: 'buyer-cancel-request' | null;
  heldAt: string | null;
  /** When the seller released the hold (POST /api/v1/deliveries/:id/release). */
  holdReleasedAt: string | null;
  /** @example "DHL" */
  carrierCode: string | null;
  carrierName: string | null;
  /** @example "00340434161094042557" */
  trackingNumber: string | null;
  shippingMethod: string | null;
  shipDate: string | null;
  /**
   * When Amazon reported this delivery shipped without the connector confirming it (shipped
   * from Seller Central or with Buy Shipping); null otherwise. Such a delivery is done and
   * cannot be validated.
   */
  shippedOutsideAt: string | null;
  /**
   * The warehouse it ships from: while ready, its stock location as it is now; once validated,
   * as it was then (what went with the confirmation). Null when it has no stock moves.
   */
  shipFrom: ShipFromRecord | null;
  moves: StockMoveView[];
  createdAt: string;
}

export class ListStockMovesRequest extends PageQuery {
  @IsOptional() @IsUUID() orderId?: string;
  @IsOptional() @IsUUID() productId?: string;
  @IsOptional() @IsEnum(StockMoveState) state?: StockMoveState;
}
export const LIST_STOCK_MOVES = requestContract({ subject: 'inventory.stock-moves.list.v1', version: 1, payload: ListStockMovesRequest, reply: replyOf<Page<StockMoveView>>() });
export class StockMoveView {
  id: string;
  orderId: string | null;
  orderLineId: string | null;
  orderItemId: string | null;
  deliveryId: string | null;
  productId: string;
  quantity: number;
  fromLocationId: string;
  toLocationId: string;
  state: StockMoveState;
  reason: string;
  doneAt: string | null;
}

export class ListStockRequest extends PageQuery {
  @IsOptional() @IsUUID() productId?: string;
  @IsOptional() @IsUUID() locationId?: string;
}
export const LIST_STOCK = requestContract({ subject: 'inventory.stock.list.v1', version: 1, payload: ListStockRequest, reply: replyOf<Page<StockLevelView>>() });
export class StockLevelView {
  productId: string;
  locationId: string;
  /** @example "Stock" */
  locationName: string;
  /** @example 12 */
  quantity: number;
}

export class AdjustStockRequest {
  @IsUUID() productId: string;
  @IsUUID() locationId: string;
  /** @example 12 */
  @IsInt() @Min(0) quantity: number;
}
export const ADJUST_STOCK = requestContract({ subject: 'inventory.stock.adjust.v1', version: 1, payload: AdjustStockRequest, reply: replyOf<StockLevelView>() });


