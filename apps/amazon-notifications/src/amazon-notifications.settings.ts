import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { AmazonAccessSettings } from '@connector/sp-api';

export class AmazonNotificationsSettings extends AmazonAccessSettings {
  /** How often due notifications are looked for (new ones also wake the sender at once). */
  @Type(() => Number) @IsInt() @Min(50) NOTIFY_POLL_MS = 1000;
  /**
   * Feeds that end without saying what became of a cancellation (FATAL, no processing report)
   * before it is failed. An outage never counts toward this: see NOTIFY_RETRY_HOURS.
   */
  @Type(() => Number) @IsInt() @Min(1) NOTIFY_MAX_ATTEMPTS = 12;
  /**
   * How long a notification keeps being retried while Amazon is out of reach (429, 408, 5xx,
   * timeouts, refused connections) or the account's access cannot be had: an outage of hours
   * or days ends with it sent, without anyone retrying it. Only Amazon's refusal of the
   * content (another 4xx) fails it at once.
   */
  @Type(() => Number) @IsInt() @Min(1) NOTIFY_RETRY_HOURS = 168;
  /** Back-off between tries of a notification: the first wait, doubling up to NOTIFY_BACKOFF_MAX_MS, with jitter. */
  @Type(() => Number) @IsInt() @Min(10) NOTIFY_BACKOFF_BASE_MS = 2000;
  @Type(() => Number) @IsInt() @Min(10) NOTIFY_BACKOFF_MAX_MS = 600_000;
  /**
   * A claimed shipment confirmation is its sender's for this long; if that process dies, it
   * is sent again after it (Amazon takes the same packageReferenceId as an update).
   */
  @Type(() => Number) @IsInt() @Min(5) NOTIFY_CLAIM_SECONDS = 120;
  /**
   * Cancellations wait this long for others of the same account and marketplace, so they go
   * to Amazon together in one feed (createFeed allows about one call per two minutes).
   */
  @Type(() => Number) @IsInt() @Min(0) CANCEL_BATCH_WINDOW_MS = 30_000;
  /** At most this many orders per POST_ORDER_ACKNOWLEDGEMENT_DATA feed. */
  @Type(() => Number) @IsInt() @Min(1) @Max(20_000) CANCEL_FEED_MAX_MESSAGES = 5000;
  /** How often a submitted feed's processing status is asked for. */
  @Type(() => Number) @IsInt() @Min(50) FEED_POLL_MS = 20_000;
}
