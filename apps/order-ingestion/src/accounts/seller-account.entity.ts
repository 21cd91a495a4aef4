import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { OrdersApiVersion, Region } from '@connector/contracts';

@Entity({ name: 'seller_accounts' })
export class SellerAccount {
  @PrimaryColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('text') sellerId: string;
  @Column('text') region: Region;
  @Column('text') lwaClientId: string;
  /** AES-GCM sealed (SecretBox); never returned by the API. */
  @Column('text') encryptedClientSecret: string;
  @Column('text') encryptedRefreshToken: string;
  @Column('text', { array: true }) marketplaceIds: string[];
  @Column('text') ordersApi: OrdersApiVersion;
  @Column('text') apiEndpoint: string;
  @Column('text') lwaEndpoint: string;
  @Column('boolean') syncEnabled: boolean;
  @Column('int') syncIntervalSeconds: number;
  @Column('timestamptz') initialSyncFrom: Date;
  @Column('uuid', { nullable: true }) defaultProductId: string | null;
  /** The sync cursor: everything updated before this instant is committed. */
  @Column('timestamptz', { nullable: true }) lastSyncedUntil: Date | null;
  /** When a sync run last moved the cursor (succeeded): what sync health and the stall alert read, not the run history. */
  @Column('timestamptz', { nullable: true }) lastSyncSucceededAt: Date | null;
  /**
   * Marketplaces enabled after the account first synced: the cursor is past their older orders,
   * so the next run reads them from initialSyncFrom once, then drops them from here.
   */
  @Column('text', { array: true }) backfillMarketplaceIds: string[];
  @Column('timestamptz', { nullable: true }) nextSyncAt: Date | null;
  @Column('timestamptz', { nullable: true }) syncRequestedAt: Date | null;
  /** Runs an outage cut short in a row (any replica's): the back-off of the next try (see SyncScheduler). */
  @Column('int', { default: 0 }) outageRuns: number;
  /** The replica syncing this account, and until when its lease holds. */
  @Column('text', { nullable: true }) leaseOwner: string | null;
  @Column('timestamptz', { nullable: true }) leaseExpiresAt: Date | null;
  /** Stock to Amazon: the available quantity of its FBM offers is sent to Amazon. */
  @Column('boolean') stockSync: boolean;
  /** Units kept back from what Amazon is told (never below 0). */
  @Column('int') stockBuffer: number;
  /** Sent as fulfillment_availability.lead_time_to_ship_max_days; null: Amazon keeps the listing's. */
  @Column('int', { nullable: true }) handlingTimeDays: number | null;
  @Column('timestamptz', { nullable: true }) deletedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 }) updatedAt: Date;
}
