import { NotificationState } from '@connector/contracts';
import { backoffDelay } from '@connector/workers';
import { EntityManager, IsNull } from 'typeorm';
import { NOTIFY_BACKOFF } from '../notifications/notification-backoff';
import { Notification } from '../notifications/notification.entity';

/**
 * NOTIFY_BACKOFF without its random part: the orders of one feed come back together, so they
 * go out together in one new feed (createFeed's quota is tight), not one feed each.
 */
const FEED_BACKOFF = { ...NOTIFY_BACKOFF, jitter: 0 };

/** Pending again, out of any feed, after a back-off; only while still pending (and, given `inFeed`, still in that feed). */
export async function requeueCancellation(manager: EntityManager, notification: Notification, reason: string, response: object | null, inFeed: string | null): Promise<boolean> {
  const result = await manager.update(
    Notification,
    { id: notification.id, state: NotificationState.Pending, feedId: inFeed ?? IsNull() },
    {
      feedId: null,
      feedMessageId: null,
      feedDocumentId: null,
      feedStatus: null,
      feedSubmittedAt: null,
      lastError: reason,
      ...(response ? { amazonResponse: response } : {}),
      nextAttemptAt: new Date(Date.now() + backoffDelay(notification.attempts, FEED_BACKOFF)),
    },
  );
  return !!result.affected;
}
