import { DynamicModule, Global, Module } from '@nestjs/common';
import { SecretBox } from '@connector/platform';
import { amazonAccessProviders } from '@connector/sp-api';
import { AmazonNotificationsSettings } from '../amazon-notifications.settings';
import { AmazonAccessService } from './amazon-access.service';

/** SP-API clients for the accounts order-ingestion owns, their secrets opened with CREDENTIALS_KEY; shared by both senders. */
@Global()
@Module({})
export class AmazonAccessModule {
  static forRoot(settings: AmazonNotificationsSettings): DynamicModule {
    return {
      module: AmazonAccessModule,
      providers: [
        SecretBox.provider(settings.CREDENTIALS_KEY),
        ...amazonAccessProviders(settings),
        AmazonAccessService,
      ],
      exports: [AmazonAccessService],
    };
  }
}
