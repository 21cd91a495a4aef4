import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The available quantity last announced for an offer (account, SKU), and its version: the
 * durable "last value wins" record of Stock to Amazon on inventory's side. A new change is
 * announced only when the quantity differs from this one.
 */
@Entity({ name: 'listing_quantities' })
export class ListingQuantity {
  @PrimaryColumn('uuid') accountId: string;
  @PrimaryColumn('text') sku: string;
  @Column('uuid') productId: string;
  /** The default quantity: what every marketplace without a warehouse of its own is told. */
  @Column('int') quantity: number;
  /** Each marketplace with its own ship-from warehouse, and that warehouse's quantity. */
  @Column('jsonb') marketplaceQuantities: Record<string, number>;
  @Column('bigint') version: string;
  @Column({ type: 'timestamptz', precision: 3 }) changedAt: Date;
  /** Why the offer is not to be sent (FBA, or no FBM order seen yet); null: sent. */
  @Column('text', { nullable: true }) skippedReason: string | null;
}
