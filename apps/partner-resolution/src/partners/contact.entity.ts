import { Column, CreateDateColumn, Entity, OneToMany, PrimaryColumn } from 'typeorm';
import { DeliveryAddress } from './delivery-address.entity';

/**
 * The buyer of an order. Unique per account on its normalised identity (`matchKey`, a keyed
 * hash). Name, e-mail and company are sealed (PersonalDataBox); `nameIndex`, `emailIndex` and
 * `companyIndex` are keyed hashes of their normalised forms, for search.
 */
@Entity({ name: 'contacts' })
export class Contact {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid') accountId: string;
  @Column('text') matchKey: string;
  @Column('text') name: string;
  @Column('text', { nullable: true }) email: string | null;
  @Column('text', { nullable: true }) companyName: string | null;
  @Column('boolean') isBusiness: boolean;
  @Column('text', { nullable: true }) nameIndex: string | null;
  @Column('text', { nullable: true }) emailIndex: string | null;
  @Column('text', { nullable: true }) companyIndex: string | null;
  @Column('timestamptz', { nullable: true }) anonymizedAt: Date | null;
  @OneToMany(() => DeliveryAddress, (address) => address.contact) deliveryAddresses?: DeliveryAddress[];
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}
