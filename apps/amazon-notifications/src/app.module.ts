import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MessagingModule, ParkedEventsRetention } from '@connector/messaging';
import { HealthModule, messagingOptions, RetentionModule, SecretBox, ServiceClientModule, SettingsModule } from '@connector/platform';
import { amazonEndpoints, SpApiClients } from '@connector/sp-api';
import { AmazonAccessService } from './amazon-access/amazon-access.service';
import { notificationsDataSource } from './data-source';
import { CancellationSender } from './notifications/cancellation-sender';
import { Notification } from './notifications/notification.entity';
import { NotificationIntake } from './notifications/notification-intake';
import { NotificationSender } from './notifications/notification-sender';
import { NotificationsController } from './notifications/notifications.controller';
import { NotificationsService } from './notifications/notifications.service';
import { NotificationsSettings } from './notifications.settings';

export const SERVICE_NAME = 'amazon-notifications';

@Module({})
export class AppModule {
  static forRoot(settings: NotificationsSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SettingsModule.forRoot(settings),
        TypeOrmModule.forRoot(notificationsDataSource(settings.DATABASE_URL)),
        TypeOrmModule.forFeature([Notification]),
        MessagingModule.forService(messagingOptions(settings, SERVICE_NAME)),
        ServiceClientModule.register(settings, SERVICE_NAME),
        HealthModule.forService(SERVICE_NAME),
        RetentionModule.forTasks([ParkedEventsRetention]),
      ],
      controllers: [NotificationsController],
      providers: [
        SecretBox.provider(settings.CREDENTIALS_KEY),
        { provide: SpApiClients, useValue: new SpApiClients({ rateScale: settings.SPAPI_RATE_SCALE, endpoints: amazonEndpoints(settings) }) },
        AmazonAccessService,
        NotificationSender,
        CancellationSender,
        NotificationIntake,
        NotificationsService,
      ],
    };
  }
}
