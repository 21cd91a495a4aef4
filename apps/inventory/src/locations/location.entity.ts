import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { LocationAddress } from '@connector/contracts';

export type LocationKind = 'fba' | 'stock' | 'customers' | 'inventory_adjustment';

/** Where stock is: an account's Amazon (FBA) warehouse, the seller's stock, customers, or the adjustment counterpart. */
@Entity({ name: 'locations' })
export class Location {
  @PrimaryColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('text') kind: LocationKind;
  @Column('uuid', { nullable: true }) accountId: string | null;
  /** Where a stock location ships parcels from (Amazon's shipFromAddress shape); none for the others. */
  @Column('jsonb', { nullable: true }) address: LocationAddress | null;
  /** Amazon's supply source id of a warehouse: its shipment confirmations name it (shipFromSupplySourceId). */
  @Column('text', { nullable: true }) supplySourceId: string | null;
  /** Archived: kept for the stock moves that name it, but no account ships from it any more. */
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) archivedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}

/** Fixed ids of the shared locations, created by the first migration. */
export const STOCK_LOCATION_ID = '00000000-0000-4000-8000-000000000001';
export const CUSTOMERS_LOCATION_ID = '00000000-0000-4000-8000-000000000002';
export const ADJUSTMENT_LOCATION_ID = '00000000-0000-4000-8000-000000000003';
