import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A destination made at Amazon for our queue, per LWA client (destinations are the application's, not a seller's). */
@Entity({ name: 'notification_destinations' })
export class NotificationDestination {
  @PrimaryColumn('text') lwaEndpoint: string;
  @PrimaryColumn('text') lwaClientId: string;
  @PrimaryColumn('text') queueArn: string;
  @Column('text') destinationId: string;
  @Column({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}

/** `unsubscribing`: the account was deleted or its sync turned off, and deleting the subscription at Amazon failed; tried again at dueAt. */
export type SubscriptionStatus = 'subscribed' | 'failed' | 'unsubscribing';

/** An account's ORDER_CHANGE subscription to the queue, or why it could not be made (tried again at dueAt). */
@Entity({ name: 'order_change_subscriptions' })
export class OrderChangeSubscription {
  @PrimaryColumn('uuid') accountId: string;
  @Column('text') queueArn: string;
  @Column('text') status: SubscriptionStatus;
  @Column('text', { nullable: true }) subscriptionId: string | null;
  @Column('text', { nullable: true }) destinationId: string | null;
  @Column('text', { nullable: true }) lastError: string | null;
  @Column('timestamptz') dueAt: Date;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) subscribedAt: Date | null;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) lastNotificationAt: Date | null;
  /** Last time Amazon's getSubscription showed it (made or checked again), and for which credentials (credentialsDigest). */
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) verifiedAt: Date | null;
  @Column('text', { nullable: true }) credentialsDigest: string | null;
  /** Failed tries to delete it at Amazon since the account was deleted or its sync turned off (the back-off's). */
  @Column('int', { default: 0 }) unsubscribeAttempts: number;
  @Column({ type: 'timestamptz', precision: 3 }) updatedAt: Date;
}

/** A notification handled: its order fetched and stored. */
@Entity({ name: 'order_notifications' })
export class HandledOrderNotification {
  @PrimaryColumn('text') notificationId: string;
  @Column('uuid') accountId: string;
  @Column('text') amazonOrderId: string;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) eventTime: Date | null;
  @Column({ type: 'timestamptz', precision: 3 }) handledAt: Date;
}
