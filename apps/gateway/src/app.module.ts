import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ServiceClientModule, SettingsModule } from '@connector/platform';
import { AccountsController } from './accounts/accounts.controller';
import { ApiKeyGuard } from './common/api-key.guard';
import { HttpErrorFilter } from './common/http-error.filter';
import { gatewayValidationPipe } from './common/validation';
import { DeliveriesController } from './deliveries/deliveries.controller';
import type { GatewaySettings } from './gateway.settings';
import { HealthController } from './health/health.controller';
import { MarketplacesController } from './marketplaces/marketplaces.controller';
import { NotificationsController } from './notifications/notifications.controller';
import { OrderDetailsService } from './orders/order-details.service';
import { OrdersController } from './orders/orders.controller';
import { PartnersController } from './partners/partners.controller';
import { ProductsController } from './products/products.controller';
import { StockController } from './stock/stock.controller';

/**
 * The public HTTP API. It holds no data: each route is a NATS request to the service that
 * owns the data. API-key guard, validation and the error shape are global here, so a test
 * that builds this module gets the same behaviour as the running gateway.
 */
@Module({})
export class GatewayModule {
  static forRoot(settings: GatewaySettings): DynamicModule {
    return {
      module: GatewayModule,
      imports: [SettingsModule.forRoot(settings), ServiceClientModule.register(settings, 'gateway')],
      controllers: [
        HealthController,
        AccountsController,
        MarketplacesController,
        OrdersController,
        PartnersController,
        ProductsController,
        DeliveriesController,
        StockController,
        NotificationsController,
      ],
      providers: [
        OrderDetailsService,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_PIPE, useFactory: gatewayValidationPipe },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
      ],
    };
  }
}
