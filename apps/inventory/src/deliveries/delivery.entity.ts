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
  /** What the warehouse needs of the order, kept in step with it while the delivery is ready. */
  @Column('timestamptz', { nullable: true }) earliestShipDate: Date | null;
  @Column('timestamptz', { nullable: true }) latestShipDate: Date | null;
  @Column('timestamptz', { nullable: true }) earliestDeliveryDate: Date | null;
  @Column('timestamptz', { nullable: true }) latestDeliveryDate: Date | null;
  @Column('boolean', { default: false }) isPrime: boolean;
  @Column('boolean', { default: false }) buyerCancelRequested: boolean;
  /** The buyer's words: forgotten with the gift message. */
  @Column('text', { nullable: true }) buyerCancelReason: string | null;
  /** Set while held (`buyer-cancel-request`): a held ready delivery is not validated. */
  @Column('text', { nullable: true }) holdReason: 'buyer-cancel-request' | null;
  @Column('timestamptz', { nullable: true }) heldAt: Date | null;
  @Column('timestamptz', { nullable: true }) holdReleasedAt: Date | null;
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
