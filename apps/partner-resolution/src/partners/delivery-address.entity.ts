import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Contact } from './contact.entity';

/**
 * Where an order goes. Unique per contact on its normalised address: a changed address is
 * a new row, so old orders keep the address they were shipped to. Name, company, street lines,
 * city, district and phone are sealed (PersonalDataBox); region, postal code and country are not.
 */
@Entity({ name: 'delivery_addresses' })
export class DeliveryAddress {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid') contactId: string;
  @ManyToOne(() => Contact, (contact) => contact.deliveryAddresses)
  @JoinColumn({ name: 'contact_id' })
  contact?: Contact;
  @Column('uuid') accountId: string;
  @Column('text') matchKey: string;
  @Column('text', { nullable: true }) name: string | null;
  @Column('text', { nullable: true }) companyName: string | null;
  @Column('text', { nullable: true }) addressLine1: string | null;
  @Column('text', { nullable: true }) addressLine2: string | null;
  @Column('text', { nullable: true }) addressLine3: string | null;
  @Column('text', { nullable: true }) city: string | null;
  @Column('text', { nullable: true }) districtOrCounty: string | null;
  @Column('text', { nullable: true }) stateOrRegion: string | null;
  @Column('text', { nullable: true }) postalCode: string | null;
  @Column('text') countryCode: string;
  @Column('text', { nullable: true }) phone: string | null;
  @Column('text', { nullable: true }) addressType: string | null;
  /** Last order placed to this address; personal data is kept a retention period past it. */
  @Column('timestamptz') lastOrderedAt: Date;
  @Column('timestamptz', { nullable: true }) anonymizedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}
