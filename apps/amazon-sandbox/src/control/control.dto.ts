import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsPositive,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { MARKETPLACES } from '../store/marketplaces';
import { FULFILLMENT_STATUSES } from '../store/order.types';
import { USAGE_PLANS } from '../rate-limits/operations';
import { PARTICIPATION_ONLY_MARKETPLACES } from '../sellers/sellers.controller';

const KNOWN_MARKETPLACE_IDS = MARKETPLACES.map((m) => m.marketplaceId);

export class UpsertSellerDto {
  @IsString() @IsNotEmpty() sellerId: string;
  @IsString() @IsNotEmpty() clientId: string;
  @IsString() @IsNotEmpty() clientSecret: string;
  @IsString() @IsNotEmpty() refreshToken: string;
  @IsArray() @ArrayNotEmpty() @IsString({ each: true }) marketplaceIds: string[];
}

export class GenerateOrdersDto {
  @IsInt() @Min(1) @Max(20000) count: number;
  @IsOptional() @Transform(({ value }) => (typeof value === 'number' ? String(value) : value)) @IsString() seed?: string;
  @IsOptional() @IsArray() @ArrayNotEmpty() @IsIn(KNOWN_MARKETPLACE_IDS, { each: true }) marketplaceIds?: string[];
  @IsOptional() @IsIn(['AMAZON', 'MERCHANT', 'MIXED']) fulfilledBy?: 'AMAZON' | 'MERCHANT' | 'MIXED';
  @IsOptional() @IsArray() @ArrayNotEmpty() @IsIn(FULFILLMENT_STATUSES, { each: true }) statuses?: (typeof FULFILLMENT_STATUSES)[number][];
  @IsOptional() @IsISO8601() createdFrom?: string;
  @IsOptional() @IsISO8601() createdTo?: string;
  @IsOptional() @Matches(/^\d{1,10}$/, { message: 'orderIdPrefix must be 1 to 10 digits' }) orderIdPrefix?: string;
}

class SalesChannelDto {
  @IsString() @IsNotEmpty() channelName: string;
  @IsIn(KNOWN_MARKETPLACE_IDS) marketplaceId: string;
  @IsOptional() @IsString() marketplaceName?: string;
}

class OrderFulfillmentDto {
  @IsIn(FULFILLMENT_STATUSES) fulfillmentStatus: string;
  @IsIn(['MERCHANT', 'AMAZON']) fulfilledBy: string;
}

class ProductDto {
  @IsOptional() @IsString() sellerSku?: string;
}

class OrderItemDto {
  @IsString() @IsNotEmpty() orderItemId: string;
  @IsInt() @Min(0) quantityOrdered: number;
  @IsObject() @ValidateNested() @Type(() => ProductDto) product: ProductDto;
}

/** One explicit order in the v2026-01-01 Order shape; only what the sandbox relies on is checked, the rest is stored as given. */
export class ExplicitOrderDto {
  @Matches(/^\S+$/, { message: 'orderId must be a non-empty id without spaces' }) orderId: string;
  @IsISO8601() createdTime: string;
  @IsISO8601() lastUpdatedTime: string;
  @IsObject() @ValidateNested() @Type(() => SalesChannelDto) salesChannel: SalesChannelDto;
  @IsObject() @ValidateNested() @Type(() => OrderFulfillmentDto) fulfillment: OrderFulfillmentDto;
  @IsArray() @ArrayNotEmpty() @ValidateNested({ each: true }) @Type(() => OrderItemDto) orderItems: OrderItemDto[];
}

export class MoveStatusDto {
  @IsIn(FULFILLMENT_STATUSES) status: (typeof FULFILLMENT_STATUSES)[number];
  @IsOptional() @IsIn(['BUYER', 'MERCHANT', 'AMAZON']) cancelledBy?: 'BUYER' | 'MERCHANT' | 'AMAZON';
  @IsOptional() @IsString() cancelReason?: string;
}

export class ClockDto {
  @IsOptional() @IsNumber() @Min(0) advanceSeconds?: number;
  @IsOptional() @IsNumber() @IsPositive() timeScale?: number;
  @IsOptional() @IsBoolean() rateLimits?: boolean;
}

class ThrottleStormDto {
  @IsInt() @Min(1) count: number;
}

export class FaultDto {
  @IsOptional() @IsIn(['*', ...Object.keys(USAGE_PLANS)]) operation?: string;
  @IsOptional() @IsString() @IsNotEmpty() sellerId?: string;
  @IsOptional() @IsIn([400, 404, 500, 503]) status?: 400 | 404 | 500 | 503;
  @IsOptional() @IsNumber() @Min(0) @Max(1) rate?: number;
  @IsOptional() @IsInt() @Min(1) count?: number;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ThrottleStormDto) throttleStorm?: ThrottleStormDto;
  @IsOptional() @IsInt() @Min(0) @Max(120000) latencyMs?: number;
  /** With `status`: the call is carried out, then answered with `status` (its answer lost). */
  @IsOptional() @IsBoolean() loseAnswer?: boolean;
  @IsOptional() @IsArray() @ArrayMaxSize(10000) @IsString({ each: true }) malformedOrderIds?: string[];
}

class ShippedItemDto {
  @IsString() @IsNotEmpty() orderItemId: string;
  @IsInt() @Min(1) quantity: number;
}

/** A shipment made at Amazon without any client (Seller Central, Buy Shipping); without items, all that is left. */
export class ShipOutsideDto {
  @IsOptional() @IsArray() @ArrayNotEmpty() @ValidateNested({ each: true }) @Type(() => ShippedItemDto) items?: ShippedItemDto[];
  @IsOptional() @IsString() @IsNotEmpty() carrier?: string;
  @IsOptional() @IsString() @IsNotEmpty() trackingNumber?: string;
}

/** A registered SP-API application (as in Developer Central): its LWA credentials and OAuth redirect URIs. */
export class UpsertApplicationDto {
  @Matches(/^amzn1\.sp\.solution\.[0-9a-f-]{36}$/, { message: 'applicationId must be amzn1.sp.solution.<uuid>' }) applicationId: string;
  @IsString() @IsNotEmpty() clientId: string;
  @IsString() @IsNotEmpty() clientSecret: string;
  @IsArray() @ArrayNotEmpty() @ArrayMaxSize(5) @Matches(/^https?:\/\/\S+$/, { each: true, message: 'redirectUris must be http(s) URLs' }) redirectUris: string[];
  @IsOptional() @IsBoolean() draft?: boolean;
}

const PARTICIPATION_MARKETPLACE_IDS = [...KNOWN_MARKETPLACE_IDS, ...PARTICIPATION_ONLY_MARKETPLACES.map((m) => m.id)];

class ParticipationDto {
  @IsIn(PARTICIPATION_MARKETPLACE_IDS) marketplaceId: string;
  @IsBoolean() isParticipating: boolean;
  @IsOptional() @IsBoolean() hasSuspendedListings?: boolean;
  @IsOptional() @IsString() @IsNotEmpty() storeName?: string;
}

/** What getMarketplaceParticipations answers for a seller from now on. */
export class ParticipationsDto {
  @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => ParticipationDto) participations: ParticipationDto[];
}

/** The buyer asks Amazon to cancel (some items of) an order; without orderItemIds, every item. */
export class BuyerCancelRequestDto {
  @IsOptional() @IsString() @IsNotEmpty() reason?: string;
  @IsOptional() @IsArray() @ArrayNotEmpty() @IsString({ each: true }) orderItemIds?: string[];
}
