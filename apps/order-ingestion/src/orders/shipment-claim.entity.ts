import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Units of an order item a validated delivery ships (see CLAIM_UNITS_TO_SHIP): no longer cancellable. */
@Entity('shipment_claims')
export class ShipmentClaim {
  @PrimaryColumn('uuid') deliveryId: string;
  @PrimaryColumn('text') orderItemId: string;
  @Column('uuid') orderId: string;
  @Column('int') quantity: number;
  @CreateDateColumn({ type: 'timestamptz' }) claimedAt: Date;
  /** When inventory's delivery.validated was seen: until then the claim is provisional (its validation may not have committed). */
  @Column('timestamptz', { nullable: true }) confirmedAt: Date | null;
}
