import { Column, CreateDateColumn, Entity, OneToMany, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { FulfillmentChannel, SalesOrderStatus } from '@connector/contracts';
import { SalesOrderLine } from './sales-order-line.entity';

/** An Amazon order as the seller's own sales order. Key: (account, Amazon order id). */
@Entity({ name: 'sales_orders' })
export class SalesOrder {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid') accountId: string;
  @Column('text') marketplaceId: string;
  @Column('text') amazonOrderId: string;
  @Column('text') channel: FulfillmentChannel;
  @Column('text') status: SalesOrderStatus;
  @Column('text') amazonStatus: string;
  @Column('text') currency: string;
  @Column('timestamptz') purchasedAt: Date;
  @Column('timestamptz') amazonUpdatedAt: Date;
  @Column('uuid') contactId: string;
  @Column('uuid') deliveryAddressId: string;
  @Column('boolean') isBusinessOrder: boolean;
  /** What the warehouse needs: Amazon's Prime flag, replacement, ship-by and deliver-by windows, the buyer's cancellation request. */
  @Column('boolean', { default: false }) isPrime: boolean;
  @Column('boolean', { default: false }) isReplacementOrder: boolean;
  @Column('text', { nullable: true }) replacedOrderId: string | null;
  @Column('timestamptz', { nullable: true }) earliestShipDate: Date | null;
  @Column('timestamptz', { nullable: true }) latestShipDate: Date | null;
  @Column('timestamptz', { nullable: true }) earliestDeliveryDate: Date | null;
  @Column('timestamptz', { nullable: true }) latestDeliveryDate: Date | null;
  @Column('boolean', { default: false }) buyerCancelRequested: boolean;
  /** The buyer's words: forgotten with the gift messages (personal-data retention). */
  @Column('text', { nullable: true }) buyerCancelReason: string | null;
  @Column('text', { nullable: true }) giftMessage: string | null;
  @Column('numeric', { precision: 14, scale: 2, nullable: true }) amazonTotal: string | null;
  @Column('numeric', { precision: 14, scale: 2 }) linesTotal: string;
  /** False when the lines do not add up to Amazon's total: flagged, never hidden. */
  @Column('boolean') reconciled: boolean;
  @Column('text', { nullable: true }) cancelReason: string | null;
  @Column('text', { nullable: true }) canceledBy: 'amazon' | 'seller' | null;
  @Column('text', { nullable: true }) cancelError: string | null;
  /** Projections of other services' events, for the order's view. */
  @Column('text', { nullable: true }) deliveryState: string | null;
  @Column('text', { nullable: true }) amazonNotificationState: string | null;
  @Column('text', { nullable: true }) amazonNotificationError: string | null;
  /** Which delivery event deliveryState shows (inventory's count per order), and when the shown notification outcome was decided: older events change nothing. */
  @Column('int', { nullable: true }) deliveryStateVersion: number | null;
  @Column('timestamptz', { nullable: true }) amazonNotificationAt: Date | null;
  /** Fingerprint of the mapped Amazon data: an unchanged re-sync writes nothing. */
  @Column('text') contentHash: string;
  /** Bumped on every change; events carry it so consumers can ignore stale ones. */
  @Column('int') version: number;
  @OneToMany(() => SalesOrderLine, (line) => line.order) lines?: SalesOrderLine[];
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 }) updatedAt: Date;
}
