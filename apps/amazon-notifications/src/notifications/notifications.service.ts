import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ListNotificationsRequest, NotificationState, NotificationView, Page } from '@connector/contracts';
import { listPage, ServiceError } from '@connector/platform';
import { Repository } from 'typeorm';
import { Notification } from './notification.entity';
import { DueNotifications } from './due-notifications';

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
    await this.notifications.update({ id, state: NotificationState.Failed }, {
      state: NotificationState.Pending,
      attempts: 0,
      nextAttemptAt: new Date(),
      lastError: null,
      // A cancellation goes out again in a new feed.
      feedId: null,
      feedMessageId: null,
      feedDocumentId: null,
      feedStatus: null,
      feedSubmittedAt: null,
    });
    this.due.announce();
    return this.get(id);
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
    attempts: n.attempts,
    nextAttemptAt: n.nextAttemptAt?.toISOString() ?? null,
    lastError: n.lastError,
    amazonResponse: n.amazonResponse,
    feedId: n.feedId,
    sentAt: n.sentAt?.toISOString() ?? null,
    createdAt: n.createdAt.toISOString(),
  };
}
