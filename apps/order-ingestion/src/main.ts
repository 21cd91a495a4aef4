import 'reflect-metadata';
import { startService } from '@connector/platform';
import { AppModule, SERVICE_NAME } from './app.module';
import { ingestionDataSource } from './data-source';
import { OrderIngestionSettings } from './order-ingestion.settings';

startService({
  name: SERVICE_NAME,
  settings: OrderIngestionSettings,
  dataSource: (settings) => ingestionDataSource(settings),
  appModule: (settings) => AppModule.forRoot(settings),
});
