import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { AccessTokenStore } from './auth/access-token.store';
import { LwaController } from './auth/lwa.controller';
import { ApplicationStore } from './authorization/application.store';
import { ConsentController } from './authorization/consent.controller';
import { SellersController } from './sellers/sellers.controller';
import { NotificationStore } from './notifications/notification.store';
import { NotificationsController } from './notifications/notifications.controller';
import { OrderChangeEmitter } from './notifications/order-change.emitter';
import { SqsControlController } from './sqs/sqs-control.controller';
import { SqsController } from './sqs/sqs.controller';
import { SqsStore } from './sqs/sqs.store';
import { ControlController } from './control/control.controller';
import { OrderLifecycleService } from './control/order-lifecycle.service';
import { SandboxResetService } from './control/sandbox-reset.service';
import { Orders2026Controller } from './orders/orders-2026.controller';
import { OrdersV0Controller } from './orders/orders-v0.controller';
import { OrdersService } from './orders/orders.service';
import { OrdersV0Service } from './orders/orders-v0.service';
import { TokensController } from './tokens/tokens.controller';
import { FeedService } from './feeds/feed.service';
import { ListingsControlController, ListingsItemsController } from './listings/listings.controller';
import { ListingStore } from './listings/listing.store';
import { FeedDocumentStorageController, FeedsController } from './feeds/feeds.controller';
import { ShipmentConfirmationService } from './orders/shipment-confirmation.service';
import { ShipmentLog } from './orders/shipment-log';
import { RateLimitService } from './rate-limits/rate-limit.service';
import { SANDBOX_OPTIONS, SandboxOptions } from './sandbox-options';
import { CallStatsService } from './sp-api/call-stats.service';
import { FaultService } from './sp-api/fault.service';
import { SandboxExceptionFilter } from './sp-api/sandbox-exception.filter';
import { SpApiInterceptor } from './sp-api/sp-api.interceptor';
import { OrderStore } from './store/order.store';
import { SandboxClock } from './store/sandbox-clock';
import { SellerStore } from './store/seller.store';

/** The whole sandbox is one process-local state, so one module holds it (a dynamic module per instance, so tests can run several). */
@Module({})
export class AppModule {
  static forRoot(options: SandboxOptions): DynamicModule {
    return {
      module: AppModule,
      controllers: [LwaController, ConsentController, SellersController, Orders2026Controller, OrdersV0Controller, TokensController, FeedsController, FeedDocumentStorageController, ControlController, NotificationsController, SqsControlController, SqsController, ListingsItemsController, ListingsControlController],
      providers: [
        { provide: SANDBOX_OPTIONS, useValue: options },
        SandboxClock,
        SellerStore,
        OrderStore,
        AccessTokenStore,
        ApplicationStore,
        RateLimitService,
        CallStatsService,
        FaultService,
        OrdersService,
        OrdersV0Service,
        FeedService,
        ListingStore,
        ShipmentLog,
        ShipmentConfirmationService,
        OrderLifecycleService,
        SandboxResetService,
        NotificationStore,
        SqsStore,
        OrderChangeEmitter,
        { provide: APP_INTERCEPTOR, useClass: SpApiInterceptor },
        { provide: APP_FILTER, useClass: SandboxExceptionFilter },
      ],
    };
  }
}
