import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MessagingModule } from '@connector/messaging';
import { HealthModule, natsConnectionOptions, SettingsModule } from '@connector/platform';
import { partnersDataSource } from './data-source';
import { PartnerSettings } from './partner.settings';
import { PartnersModule } from './partners/partners.module';
import { OrderClosureHandler } from './retention/order-closure.handler';
import { PersonalDataRetention } from './retention/personal-data-retention';

export const SERVICE_NAME = 'partner-resolution';

@Module({})
export class AppModule {
  static forRoot(settings: PartnerSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SettingsModule.forRoot(settings),
        TypeOrmModule.forRoot(partnersDataSource(settings.DATABASE_URL)),
        MessagingModule.forService({ natsUrl: settings.NATS_URL, connection: natsConnectionOptions(settings), namespace: settings.NATS_NAMESPACE, serviceName: SERVICE_NAME }),
        HealthModule.forService(SERVICE_NAME),
        PartnersModule,
      ],
      providers: [PersonalDataRetention, OrderClosureHandler],
    };
  }
}
