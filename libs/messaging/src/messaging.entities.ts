import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** An event written in the same transaction as the change that caused it; the relay publishes it and deletes the row. */
@Entity({ name: 'outbox' })
@Index('outbox_unpublished', ['position'], { where: 'published_at IS NULL' })
export class OutboxMessage {
  /** Also the JetStream message id, so a re-publish after a crash is dropped as a duplicate. */
  @PrimaryColumn('uuid') id: string;
  /** Publication order. */
  @Column({ type: 'bigint', generated: 'increment' }) position: string;
  @Column({ type: 'text' }) subject: string;
  @Column({ type: 'json' }) payload: unknown;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  /** The correlation id of the work that wrote it; published as the message's X-Correlation-Id. */
  @Column({ name: 'correlation_id', type: 'text', nullable: true }) correlationId: string | null;
  /**
   * Set only by versions before packs, whose relays marked rows instead of deleting them. Kept
   * while such replicas may still run (a rolling upgrade): they write and read it. Drop it in
   * a later release, with the partial index.
   */
  @Column({ name: 'published_at', type: 'timestamptz', nullable: true }) publishedAt: Date | null;
}

/** Events this service has handled: a redelivery of one of them is acknowledged and ignored. */
@Entity({ name: 'processed_events' })
export class ProcessedEvent {
  @PrimaryColumn({ name: 'event_id', type: 'text' }) eventId: string;
  @Column({ type: 'text' }) subject: string;
  @CreateDateColumn({ name: 'processed_at', type: 'timestamptz' }) processedAt: Date;
}

/** A dead letter: an event that failed validation or kept failing, with the reason. */
@Entity({ name: 'parked_events' })
export class ParkedEvent {
  @PrimaryColumn({ name: 'event_id', type: 'text' }) eventId: string;
  @Column({ type: 'text' }) subject: string;
  @Column({ type: 'text' }) payload: string;
  @Column({ type: 'text' }) reason: string;
  @Column({ type: 'int' }) deliveries: number;
  @CreateDateColumn({ name: 'parked_at', type: 'timestamptz' }) parkedAt: Date;
  /** Set when an operator discarded it: kept (for the record) but no longer counted as waiting. */
  @Column({ name: 'discarded_at', type: 'timestamptz', nullable: true }) discardedAt: Date | null;
}

/** An event's own failures (not deliveries during an outage): parked once they reach the limit. */
@Entity({ name: 'event_failures' })
export class EventFailure {
  @PrimaryColumn({ name: 'event_id', type: 'text' }) eventId: string;
  @Column({ type: 'text' }) subject: string;
  @Column({ type: 'int' }) failures: number;
  @Column({ name: 'last_reason', type: 'text' }) lastReason: string;
  @Column({ name: 'failed_at', type: 'timestamptz' }) failedAt: Date;
}

/** Where a durable consumer stood (its ack floor): a consumer deleted from the stream is made again from here. */
@Entity({ name: 'event_consumer_positions' })
export class EventConsumerPosition {
  @PrimaryColumn({ type: 'text' }) consumer: string;
  @Column({ type: 'text' }) stream: string;
  @Column({ name: 'ack_floor', type: 'bigint' }) ackFloor: string;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

/** An alert episode under way (see alerts.ts): its alert was raised, its end not yet. */
@Entity({ name: 'alert_episodes' })
export class AlertEpisode {
  @PrimaryColumn('text') kind: string;
  /** What the episode is about: an account id, a service name. */
  @PrimaryColumn('text') subject: string;
  @Column({ name: 'opened_at', type: 'timestamptz' }) openedAt: Date;
}

export const MESSAGING_ENTITIES = [OutboxMessage, ProcessedEvent, ParkedEvent, EventFailure, EventConsumerPosition, AlertEpisode];
