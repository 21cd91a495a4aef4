import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** What a webhook receives (JSON). */
export interface AlertBody {
  id: string;
  kind: string;
  occurredAt: string;
  accountId?: string;
  amazonOrderId?: string;
  service: string;
  summary: string;
  details: object;
  /** The correlation id of the work that raised it, when known: its log lines carry it. */
  correlationId?: string;
}

/**
 * One alert to one webhook, and how sending it went: the delivery log. Made when the alert
 * arrives (once per webhook and alert), sent and retried by AlertSender.
 */
@Entity({ name: 'alert_deliveries' })
export class AlertDelivery {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid') webhookId: string;
  @Column('uuid') alertId: string;
  @Column('text') kind: string;
  /** The JSON body sent, as sent every time (receivers dedupe by its id). */
  @Column('jsonb') body: AlertBody;
  @Column('int') attempts: number;
  @Column('int', { nullable: true }) lastStatus: number | null;
  @Column('text', { nullable: true }) lastError: string | null;
  /** Null once delivered or given up. */
  @Column('timestamptz', { nullable: true }) nextAttemptAt: Date | null;
  /** A sender replica holds it until then (two replicas never send it at once). */
  @Column('timestamptz', { nullable: true }) claimedUntil: Date | null;
  @Column('timestamptz', { nullable: true }) deliveredAt: Date | null;
  /** Set when ALERT_RETRY_HOURS ran out without a 2xx. */
  @Column('timestamptz', { nullable: true }) givenUpAt: Date | null;
  /** Set when it was not sent because its webhook was deleted or its key revoked. */
  @Column('timestamptz', { nullable: true }) canceledAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}
