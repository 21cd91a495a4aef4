import { IsInt, IsISO8601, IsOptional, IsString, IsUUID, Min } from 'class-validator';
import { eventContract } from '../common/message-contract';

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
  /** On hand at the seller's stock locations, less what FBM deliveries not yet shipped hold; never below 0. */
  @IsInt() @Min(0) availableQuantity: number;
  @IsInt() @Min(1) version: number;
  @IsISO8601() changedAt: string;
  /**
   * Set when this offer must not be told a merchant quantity, and why: its SKU is (also) fulfilled
   * by Amazon, or no FBM order of it was seen yet. Null or absent (events of the first release): send.
   */
  @IsOptional() @IsString() skippedReason?: string | null;
}
export const LISTING_QUANTITY_CHANGED = eventContract({ subject: 'stock.listing-quantity-changed.v1', version: 1, payload: ListingQuantityChangedEvent });
