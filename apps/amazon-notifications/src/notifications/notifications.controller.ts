import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { GET_NOTIFICATION, IdRequest, LIST_NOTIFICATIONS, ListNotificationsRequest, RETRY_NOTIFICATION, RETRY_NOTIFICATIONS, RetryNotificationsRequest } from '@connector/contracts';
import { HandlesRequest } from '@connector/platform';
import { NotificationsService } from './notifications.service';

@Controller()
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @HandlesRequest(LIST_NOTIFICATIONS) list(@Payload() r: ListNotificationsRequest) { return this.notifications.list(r); }
  @HandlesRequest(GET_NOTIFICATION) get(@Payload() r: IdRequest) { return this.notifications.get(r.id); }
  @HandlesRequest(RETRY_NOTIFICATION) retry(@Payload() r: IdRequest) { return this.notifications.retry(r.id); }
  @HandlesRequest(RETRY_NOTIFICATIONS) retryFailed(@Payload() r: RetryNotificationsRequest) { return this.notifications.retryFailed(r); }
}
