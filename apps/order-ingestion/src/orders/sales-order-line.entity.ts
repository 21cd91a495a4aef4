import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { SalesOrderLineKind } from '@connector/contracts';
import { SalesOrder } from './sales-order.entity';

/**
 * One line of a sales order: a product (one per Amazon order item), the shipping charge, a
 * gift wrap, or another charge. Key: (order, lineKey) where lineKey is `item:<OrderItemId>`,
 * `gift_wrap:<id>`, `shipping`, `cod_fee`, `other_charges` or `delivery_tip`, so a re-sync
 * updates the same rows and their ids stay stable.
 *
 * Amounts: `amount*` are before discount, `discount*` the promotion, `total*` after it;
 * total incl. = amount incl. - discount incl., and total incl. - total excl. = tax, exactly.
 */
@Entity({ name: 'sales_order_lines' })
export class SalesOrderLine {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid') orderId: string;
  @ManyToOne(() => SalesOrder, (order) => order.lines, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'order_id' })
  order?: SalesOrder;
  @Column('text') lineKey: string;
  @Column('text') kind: SalesOrderLineKind;
  @Column('int') sequence: number;
  @Column('text', { nullable: true }) orderItemId: string | null;
  @Column('text', { nullable: true }) sku: string | null;
  @Column('text', { nullable: true }) asin: string | null;
  @Column('uuid', { nullable: true }) productId: string | null;
  @Column('text') name: string;
  @Column('text', { nullable: true }) description: string | null;
  /** Units ordered; cancellations do not lower it (they count in quantityCancelled). */
  @Column('int') quantity: number;
  @Column('int') quantityShipped: number;
  /** Units cancelled, by the seller here or by Amazon: the larger of the two counts, never their sum. */
  @Column('int', { default: 0 }) quantityCancelled: number;
  /** Units Amazon's amounts are for (its quantity ordered now); null: `quantity`. */
  @Column('int', { nullable: true }) pricedQuantity: number | null;
  @Column('numeric', { precision: 14, scale: 2 }) unitPriceTaxIncluded: string;
  @Column('numeric', { precision: 14, scale: 2 }) unitPriceTaxExcluded: string;
  @Column('numeric', { precision: 14, scale: 2 }) amountTaxIncluded: string;
  @Column('numeric', { precision: 14, scale: 2 }) amountTaxExcluded: string;
  @Column('numeric', { precision: 14, scale: 2 }) discountTaxIncluded: string;
  @Column('numeric', { precision: 14, scale: 2 }) discountTaxExcluded: string;
  @Column('numeric', { precision: 14, scale: 2 }) totalTaxIncluded: string;
  @Column('numeric', { precision: 14, scale: 2 }) totalTaxExcluded: string;
  @Column('numeric', { precision: 14, scale: 2 }) taxAmount: string;
  @Column('text', { array: true }) promotionIds: string[];
  @Column('text', { nullable: true }) giftWrapLevel: string | null;
  @Column('text', { nullable: true }) giftMessage: string | null;
  /** The buyer asked to cancel this item (Amazon gives the request per item); the reason is forgotten with the gift messages. */
  @Column('boolean', { default: false }) buyerCancelRequested: boolean;
  @Column('text', { nullable: true }) buyerCancelReason: string | null;
}
