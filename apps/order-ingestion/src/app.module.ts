import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MessagingModule } from '@connector/messaging';
import { HealthModule, natsConnectionOptions, SecretBox, ServiceClientModule, SettingsModule } from '@connector/platform';
import { AmazonEndpoints, amazonEndpoints, SpApiClients } from '@connector/sp-api';
import { AccountsModule } from './accounts/accounts.module';
import { ingestionDataSource } from './data-source';
import { IngestionSettings } from './ingestion.settings';
import { MarketplacesModule } from './marketplaces/marketplaces.module';
import { SalesOrdersModule } from './orders/sales-orders.module';
import { SyncModule } from './sync/sync.module';

export const SERVICE_NAME = 'order-ingestion';

/** Secrets, the endpoints they may go to, and SP-API clients, shared by accounts and sync. */
@Global()
@Module({})
class AmazonAccessModule {
  static forRoot(settings: IngestionSettings): DynamicModule {
    return {
      module: AmazonAccessModule,
      providers: [
        { provide: SecretBox, useValue: new SecretBox(settings.CREDENTIALS_KEY) },
        { provide: AmazonEndpoints, useValue: amazonEndpoints(settings) },
        { provide: SpApiClients, useValue: new SpApiClients({ rateScale: settings.SPAPI_RATE_SCALE, endpoints: amazonEndpoints(settings) }) },
      ],
      exports: [SecretBox, AmazonEndpoints, SpApiClients],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(settings: IngestionSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SettingsModule.forRoot(settings),
        TypeOrmModule.forRoot(ingestionDataSource(settings.DATABASE_URL)),
        MessagingModule.forService({ natsUrl: settings.NATS_URL, connection: natsConnectionOptions(settings), namespace: settings.NATS_NAMESPACE, serviceName: SERVICE_NAME }),
        ServiceClientModule.register(settings, SERVICE_NAME),
        HealthModule.forService(SERVICE_NAME),
        AmazonAccessModule.forRoot(settings),
        MarketplacesModule,
        AccountsModule,
        SalesOrdersModule,
        SyncModule,
      ],
    };
  }
}
