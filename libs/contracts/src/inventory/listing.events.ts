import { Type } from 'class-transformer';
import { ArrayMaxSize, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Min, ValidateNested } from 'class-validator';
import { eventContract } from '../common/message-contract';

/** The quantity an offer has available in one marketplace that ships from its own warehouse (ship-from assignment of the marketplace). */
export class MarketplaceQuantity {
  /** @example "A1PA6795UKMFR9" */
  @Matches(/^[A-Z0-9]{1,20}$/) marketplaceId: string;
  @IsInt() @Min(0) availableQuantity: number;
}

/**
 * The most marketplaces one event names with a quantity of their own, and so the most marketplaces
 * an account may assign a warehouse of their own (ship-from): Amazon has about 25 marketplaces, so
 * 100 leaves room for new ones while keeping every event's size bounded.
 */
export const MAX_MARKETPLACE_QUANTITIES = 100;

/**
 * The quantity of a product the seller has available to sell from its own stock changed, as one
 * of its offers (account, SKU) sells it: what amazon-notifications tells Amazon (Stock to
 * Amazon). `version` grows with every change of any offer, so a consumer keeps the highest one
 * it saw and never goes back to an older quantity, whatever order events arrive in.
 */
export class ListingQuantityChangedEvent {
  @IsUUID() accountId: string;
  @IsString() sku: string;
  @IsUUID() productId: string;
  /**
   * On hand, less what FBM deliveries not yet shipped hold, never below 0, at the account's default
   * warehouse (its default ship-from assignment), else at the shared Stock location (where its
   * deliveries ship from). What every marketplace not in `marketplaceQuantities` is told.
   */
  @IsInt() @Min(0) availableQuantity: number;
  /**
   * The marketplaces of the account that ship from their own warehouse, each with that warehouse's
   * available quantity. Absent or empty (events of earlier releases): every marketplace is told `availableQuantity`.
   */
  @IsOptional() @ArrayMaxSize(MAX_MARKETPLACE_QUANTITIES) @ValidateNested({ each: true }) @Type(() => MarketplaceQuantity) marketplaceQuantities?: MarketplaceQuantity[];
  @IsInt() @Min(1) version: number;
  @IsISO8601() changedAt: string;
  /**
   * Set when this offer must not be told a merchant quantity, and why: its SKU is (also) fulfilled
   * by Amazon, or no FBM order of it was seen yet. Null or absent (events of the first release): send.
   */
  @IsOptional() @IsString() skippedReason?: string | null;
}
export const LISTING_QUANTITY_CHANGED = eventContract({ subject: 'stock.listing-quantity-changed.v1', version: 1, payload: ListingQuantityChangedEvent });
