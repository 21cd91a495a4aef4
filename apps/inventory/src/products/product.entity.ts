import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'products' })
export class Product {
  @PrimaryColumn('uuid') id: string;
  @Column('text') name: string;
  /** The seller's reference; a product created for an unknown SKU carries the SKU here. */
  @Column('text', { nullable: true }) internalReference: string | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}
