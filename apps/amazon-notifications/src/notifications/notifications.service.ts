import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ListNotificationsRequest, NotificationKind, NotificationState, NotificationView, Page, RetryNotificationsRequest, RetryNotificationsResult } from '@connector/contracts';
import { listPage, ServiceError } from '@connector/platform';
import { returnedRows } from '@connector/workers';
import { Repository } from 'typeorm';
import { Notification } from './notification.entity';
import { DueNotifications } from './due-notifications';

/**
 * A retried cancellation goes out again in a new feed. A unit cancellation that was in a feed
 * Amazon may have applied keeps that mark (its document id), so the submitter checks the order at
 * Amazon before sending it again (a unit cancellation sent twice cancels its units twice). Not
 * when it names no units left to compare with: then the check cannot tell, it failed asking a
 * person to look, and the person's retry is the decision to send it.
 */
const KEEP_MARK_SQL = (column: string) =>
  `case when kind = '${NotificationKind.UnitCancellation}' and feed_document_id is not null
          and jsonb_array_length(coalesce(payload->'items', '[]'::jsonb)) > 0
          and not exists (select 1 from jsonb_array_elements(payload->'items') item where not item ? 'quantityLeft')
        then ${column} end`;

@Injectable()
export class NotificationsService {
  constructor(
    @InjectRepository(Notification) private readonly notifications: Repository<Notification>,
    private readonly due: DueNotifications,
  ) {}

  async list(request: ListNotificationsRequest): Promise<Page<NotificationView>> {
    const query = this.notifications.createQueryBuilder('n');
    if (request.orderId) query.andWhere('n.orderId = :orderId', { orderId: request.orderId });
    if (request.accountId) query.andWhere('n.accountId = :accountId', { accountId: request.accountId });
    if (request.state) query.andWhere('n.state = :state', { state: request.state });
    if (request.kind) query.andWhere('n.kind = :kind', { kind: request.kind });
    return listPage(query, request, notificationView);
  }

  async get(id: string): Promise<NotificationView> {
    const notification = await this.notifications.findOneBy({ id });
    if (!notification) throw ServiceError.notFound(`notification ${id} not found`);
    return notificationView(notification);
  }

  /** A failed notification is sent again, once the user has fixed what Amazon refused. */
  async retry(id: string): Promise<NotificationView> {
    const notification = await this.notifications.findOneBy({ id });
    if (!notification) throw ServiceError.notFound(`notification ${id} not found`);
    if (notification.state !== NotificationState.Failed) throw ServiceError.conflict(`notification ${id} is ${notification.state}; only a failed one can be retried`);
    await this.notifications.query(
      `update notifications set state = 'pending', attempts = 0, outage_tries = 0, retrying_since = null, next_attempt_at = now(),
              last_error = null, feed_id = null, feed_message_id = ${KEEP_MARK_SQL('feed_message_id')}, feed_document_id = ${KEEP_MARK_SQL('feed_document_id')},
              feed_status = null, feed_submitted_at = null, decided_at = null
        where id = $1 and state = 'failed'`,
      [id],
    );
    this.due.announce();
    return this.get(id);
  }

  /**
   * Failed notifications matching the filters are pending again, due now, as a retry by hand
   * does, in one statement (`skip locked`: a row another request is retrying is left to it).
   */
  async retryFailed(request: RetryNotificationsRequest): Promise<RetryNotificationsResult> {
    const conditions = [`state = 'failed'`];
    const parameters: unknown[] = [];
    const filter = (condition: string, value: unknown) => {
      parameters.push(value);
      conditions.push(condition.replace('?', `$${parameters.length}`));
    };
    if (request.accountId) filter('account_id = ?', request.accountId);
    if (request.kind) filter('kind = ?', request.kind);
    if (request.ids) filter('id = any(?::uuid[])', request.ids);
    parameters.push(request.limit ?? 1000);
    const rows = returnedRows(
      await this.notifications.query(
        `update notifications set state = 'pending', attempts = 0, outage_tries = 0, retrying_since = null, next_attempt_at = now(),
                last_error = null, feed_id = null, feed_message_id = ${KEEP_MARK_SQL('feed_message_id')}, feed_document_id = ${KEEP_MARK_SQL('feed_document_id')},
                feed_status = null, feed_submitted_at = null, decided_at = null
          where id in (select id from notifications where ${conditions.join(' and ')} order by created_at, id limit $${parameters.length} for update skip locked)
            and state = 'failed'
         returning id`,
        parameters,
      ),
    );
    if (rows.length) this.due.announce();
    return { retried: rows.length, ids: rows.map((row) => String(row.id)) };
  }
}

export function notificationView(n: Notification): NotificationView {
  return {
    id: n.id,
    kind: n.kind,
    state: n.state,
    accountId: n.accountId,
    marketplaceId: n.marketplaceId,
    orderId: n.orderId,
    amazonOrderId: n.amazonOrderId,
    deliveryId: n.deliveryId,
    packageDetail: n.kind === NotificationKind.ShipmentConfirmation ? ((n.payload as { packageDetail?: Record<string, unknown> }).packageDetail ?? null) : null,
    shipFrom: n.shipFrom,
    attempts: n.attempts,
    nextAttemptAt: n.nextAttemptAt?.toISOString() ?? null,
    retryingSince: n.retryingSince?.toISOString() ?? null,
    lastError: n.lastError,
    amazonResponse: n.amazonResponse,
    feedId: n.feedId,
    feedStatus: n.feedStatus,
    feedSubmittedAt: n.feedSubmittedAt?.toISOString() ?? null,
    cancellationId: n.cancellationId,
    cancellation: n.kind === NotificationKind.ShipmentConfirmation ? null : cancellationOf(n.payload),
    sentAt: n.sentAt?.toISOString() ?? null,
    decidedAt: n.decidedAt?.toISOString() ?? null,
    createdAt: n.createdAt.toISOString(),
  };
}

/** What a cancellation told Amazon: its reason and, for some items or units, which (none: the whole order). */
function cancellationOf(payload: object): NotificationView['cancellation'] {
  const { reason, items } = payload as { reason?: string | null; items?: { orderItemId: string; quantity: number }[] };
  return { reason: reason ?? null, items: (items ?? []).map((item) => ({ orderItemId: item.orderItemId, quantity: item.quantity })) };
}
