import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** The stock location an account's FBM deliveries ship from: for one marketplace, or (marketplaceId null) its default. */
@Entity({ name: 'ship_from_assignments' })
export class ShipFromAssignment {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid') accountId: string;
  @Column('text', { nullable: true }) marketplaceId: string | null;
  @Column('uuid') locationId: string;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 }) updatedAt: Date;
}
