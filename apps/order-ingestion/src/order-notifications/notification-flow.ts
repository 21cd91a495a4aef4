import { Inject, Injectable } from '@nestjs/common';
import { SETTINGS } from '@connector/platform';
import { OrderIngestionSettings } from '../order-ingestion.settings';

/** The queue counts as read (notifications flowing) for this long after a successful ReceiveMessage. */
const FLOWING_FOR_MS = 2 * 60_000;

/**
 * Whether this process's notification reader is reading its queue, for the sync scheduler: while
 * it is, a subscribed account's polling is only the safety net and runs at the slower
 * ORDER_NOTIFICATIONS_SYNC_INTERVAL_SECONDS; once reads fail for two minutes it is back to the
 * account's own interval.
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
