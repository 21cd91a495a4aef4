import { NotificationState } from '@connector/contracts';
import { backoffDelay, BackoffPolicy } from '@connector/workers';
import { EntityManager, IsNull } from 'typeorm';
import { Notification } from '../notifications/notification.entity';
import { OUTAGE_TRY } from '../notifications/notification-retries';

/**
 * Pending again, out of any feed, after a back-off; only while still pending (and, given
 * `inFeed`, still in that feed). The back-off is full jitter (backoffDelay) with one random
 * draw for the whole batch (`draw`, like `now`: one for the batch): the orders of one feed come
 * back together, so they go out together in one new feed (createFeed's quota is tight), not one
 * feed each, while feeds of other accounts and replicas spread out. `outage`: the try met an
 * outage, which does not count as a try Amazon answered. `keepDocument`: createFeed may have made
 * a feed of it, so it keeps its document id (see unit-cancellation-check.ts).
 */
export async function requeueCancellation(
  manager: EntityManager,
  notification: Notification,
  reason: string,
  response: object | null,
  inFeed: string | null,
  retry: { backoff: BackoffPolicy; now: number; draw: number; outage?: boolean; keepDocument?: boolean },
): Promise<boolean> {
  const result = await manager.update(
    Notification,
    { id: notification.id, state: NotificationState.Pending, feedId: inFeed ?? IsNull() },
    {
      feedId: null,
      // Kept while a feed of it may exist at Amazon (createFeed's answer lost): the mark that it must be checked before it is sent again.
      ...(retry.keepDocument ? {} : { feedMessageId: null, feedDocumentId: null }),
      feedStatus: null,
      feedSubmittedAt: null,
      lastError: reason,
      ...(response ? { amazonResponse: response } : {}),
      ...(retry.outage ? OUTAGE_TRY : {}),
      nextAttemptAt: new Date(retry.now + backoffDelay(notification.attempts, retry.backoff, () => retry.draw)),
    },
  );
  return !!result.affected;
}
