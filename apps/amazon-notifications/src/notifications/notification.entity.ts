import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { NotificationKind, NotificationState, ShipFromRecord } from '@connector/contracts';

/**
 * One thing to tell Amazon: a shipment (per delivery), a cancellation (per order, or per partial
 * cancellation of it) or a unit cancellation (per partial cancellation). Key: (kind, order,
 * delivery, cancellation), so a redelivered event never makes a second one.
 */
@Entity({ name: 'notifications' })
export class Notification {
  @PrimaryColumn('uuid') id: string;
  @Column('text') kind: NotificationKind;
  @Column('text') state: NotificationState;
  @Column('uuid') accountId: string;
  @Column('text') marketplaceId: string;
  @Column('uuid') orderId: string;
  @Column('text') amazonOrderId: string;
  @Column('uuid', { nullable: true }) deliveryId: string | null;
  /** The seller's partial cancellation it tells (order.items-canceled); null for a whole order's. */
  @Column('uuid', { nullable: true }) cancellationId: string | null;
  /** What is sent: the confirmShipment body, or the cancellation's reason and items. */
  @Column('jsonb') payload: object;
  /** A shipment's warehouse, address included (Amazon gets only its supply source id, in the payload). */
  @Column('jsonb', { nullable: true }) shipFrom: ShipFromRecord | null;
  @Column('int') attempts: number;
  @Column('timestamptz', { nullable: true }) nextAttemptAt: Date | null;
  @Column('text', { nullable: true }) lastError: string | null;
  @Column('jsonb', { nullable: true }) amazonResponse: unknown;
  /** The feed a cancellation went in (kept once the outcome is known). */
  @Column('text', { nullable: true }) feedId: string | null;
  /** The cancellation's MessageID within that feed. */
  @Column('int', { nullable: true }) feedMessageId: number | null;
  /** The uploaded feed document; set just before createFeed, so a crash in between is visible. */
  @Column('text', { nullable: true }) feedDocumentId: string | null;
  /** The feed's processing status when last polled. */
  @Column('text', { nullable: true }) feedStatus: string | null;
  @Column('timestamptz', { nullable: true }) feedSubmittedAt: Date | null;
  /** Since when every try has met an outage (null when the last try was answered): the give-up horizon. */
  @Column('timestamptz', { nullable: true }) retryingSince: Date | null;
  /** Tries (of `attempts`) that met an outage: they do not count toward NOTIFY_MAX_ATTEMPTS. */
  @Column('int', { default: 0 }) outageTries: number;
  @Column('timestamptz', { nullable: true }) sentAt: Date | null;
  /** When its outcome (sent, or failed for good) was recorded; null while pending. */
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) decidedAt: Date | null;
  /** Of the work that made it (a validation's, a cancellation's): its sending logs under it. */
  @Column('text', { nullable: true }) correlationId: string | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}
