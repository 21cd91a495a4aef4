import { NotificationState } from '@connector/contracts';
import { EntityManager, IsNull } from 'typeorm';
import { Notification } from '../notifications/notification.entity';

/** Pending again, out of any feed, after a back-off; only while still pending (and, given `inFeed`, still in that feed). */
export async function requeueCancellation(manager: EntityManager, notification: Notification, reason: string, response: object | null, inFeed: string | null): Promise<boolean> {
  const delaySeconds = Math.min(2 ** notification.attempts, 600);
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
      nextAttemptAt: new Date(Date.now() + delaySeconds * 1000),
    },
  );
  return !!result.affected;
}
