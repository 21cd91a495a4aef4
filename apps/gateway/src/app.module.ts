import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MessagingModule } from '@connector/messaging';
import { messagingOptions, MetricsModule, ReadinessModule, ServiceClientModule, SettingsModule, TransitSecrets } from '@connector/platform';
import { AccountsController } from './accounts/accounts.controller';
import { AccountMarketplacesController } from './accounts/account-marketplaces.controller';
import { AccountStockSyncController } from './accounts/account-stock-sync.controller';
import { AuthorizationsController } from './authorizations/authorizations.controller';
import { AuthorizationsModule } from './authorizations/authorizations.module';
import { AlertsModule } from './alerts/alerts.module';
import { CarriersController } from './carriers/carriers.controller';
import { ShipFromController } from './ship-from/ship-from.controller';
import { LocationsController } from './locations/locations.controller';
import { AccessGuard } from './access/access.guard';
import { AccessModule } from './access/access.module';
import { HttpErrorFilter } from './common/http-error.filter';
import { RequestRateGuard } from './common/request-rate.guard';
import { gatewayValidationPipe } from './common/validation';
import { DeliveriesController } from './deliveries/deliveries.controller';
import { gatewayDataSource } from './data-source';
import type { GatewaySettings } from './gateway.settings';
import { HealthController } from './health/health.controller';
import { GatewayHealthModule } from './health/health.module';
import { IdempotencyModule } from './idempotency/idempotency.module';
import { MarketplacesController } from './marketplaces/marketplaces.controller';
import { MetricsController } from './metrics/metrics.controller';
import { NotificationsController } from './notifications/notifications.controller';
import { ParkedEventsController } from './parked-events/parked-events.controller';
import { OrderDetailsService } from './orders/order-details.service';
import { DeliveryDetailsService } from './deliveries/delivery-details.service';
import { OrdersController } from './orders/orders.controller';
import { PartnersController } from './partners/partners.controller';
import { ProductsController } from './products/products.controller';
import { StockController } from './stock/stock.controller';
import { SyncRunsController } from './sync-runs/sync-runs.controller';

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
      imports: [
        SettingsModule.forRoot(settings),
        ServiceClientModule.register(settings, 'gateway'),
        TypeOrmModule.forRoot(gatewayDataSource(settings)),
        // The gateway consumes the services' alert.raised and authorization.completed events (and publishes none).
        MessagingModule.forService(messagingOptions(settings, 'gateway')),
        // Its consumer's parked events are counted like the services'.
        MetricsModule.forService({ events: true }),
        AccessModule,
        ReadinessModule,
        GatewayHealthModule,
        AlertsModule,
        AuthorizationsModule,
        IdempotencyModule,
        ThrottlerModule.forRoot({ throttlers: [{ ttl: 60_000, limit: settings.GATEWAY_RATE_LIMIT_PER_MINUTE }] }),
      ],
      controllers: [
        HealthController,
        MetricsController,
        AccountsController,
        AccountMarketplacesController,
        AccountStockSyncController,
        AuthorizationsController,
        MarketplacesController,
        OrdersController,
        PartnersController,
        ProductsController,
        DeliveriesController,
        CarriersController,
        ShipFromController,
        LocationsController,
        StockController,
        SyncRunsController,
        NotificationsController,
        ParkedEventsController,
      ],
      providers: [
        OrderDetailsService,
        DeliveryDetailsService,
        // Seals account secrets for order-ingestion before they go onto NATS.
        TransitSecrets.provider(settings.CREDENTIALS_TRANSIT_KEY),
        // Rate first: requests with a wrong key are counted (per address) before they are refused.
        { provide: APP_GUARD, useClass: RequestRateGuard },
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_PIPE, useFactory: gatewayValidationPipe },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
      ],
    };
  }
}
