import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { OrdersApiVersion, Region } from '@connector/contracts';

/** A consent asked for (POST /api/v1/authorizations): its state is good once, until expiresAt. */
@Entity({ name: 'authorizations' })
export class Authorization {
  @PrimaryColumn('uuid') id: string;
  @Column('text') region: Region;
  /** Re-authorization of this account; null: a new link. */
  @Column('uuid', { nullable: true }) accountId: string | null;
  @Column('text', { nullable: true }) name: string | null;
  @Column('text', { nullable: true }) ordersApi: OrdersApiVersion | null;
  @Column('text') apiEndpoint: string;
  @Column('text') lwaEndpoint: string;
  /** Only this seller may consent (the account's on a re-authorization); null: any seller. */
  @Column('text', { nullable: true }) expectedSellerId: string | null;
  @Column('uuid', { nullable: true }) requestedByKeyId: string | null;
  @Column('text') requestedByKeyName: string;
  @Column('timestamptz') expiresAt: Date;
  /** When Amazon's callback used the state (once). */
  @Column('timestamptz', { nullable: true }) usedAt: Date | null;
  @Column('text', { nullable: true }) sellingPartnerId: string | null;
  @Column('uuid', { nullable: true }) resultAccountId: string | null;
  /** `created`, `updated` or `failed`. */
  @Column('text', { nullable: true }) outcome: string | null;
  @Column('text', { nullable: true }) failure: string | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}
