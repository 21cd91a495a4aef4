import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MessagingModule, ParkedEventsRetention } from '@connector/messaging';
import { HealthModule, messagingOptions, RetentionModule, SecretBox, ServiceClientModule, SettingsModule, TransitSecrets } from '@connector/platform';
import { AmazonEndpoints, amazonEndpoints, SpApiClients } from '@connector/sp-api';
import { AccountsModule } from './accounts/accounts.module';
import { ingestionDataSource } from './data-source';
import { OrderIngestionSettings } from './order-ingestion.settings';
import { MarketplacesModule } from './marketplaces/marketplaces.module';
import { SalesOrdersModule } from './orders/sales-orders.module';
import { SyncModule } from './sync/sync.module';
import { OrderPersonalDataRetention } from './orders/order-personal-data.retention';

export const SERVICE_NAME = 'order-ingestion';

/** Secrets, the endpoints they may go to, and SP-API clients, shared by accounts and sync. */
@Global()
@Module({})
class AmazonAccessModule {
  static forRoot(settings: OrderIngestionSettings): DynamicModule {
    return {
      module: AmazonAccessModule,
      providers: [
        SecretBox.provider(settings.CREDENTIALS_KEY),
        TransitSecrets.provider(settings.CREDENTIALS_TRANSIT_KEY),
        { provide: AmazonEndpoints, useValue: amazonEndpoints(settings) },
        { provide: SpApiClients, inject: [AmazonEndpoints], useFactory: (endpoints: AmazonEndpoints) => new SpApiClients({ rateScale: settings.SPAPI_RATE_SCALE, endpoints }) },
      ],
      exports: [SecretBox, TransitSecrets, AmazonEndpoints, SpApiClients],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(settings: OrderIngestionSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SettingsModule.forRoot(settings),
        TypeOrmModule.forRoot(ingestionDataSource(settings.DATABASE_URL)),
        MessagingModule.forService(messagingOptions(settings, SERVICE_NAME)),
        ServiceClientModule.register(settings, SERVICE_NAME),
        HealthModule.forService(SERVICE_NAME),
        RetentionModule.forTasks([OrderPersonalDataRetention, ParkedEventsRetention]),
        AmazonAccessModule.forRoot(settings),
        MarketplacesModule,
        AccountsModule,
        SalesOrdersModule,
        SyncModule,
      ],
    };
  }
}
