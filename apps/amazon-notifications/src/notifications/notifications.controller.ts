import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { GET_NOTIFICATION, IdRequest, LIST_NOTIFICATIONS, ListNotificationsRequest, RETRY_NOTIFICATION } from '@connector/contracts';
import { NotificationsService } from './notifications.service';

@Controller()
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @MessagePattern(LIST_NOTIFICATIONS) list(@Payload() r: ListNotificationsRequest) { return this.notifications.list(r); }
  @MessagePattern(GET_NOTIFICATION) get(@Payload() r: IdRequest) { return this.notifications.get(r.id); }
  @MessagePattern(RETRY_NOTIFICATION) retry(@Payload() r: IdRequest) { return this.notifications.retry(r.id); }
}
