import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * An Amazon order whose data could not be mapped. It does not hold the cursor back; it is
 * fetched again on every sync run until it maps, and never lost.
 */
@Entity({ name: 'quarantined_orders' })
export class QuarantinedOrder {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid') accountId: string;
  @Column('text') amazonOrderId: string;
  @Column('text') marketplaceId: string;
  /** Why it does not map (or could not be fetched, when it was quarantined). */
  @Column('text') reason: string;
  /** The last retry's failure when it was not of the order's own (credentials, Amazon's 404 or 5xx): the reason stays. */
  @Column('text', { nullable: true }) lastRetryError: string | null;
  @Column('jsonb', { nullable: true }) payload: unknown;
  @Column('int') attempts: number;
  @Column('timestamptz') firstSeenAt: Date;
  /**
   * When it was last quarantined: on insert, and again when an order resolved comes back (firstSeenAt
   * stays the first time). Null only on an order resolved before the column existed.
   */
  @Column('timestamptz', { nullable: true }) quarantinedAt: Date | null;
  @Column('timestamptz') lastAttemptAt: Date;
  @Column('timestamptz', { nullable: true }) resolvedAt: Date | null;
  /** For keyset paging. */
  @Column({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}
