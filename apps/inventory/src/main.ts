import 'reflect-metadata';
import { ServiceSettings, startService } from '@connector/platform';
import { AppModule, SERVICE_NAME } from './app.module';
import { inventoryDataSource } from './data-source';

startService({
  name: SERVICE_NAME,
  settings: ServiceSettings,
  dataSource: (settings) => inventoryDataSource(settings),
  appModule: (settings) => AppModule.forRoot(settings),
});
