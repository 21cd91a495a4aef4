import 'reflect-metadata';
import { startService } from '@connector/platform';
import { GatewayModule } from './app.module';
import { GatewaySettings } from './gateway.settings';
import { setupGateway } from './setup';

startService({
  name: 'gateway',
  settings: GatewaySettings,
  appModule: (settings) => GatewayModule.forRoot(settings),
  http: {
    port: (settings) => settings.GATEWAY_PORT,
    setup: setupGateway,
  },
});
