import { Inject, Injectable } from '@nestjs/common';
import { SETTINGS } from '@connector/platform';
import { OrderIngestionSettings } from '../order-ingestion.settings';

/** A subscription is checked at Amazon again this often (getSubscription): the seller or Amazon can delete it, and nothing tells us. */
export const VERIFY_SUBSCRIPTION_EVERY_HOURS = 24;
/** Polling relaxes only on a subscription checked this recently: a day, and two hours for a check Amazon answers late. */
export const SUBSCRIPTION_VERIFIED_WITHIN_HOURS = VERIFY_SUBSCRIPTION_EVERY_HOURS + 2;

/** The queue counts as read (notifications flowing) for this long after a successful ReceiveMessage. */
const FLOWING_FOR_MS = 2 * 60_000;

/**
 * Whether this process's notification reader is reading its queue, for the sync scheduler: while
 * it is, a subscribed account's polling is only the safety net and runs at the slower
 * ORDER_NOTIFICATIONS_SYNC_INTERVAL_SECONDS (if its subscription was checked at Amazon within
 * SUBSCRIPTION_VERIFIED_WITHIN_HOURS and a notification of it arrived within that interval: the
 * scheduler's release asks); once reads fail for two minutes it is back to the account's own interval.
 */
@Injectable()
export class NotificationFlow {
  private lastReadAt = 0;

  constructor(@Inject(SETTINGS) private readonly settings: OrderIngestionSettings) {}

  read(): void {
    this.lastReadAt = Date.now();
  }

  /** The polling interval while notifications flow (seconds), or 0 when they do not. */
  relaxedIntervalSeconds(): number {
    if (!this.settings.notificationsEnabled || Date.now() - this.lastReadAt >= FLOWING_FOR_MS) return 0;
    return this.settings.ORDER_NOTIFICATIONS_SYNC_INTERVAL_SECONDS;
  }
}
