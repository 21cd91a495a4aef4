import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { StockSyncIssue, StockSyncStatus } from '@connector/contracts';

/** What Amazon is to be told of one SKU of an account, and what it was told last (see the migration). */
@Entity({ name: 'stock_updates' })
export class StockUpdate {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid') accountId: string;
  @Column('text') sku: string;
  @Column('uuid') productId: string;
  /** The newest available quantity inventory announced (before the account's buffer). */
  @Column('int') availableQuantity: number;
  /** Marketplaces that ship from their own warehouse, each with its available quantity (before the buffer); the others are told availableQuantity. */
  @Column('jsonb') marketplaceQuantities: Record<string, number>;
  @Column('bigint') version: string;
  @Column({ type: 'timestamptz', precision: 3 }) changedAt: Date;
  @Column('text') status: StockSyncStatus;
  @Column('bigint', { nullable: true }) sentVersion: string | null;
  /** What Amazon was told: the available quantity less the buffer, never below 0. */
  @Column('int', { nullable: true }) sentQuantity: number | null;
  /** What the marketplaces of marketplaceQuantities were told at the last send (after the buffer). */
  @Column('jsonb') sentMarketplaceQuantities: Record<string, number>;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) sentAt: Date | null;
  @Column('text', { nullable: true }) sentVia: 'patchListingsItem' | 'JSON_LISTINGS_FEED' | null;
  /** The feeds (one per marketplace) its last value went in, while they are out or after. */
  @Column('uuid', { nullable: true }) feedBatchId: string | null;
  @Column('jsonb') issues: StockSyncIssue[];
  /** Marketplaces where Amazon said the SKU is not listed (marketplace id → when): not patched there for a day. */
  @Column('jsonb') unlistedIn: Record<string, string>;
  @Column('text', { nullable: true }) lastError: string | null;
  @Column('int') attempts: number;
  @Column({ type: 'timestamptz', precision: 3 }) nextAttemptAt: Date;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 }) updatedAt: Date;
}
