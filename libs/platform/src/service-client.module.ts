import { DynamicModule, Module, OnApplicationShutdown, Inject } from '@nestjs/common';
import { NamespacedNatsClient } from './namespaced-nats';
import { natsInboxPrefix } from '@connector/contracts';
import { natsConnectionOptions } from './nats-connection';
import { ServiceClient } from './rpc';
import type { ServiceSettings } from './config';

export const SETTINGS = Symbol('connector:settings');

/** Makes the service's validated settings injectable (`@Inject(SETTINGS)`). */
@Module({})
export class SettingsModule {
  static forRoot(settings: ServiceSettings): DynamicModule {
    return { module: SettingsModule, global: true, providers: [{ provide: SETTINGS, useValue: settings }], exports: [SETTINGS] };
  }
}

class ServiceClientCloser implements OnApplicationShutdown {
  constructor(@Inject(ServiceClient) private readonly client: ServiceClient) {}
  async onApplicationShutdown(): Promise<void> {
    await this.client.close().catch(() => undefined);
  }
}

/** A NATS request/reply client to the other services. */
@Module({})
export class ServiceClientModule {
  static register(settings: ServiceSettings, clientName: string): DynamicModule {
    return {
      module: ServiceClientModule,
      global: true,
      providers: [
        {
          provide: ServiceClient,
          useFactory: () =>
            new ServiceClient(
              new NamespacedNatsClient(settings.NATS_NAMESPACE, {
                ...natsConnectionOptions(settings),
                inboxPrefix: natsInboxPrefix(clientName),
                name: `${clientName}-client`,
                maxReconnectAttempts: -1,
              }),
              { retryForMs: settings.SERVICE_REQUEST_RETRY_SECONDS * 1000 },
            ),
        },
        ServiceClientCloser,
      ],
      exports: [ServiceClient],
    };
  }
}
