import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HealthModule, SettingsModule } from '@connector/platform';
import { partnersDataSource } from './data-source';
import { PartnerSettings } from './partner.settings';
import { PartnersModule } from './partners/partners.module';
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
        HealthModule.forService(SERVICE_NAME),
        PartnersModule,
      ],
      providers: [PersonalDataRetention],
    };
  }
}
