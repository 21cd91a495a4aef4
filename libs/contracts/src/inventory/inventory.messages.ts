import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsEnum,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { DeliveryState, StockMoveState } from '../common/enums';
import { PageQuery } from '../common/page-query';
import { AMAZON_CARRIER_CODES } from './carrier-codes';

export class SkuToResolve {
  @IsString() @MinLength(1) @MaxLength(200) sku: string;
  @IsOptional() @IsString() @MaxLength(1000) title?: string;
  @IsOptional() @IsString() @MaxLength(20) asin?: string;
}

/** One request per page of orders: the product of each SKU, creating what is missing. */
export const RESOLVE_PRODUCTS = 'inventory.products.resolve.v1';
export class ResolveProductsRequest {
  @IsUUID() accountId: string;
  @IsOptional() @IsUUID() defaultProductId?: string;
  @ArrayMinSize(1) @ArrayMaxSize(2000) @ValidateNested({ each: true }) @Type(() => SkuToResolve) skus: SkuToResolve[];
}
export interface ResolveProductsResponse {
  offers: { sku: string; productId: string }[];
}

export const LIST_PRODUCTS = 'inventory.products.list.v1';
export class ListProductsRequest extends PageQuery {
  @IsOptional() @IsString() @MaxLength(200) search?: string;
}
export const CREATE_PRODUCT = 'inventory.products.create.v1';
export class CreateProductRequest {
  /** @example "Red mug, 350 ml" */
  @IsString() @MinLength(1) @MaxLength(500) name: string;
  /** @example "MUG-RED" */
  @IsOptional() @IsString() @MaxLength(200) internalReference?: string;
}
export class ProductView {
  id: string;
  /** @example "Red mug, 350 ml" */
  name: string;
  /** @example "MUG-RED" */
  internalReference: string | null;
  createdAt: string;
}

export const LIST_OFFERS = 'inventory.offers.list.v1';
export class ListOffersRequest extends PageQuery {
  @IsOptional() @IsUUID() accountId?: string;
  @IsOptional() @IsString() @MaxLength(200) sku?: string;
}
export const PUT_OFFER = 'inventory.offers.put.v1';
export class PutOfferRequest {
  @IsUUID() accountId: string;
  /** @example "MUG-RED-350" */
  @IsString() @MinLength(1) @MaxLength(200) sku: string;
  @IsUUID() productId: string;
}
export class OfferView {
  id: string;
  accountId: string;
  /** @example "MUG-RED-350" */
  sku: string;
  productId: string;
}

export const LIST_DELIVERIES = 'inventory.deliveries.list.v1';
export class ListDeliveriesRequest extends PageQuery {
  @IsOptional() @IsUUID() orderId?: string;
  @IsOptional() @IsUUID() accountId?: string;
  @IsOptional() @IsEnum(DeliveryState) state?: DeliveryState;
}
export const GET_DELIVERY = 'inventory.deliveries.get.v1';

export class ValidateDeliveryLine {
  /** @example "12345678901234" */
  @IsString() @MaxLength(50) orderItemId: string;
  /** @example 1 */
  @IsInt() @Min(0) quantity: number;
}
export class ValidateDeliveryBody {
  /** @example "DHL" */
  @IsIn(AMAZON_CARRIER_CODES, { message: 'carrierCode must be one of Amazon\'s carrier codes (use Other with carrierName)' })
  carrierCode: string;
  @ValidateIf((body: ValidateDeliveryBody) => body.carrierCode === 'Other' || body.carrierName !== undefined)
  @IsString() @MinLength(1) @MaxLength(100)
  carrierName?: string;
  /** @example "00340434161094042557" */
  @IsString() @MinLength(1) @MaxLength(100) trackingNumber: string;
  /** @example "Paket" */
  @IsOptional() @IsString() @MaxLength(100) shippingMethod?: string;
  /** @example "2026-12-06T16:00:00.000Z" */
  @IsOptional() @IsISO8601({ strict: true }) shipDate?: string;
  @IsOptional() @ArrayMinSize(1) @ValidateNested({ each: true }) @Type(() => ValidateDeliveryLine) lines?: ValidateDeliveryLine[];
}
export const VALIDATE_DELIVERY = 'inventory.deliveries.validate.v1';
export class ValidateDeliveryRequest extends ValidateDeliveryBody {
  @IsUUID() id: string;
}

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
  /** @example "DHL" */
  carrierCode: string | null;
  carrierName: string | null;
  /** @example "00340434161094042557" */
  trackingNumber: string | null;
  shippingMethod: string | null;
  shipDate: string | null;
  moves: StockMoveView[];
  createdAt: string;
}

export const LIST_STOCK_MOVES = 'inventory.stock-moves.list.v1';
export class ListStockMovesRequest extends PageQuery {
  @IsOptional() @IsUUID() orderId?: string;
  @IsOptional() @IsUUID() productId?: string;
  @IsOptional() @IsEnum(StockMoveState) state?: StockMoveState;
}
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

export const LIST_STOCK = 'inventory.stock.list.v1';
export class ListStockRequest extends PageQuery {
  @IsOptional() @IsUUID() productId?: string;
  @IsOptional() @IsUUID() locationId?: string;
}
export class StockLevelView {
  productId: string;
  locationId: string;
  /** @example "Stock" */
  locationName: string;
  /** @example 12 */
  quantity: number;
}

export const ADJUST_STOCK = 'inventory.stock.adjust.v1';
export class AdjustStockRequest {
  @IsUUID() productId: string;
  @IsUUID() locationId: string;
  /** @example 12 */
  @IsInt() @Min(0) quantity: number;
}

/** A page of locations ({ items, nextCursor }), oldest first, like every other list. */
export const LIST_LOCATIONS = 'inventory.locations.list.v1';
export class ListLocationsRequest extends PageQuery {}
export class LocationView {
  id: string;
  /** @example "Stock" */
  name: string;
  kind: 'fba' | 'stock' | 'customers' | 'inventory_adjustment';
  accountId: string | null;
}

