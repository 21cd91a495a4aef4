import { DynamicModule, Global, Module } from '@nestjs/common';
import { SecretBox, TransitSecrets } from '@connector/platform';
import { amazonAccessProviders, AmazonEndpoints, AmazonQuotas, SpApiClients } from '@connector/sp-api';
import { OrderIngestionSettings } from '../order-ingestion.settings';

/** Secrets, the endpoints they may go to, and SP-API clients, shared by accounts and sync. */
@Global()
@Module({})
export class AmazonAccessModule {
  static forRoot(settings: OrderIngestionSettings): DynamicModule {
    return {
      module: AmazonAccessModule,
      providers: [
        SecretBox.provider(settings.CREDENTIALS_KEY),
        TransitSecrets.provider(settings.CREDENTIALS_TRANSIT_KEY),
        ...amazonAccessProviders(settings),
      ],
      exports: [SecretBox, TransitSecrets, AmazonEndpoints, AmazonQuotas, SpApiClients],
    };
  }
}
