import type { FulfillmentChannel } from '@connector/contracts';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type OfferMatch = 'reference' | 'created' | 'default' | 'manual';

/**
 * A seller SKU on an account, and the product it sells. Key: (account, SKU): Amazon seller SKUs
 * are per selling account, one listing across its marketplaces; the marketplace it was first
 * seen on is recorded.
 */
@Entity({ name: 'offers' })
export class Offer {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid') accountId: string;
  @Column('text') sku: string;
  @Column('uuid') productId: string;
  @Column('text', { nullable: true }) marketplaceId: string | null;
  @Column('text') matchedBy: OfferMatch;
  /** This SKU created its product: listed for review until reviewedAt. */
  @Column('boolean') createdProduct: boolean;
  /** The channels its orders came under (or the seller set): Stock to Amazon sends only offers seen FBM and never FBA. */
  @Column('text', { array: true, default: () => `'{}'` }) fulfillmentChannels: FulfillmentChannel[];
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) reviewedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 }) updatedAt: Date;
}
