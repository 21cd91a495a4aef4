import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A seller's own carrier name and Amazon's carrier code it stands for (one list per installation). */
@Entity({ name: 'carrier_mappings' })
export class CarrierMapping {
  /** The name as matched: trimmed, lower case (see carrierNameKey). */
  @PrimaryColumn('text') nameKey: string;
  /** The name as the seller wrote it. */
  @Column('text') name: string;
  @Column('text') carrierCode: string;
  @Column('text', { nullable: true }) carrierName: string | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 }) updatedAt: Date;
}
