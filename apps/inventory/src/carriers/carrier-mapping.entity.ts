import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A seller's own carrier name and Amazon's carrier code it stands for: global (accountId null)
 * or for one account, whose own mapping of a name wins over the global one.
 */
@Entity({ name: 'carrier_mappings' })
export class CarrierMapping {
  @PrimaryColumn('uuid') id: string;
  /** Null: every account without a mapping of its own of that name. */
  @Column('uuid', { nullable: true }) accountId: string | null;
  /** The name as matched: trimmed, lower case (see carrierNameKey). */
  @Column('text') nameKey: string;
  /** The name as the seller wrote it. */
  @Column('text') name: string;
  @Column('text') carrierCode: string;
  @Column('text', { nullable: true }) carrierName: string | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 }) updatedAt: Date;
}
