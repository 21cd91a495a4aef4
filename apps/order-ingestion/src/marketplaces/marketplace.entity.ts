import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { Region } from '@connector/contracts';

@Entity({ name: 'marketplaces' })
export class Marketplace {
  @PrimaryColumn('text') marketplaceId: string;
  @Column('text') name: string;
  @Column('text') countryCode: string;
  @Column('text') region: Region;
  @Column('text') currency: string;
  @Column('text') domain: string;
  /** EU and UK prices include VAT; US, CA and MX prices have tax added. */
  @Column('boolean') taxIncluded: boolean;
  @Column('boolean') builtIn: boolean;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}
