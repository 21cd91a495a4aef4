import { ServiceError } from '@connector/platform';
import { SpApiError } from '@connector/sp-api';
import { BackoffPolicy } from '@connector/workers';
import { AmazonNotificationsSettings } from '../amazon-notifications.settings';
import { Notification } from './notification.entity';

/**
 * Whether a failed try is worth waiting out: Amazon away or overloaded (network, timeout, 408,
 * 429, 5xx) or the account's access not to be had now (order-ingestion silent). Amazon's
 * refusal of the content (any other 4xx, LWA refusing the credentials) and an account that is
 * gone are final: trying the same again would only be refused again.
 */
export function isTransientFailure(err: unknown): boolean {
  if (err instanceof SpApiError) return err.status === 0 || err.status === 408 || err.status === 429 || err.status >= 500;
  if (err instanceof ServiceError) return err.body.statusCode >= 500;
  return true;
}

/** Between tries of a notification: exponential from NOTIFY_BACKOFF_BASE_MS, capped, spread out by jitter. */
export function notifyBackoff(settings: AmazonNotificationsSettings): BackoffPolicy {
  return { baseMs: settings.NOTIFY_BACKOFF_BASE_MS, maxMs: settings.NOTIFY_BACKOFF_MAX_MS };
}

/** An outage has kept this notification from Amazon for longer than NOTIFY_RETRY_HOURS: it is failed. */
export function outageOutlasted(notification: Notification, settings: AmazonNotificationsSettings, now = Date.now()): boolean {
  return notification.retryingSince !== null && now - notification.retryingSince.getTime() >= settings.NOTIFY_RETRY_HOURS * 3600_000;
}

/** Columns set by a try that met an outage: it does not count as a try Amazon answered. */
export const OUTAGE_TRY = {
  retryingSince: () => 'coalesce(retrying_since, now())',
  outageTries: () => 'outage_tries + 1',
} as const;

/** A try Amazon answered (or a notification retried by hand) ends the outage of the row. */
export const NO_OUTAGE = { retryingSince: null, outageTries: 0 } as const;

export function gaveUpMessage(notification: Notification, message: string): string {
  const hours = notification.retryingSince ? Math.round((Date.now() - notification.retryingSince.getTime()) / 360_000) / 10 : 0;
  return `${message} (Amazon out of reach for ${hours} h; gave up after ${notification.attempts} tries)`;
}
