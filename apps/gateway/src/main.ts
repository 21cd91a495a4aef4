import 'reflect-metadata';
import { startService } from '@connector/platform';
import { GatewayModule } from './app.module';
import { gatewayDataSource } from './data-source';
import { GatewaySettings } from './gateway.settings';
import { setupGateway } from './setup';

startService({
  name: 'gateway',
  settings: GatewaySettings,
  dataSource: (settings) => gatewayDataSource(settings),
  appModule: (settings) => GatewayModule.forRoot(settings),
  http: {
    port: (settings) => settings.GATEWAY_PORT,
    host: (settings) => settings.GATEWAY_HOST,
    setup: setupGateway,
  },
});
