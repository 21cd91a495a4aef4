import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { StockMoveState } from '@connector/contracts';

export type StockMoveReason = 'fba_sale' | 'fba_sale_reversal' | 'fbm_sale' | 'adjustment';

/**
 * A quantity of a product going from one location to another. An FBA sale is keyed by its
 * order line (one move per line, ever); FBM moves belong to a delivery.
 */
@Entity({ name: 'stock_moves' })
export class StockMove {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { nullable: true }) orderId: string | null;
  @Column('uuid', { nullable: true }) orderLineId: string | null;
  @Column('text', { nullable: true }) orderItemId: string | null;
  @Column('uuid', { nullable: true }) deliveryId: string | null;
  @Column('uuid') productId: string;
  @Column('int') quantity: number;
  @Column('uuid') fromLocationId: string;
  @Column('uuid') toLocationId: string;
  @Column('text') state: StockMoveState;
  @Column('text') reason: StockMoveReason;
  @Column('timestamptz', { nullable: true }) doneAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}
