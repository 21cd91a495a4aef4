import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DueNotifications } from './due-notifications';
import { Notification } from './notification.entity';
import { NotificationOutcomes } from './notification-outcomes';
import { NotificationsController } from './notifications.controller';
import { NotificationsService } from './notifications.service';
import { NotificationsHealth } from './notifications-health';
import { NotificationsMetrics } from './notifications.metrics';

/** The notifications themselves: listed, retried by hand, and their outcomes, for every kind. */
@Module({
  imports: [TypeOrmModule.forFeature([Notification])],
  controllers: [NotificationsController],
  providers: [NotificationsService, NotificationOutcomes, DueNotifications, NotificationsHealth, NotificationsMetrics],
  exports: [NotificationOutcomes, DueNotifications],
})
export class NotificationsModule {}
