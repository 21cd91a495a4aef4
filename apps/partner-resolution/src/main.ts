import 'reflect-metadata';
import { startService } from '@connector/platform';
import { AppModule, SERVICE_NAME } from './app.module';
import { partnersDataSource } from './data-source';
import { PartnerSettings } from './partner.settings';

startService({
  name: SERVICE_NAME,
  settings: PartnerSettings,
  dataSource: (settings) => partnersDataSource(settings),
  appModule: (settings) => AppModule.forRoot(settings),
});
