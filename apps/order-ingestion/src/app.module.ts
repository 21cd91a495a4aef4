import type { ServiceName } from '@connector/contracts';
import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MessagingModule, ParkedEventsRetention } from '@connector/messaging';
import { HealthModule, messagingOptions, MetricsModule, RetentionModule, ServiceClientModule, SettingsModule } from '@connector/platform';
import { AccountsModule } from './accounts/accounts.module';
import { AmazonAccessModule } from './amazon-access/amazon-access.module';
import { AuthorizationsModule } from './authorizations/authorizations.module';
import { ParticipationsModule } from './participations/participations.module';
import { ingestionDataSource } from './data-source';
import { OrderIngestionSettings } from './order-ingestion.settings';
import { MarketplacesModule } from './marketplaces/marketplaces.module';
import { SalesOrdersModule } from './orders/sales-orders.module';
import { SyncModule } from './sync/sync.module';
import { OrderNotificationsModule } from './order-notifications/order-notifications.module';
import { OrderPersonalDataRetention } from './orders/order-personal-data.retention';

export const SERVICE_NAME: ServiceName = 'order-ingestion';

@Module({})
export class AppModule {
  static forRoot(settings: OrderIngestionSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SettingsModule.forRoot(settings),
        TypeOrmModule.forRoot(ingestionDataSource(settings)),
        MessagingModule.forService(messagingOptions(settings, SERVICE_NAME)),
        ServiceClientModule.register(settings, SERVICE_NAME),
        HealthModule.forService(SERVICE_NAME),
        MetricsModule.forService({ events: true }),
        RetentionModule.forTasks([OrderPersonalDataRetention, ParkedEventsRetention]),
        AmazonAccessModule.forRoot(settings),
        MarketplacesModule,
        AccountsModule,
        ParticipationsModule,
        AuthorizationsModule,
        SalesOrdersModule,
        SyncModule,
        OrderNotificationsModule,
      ],
    };
  }
}
