import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'products' })
export class Product {
  @PrimaryColumn('uuid') id: string;
  @Column('text') name: string;
  /**
   * The seller's reference, unique and trimmed: an Amazon SKU equal to it (trimmed,
   * case-sensitive) sells this product. A product created for an unknown SKU carries the SKU.
   */
  @Column('text') internalReference: string;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}
