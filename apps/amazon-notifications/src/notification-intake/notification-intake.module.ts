import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { NotificationIntake } from './notification-intake';

/** Domain events (delivery validated, order cancelled by the seller) in, notifications to send out. */
@Module({
  imports: [NotificationsModule],
  providers: [NotificationIntake],
})
export class NotificationIntakeModule {}
