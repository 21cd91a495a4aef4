import type { ServiceName } from '@connector/contracts';
import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MessagingModule, ParkedEventsRetention } from '@connector/messaging';
import { HealthModule, messagingOptions, MetricsModule, RetentionModule, ServiceClientModule, SettingsModule } from '@connector/platform';
import { AmazonAccessModule } from './amazon-access/amazon-access.module';
import { AmazonNotificationsSettings } from './amazon-notifications.settings';
import { CancellationFeedsModule } from './cancellation-feeds/cancellation-feeds.module';
import { notificationsDataSource } from './data-source';
import { NotificationIntakeModule } from './notification-intake/notification-intake.module';
import { NotificationsModule } from './notifications/notifications.module';
import { ShipmentConfirmationsModule } from './shipment-confirmations/shipment-confirmations.module';
import { StockSyncModule } from './stock-sync/stock-sync.module';

export const SERVICE_NAME: ServiceName = 'amazon-notifications';

@Module({})
export class AppModule {
  static forRoot(settings: AmazonNotificationsSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SettingsModule.forRoot(settings),
        TypeOrmModule.forRoot(notificationsDataSource(settings)),
        MessagingModule.forService(messagingOptions(settings, SERVICE_NAME)),
        ServiceClientModule.register(settings, SERVICE_NAME),
        HealthModule.forService(SERVICE_NAME),
        MetricsModule.forService({ events: true }),
        RetentionModule.forTasks([ParkedEventsRetention]),
        AmazonAccessModule.forRoot(settings),
        NotificationsModule,
        NotificationIntakeModule,
        ShipmentConfirmationsModule,
        CancellationFeedsModule,
        StockSyncModule,
      ],
    };
  }
}
