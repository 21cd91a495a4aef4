import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A seller SKU on an account, and the product it sells. Key: (account, SKU). */
@Entity({ name: 'offers' })
export class Offer {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid') accountId: string;
  @Column('text') sku: string;
  @Column('uuid') productId: string;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}
