import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Which contact and address each sales order uses, and when the order was closed (shipped or
 * cancelled): personal data is kept while an order is open and the retention period after.
 * Learned from order events.
 */
@Entity({ name: 'order_partners' })
export class OrderPartner {
  @PrimaryColumn('uuid') orderId: string;
  @Column('uuid') contactId: string;
  @Column('uuid') deliveryAddressId: string;
  @Column('timestamptz', { nullable: true }) closedAt: Date | null;
}
