import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '../accounts/accounts.module';
import { SyncModule } from '../sync/sync.module';
import { OrderChangeSubscriptions } from './order-change-subscriptions';
import { OrderNotificationReader } from './order-notification-reader';
import { HandledOrderNotification, NotificationDestination, OrderChangeSubscription } from './order-notifications.entities';

/** Order changes within seconds: ORDER_CHANGE subscriptions per account and the reader of their SQS queue. */
@Module({
  imports: [TypeOrmModule.forFeature([NotificationDestination, OrderChangeSubscription, HandledOrderNotification]), AccountsModule, SyncModule],
  providers: [OrderChangeSubscriptions, OrderNotificationReader],
})
export class OrderNotificationsModule {}
