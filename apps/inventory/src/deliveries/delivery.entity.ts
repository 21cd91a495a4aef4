import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { DeliveryState, ShipFromRecord } from '@connector/contracts';

/**
 * An FBM shipment to make (a picking). One per order, plus a backorder for what a partial
 * validation left. `sequence` is Amazon's packageReferenceId for it (a positive number,
 * unique within the order), so confirming it again updates, never duplicates.
 */
@Entity({ name: 'deliveries' })
export class Delivery {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid') orderId: string;
  @Column('uuid') accountId: string;
  @Column('text') marketplaceId: string;
  @Column('text') amazonOrderId: string;
  @Column('uuid') contactId: string;
  @Column('uuid') deliveryAddressId: string;
  @Column('int') sequence: number;
  @Column('uuid', { nullable: true }) backorderOfId: string | null;
  @Column('text') state: DeliveryState;
  @Column('text', { nullable: true }) giftMessage: string | null;
  @Column('text', { nullable: true }) carrierCode: string | null;
  @Column('text', { nullable: true }) carrierName: string | null;
  @Column('text', { nullable: true }) trackingNumber: string | null;
  @Column('text', { nullable: true }) shippingMethod: string | null;
  @Column('timestamptz', { nullable: true }) shipDate: Date | null;
  /** When Amazon reported it shipped without the connector confirming it; null when validated here. */
  @Column('timestamptz', { nullable: true }) shippedOutsideAt: Date | null;
  /** The warehouse it was validated from, as it was then (what its confirmation said); null until validated. */
  @Column('jsonb', { nullable: true }) shipFrom: ShipFromRecord | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}
