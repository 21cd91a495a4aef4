import { DynamicModule, Global, Module } from '@nestjs/common';
import { SecretBox } from '@connector/platform';
import { amazonEndpoints, SpApiClients } from '@connector/sp-api';
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
        { provide: SpApiClients, useValue: new SpApiClients({ rateScale: settings.SPAPI_RATE_SCALE, endpoints: amazonEndpoints(settings) }) },
        AmazonAccessService,
      ],
      exports: [AmazonAccessService],
    };
  }
}
