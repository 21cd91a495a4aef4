import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The newest version of each order this service has acted on: older events are ignored. */
@Entity({ name: 'order_states' })
export class OrderState {
  @PrimaryColumn('uuid') orderId: string;
  @Column('int') version: number;
  @Column('text') status: string;
  @Column('text') channel: string;
  /** How many delivery events (validated, cancelled) the order has had: their version. */
  @Column('int', { default: 0 }) fulfillmentVersion: number;
}
