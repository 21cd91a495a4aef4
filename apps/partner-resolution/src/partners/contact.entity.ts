import { Column, CreateDateColumn, Entity, OneToMany, PrimaryColumn } from 'typeorm';
import { DeliveryAddress } from './delivery-address.entity';

/** The buyer of an order. Unique per account on its normalised identity (`matchKey`). */
@Entity({ name: 'contacts' })
export class Contact {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid') accountId: string;
  @Column('text') matchKey: string;
  @Column('text') name: string;
  @Column('text', { nullable: true }) email: string | null;
  @Column('text', { nullable: true }) companyName: string | null;
  @Column('boolean') isBusiness: boolean;
  @Column('timestamptz', { nullable: true }) anonymizedAt: Date | null;
  @OneToMany(() => DeliveryAddress, (address) => address.contact) deliveryAddresses?: DeliveryAddress[];
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}
