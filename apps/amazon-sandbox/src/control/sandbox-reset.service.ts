import { Injectable } from '@nestjs/common';
import { AccessTokenStore } from '../auth/access-token.store';
import { ApplicationStore } from '../authorization/application.store';
import { OrdersService } from '../orders/orders.service';
import { OrdersV0Service } from '../orders/orders-v0.service';
import { FeedService } from '../feeds/feed.service';
import { ListingStore } from '../listings/listing.store';
import { ShipmentLog } from '../orders/shipment-log';
import { RateLimitService } from '../rate-limits/rate-limit.service';
import { CallStatsService } from '../sp-api/call-stats.service';
import { FaultService } from '../sp-api/fault.service';
import { OrderStore } from '../store/order.store';
import { SandboxClock } from '../store/sandbox-clock';
import { SellerStore } from '../store/seller.store';
import { NotificationStore } from '../notifications/notification.store';
import { OrderChangeEmitter } from '../notifications/order-change.emitter';
import { SqsStore } from '../sqs/sqs.store';

/** Things with state that POST /_sandbox/reset clears. Feature modules register theirs. */
export interface Resettable {
  reset(): void;
}

@Injectable()
export class SandboxResetService {
  private readonly extra: Resettable[] = [];

  constructor(
    private readonly clock: SandboxClock,
    private readonly sellers: SellerStore,
    private readonly orders: OrderStore,
    private readonly tokens: AccessTokenStore,
    private readonly search: OrdersService,
    private readonly searchV0: OrdersV0Service,
    private readonly shipments: ShipmentLog,
    private readonly rateLimits: RateLimitService,
    private readonly stats: CallStatsService,
    private readonly faults: FaultService,
    private readonly feeds: FeedService,
    private readonly applications: ApplicationStore,
    private readonly notifications: NotificationStore,
    private readonly queues: SqsStore,
    private readonly orderChanges: OrderChangeEmitter,
    private readonly listings: ListingStore,
  ) {}

  register(resettable: Resettable): void {
    this.extra.push(resettable);
  }

  /** Back to the state right after start-up (clock offset, time scale and limits as configured). */
  reset(): void {
    for (const r of [this.clock, this.sellers, this.orders, this.tokens, this.search, this.searchV0, this.shipments, this.rateLimits, this.stats, this.faults, this.feeds, this.applications, this.notifications, this.queues, this.orderChanges, this.listings, ...this.extra]) r.reset();
  }
}
