import 'reflect-metadata';
import { startService } from '@connector/platform';
import { AppModule, SERVICE_NAME } from './app.module';
import { notificationsDataSource } from './data-source';
import { AmazonNotificationsSettings } from './amazon-notifications.settings';

startService({
  name: SERVICE_NAME,
  settings: AmazonNotificationsSettings,
  dataSource: (settings) => notificationsDataSource(settings),
  appModule: (settings) => AppModule.forRoot(settings),
});
