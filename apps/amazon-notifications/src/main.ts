import 'reflect-metadata';
import { startService } from '@connector/platform';
import { AppModule, SERVICE_NAME } from './app.module';
import { notificationsDataSource } from './data-source';
import { NotificationsSettings } from './notifications.settings';

startService({
  name: SERVICE_NAME,
  settings: NotificationsSettings,
  dataSource: (settings) => notificationsDataSource(settings.DATABASE_URL),
  appModule: (settings) => AppModule.forRoot(settings),
});
