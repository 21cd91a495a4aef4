import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One marketplace of an account as the Sellers API (getMarketplaceParticipations) last named it. */
@Entity({ name: 'marketplace_participations' })
export class MarketplaceParticipation {
  @PrimaryColumn('uuid') accountId: string;
  @PrimaryColumn('text') marketplaceId: string;
  @Column('text') countryCode: string;
  @Column('text') name: string;
  @Column('text') currency: string;
  @Column('text') language: string;
  @Column('text') domain: string;
  @Column('text') storeName: string;
  @Column('boolean') isParticipating: boolean;
  @Column('boolean') hasSuspendedListings: boolean;
  @Column({ type: 'timestamptz', precision: 3 }) firstSeenAt: Date;
  @Column({ type: 'timestamptz', precision: 3 }) updatedAt: Date;
}

/** When an account's participations are asked next, and how the last try went. */
@Entity({ name: 'marketplace_refreshes' })
export class MarketplaceRefresh {
  @PrimaryColumn('uuid') accountId: string;
  @Column('timestamptz') dueAt: Date;
  @Column('timestamptz', { nullable: true }) refreshedAt: Date | null;
  @Column('text', { nullable: true }) lastError: string | null;
  /** A linked account without marketplaces yet: the next answer enables its active ones (and its sync). */
  @Column('boolean') enableDiscovered: boolean;
  /** With enableDiscovered: whether the sync starts too (false for a link no seller was expected for: an admin turns it on). */
  @Column('boolean', { default: true }) syncDiscovered: boolean;
}
