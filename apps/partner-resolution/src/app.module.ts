import type { ServiceName } from '@connector/contracts';
import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MessagingModule, ParkedEventsRetention } from '@connector/messaging';
import { HealthModule, messagingOptions, MetricsModule, RetentionModule, SettingsModule } from '@connector/platform';
import { partnersDataSource } from './data-source';
import { PartnerSettings } from './partner.settings';
import { PartnersModule } from './partners/partners.module';
import { OrderClosureHandler } from './retention/order-closure.handler';
import { BuyerAnonymization } from './retention/buyer-anonymization';

export const SERVICE_NAME: ServiceName = 'partner-resolution';

@Module({})
export class AppModule {
  static forRoot(settings: PartnerSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SettingsModule.forRoot(settings),
        TypeOrmModule.forRoot(partnersDataSource(settings)),
        MessagingModule.forService(messagingOptions(settings, SERVICE_NAME)),
        HealthModule.forService(SERVICE_NAME),
        MetricsModule.forService({ events: true }),
        PartnersModule,
        RetentionModule.forTasks([BuyerAnonymization, ParkedEventsRetention]),
      ],
      providers: [OrderClosureHandler],
    };
  }
}
