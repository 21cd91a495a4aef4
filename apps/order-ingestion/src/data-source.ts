import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '@connector/messaging';
import { DatabaseSettings, serviceDataSourceOptions } from '@connector/persistence';
import { AmazonQuotas1766000000600 } from '@connector/sp-api';
import { SellerAccount } from './accounts/seller-account.entity';
import { Authorization } from './authorizations/authorization.entity';
import { MarketplaceParticipation, MarketplaceRefresh } from './participations/marketplace-participation.entity';
import { Marketplace } from './marketplaces/marketplace.entity';
import { InitialSchema1764300000100 } from './migrations/1764300000100-initial-schema';
import { SkuProducts1764300000101 } from './migrations/1764300000101-sku-products';
import { QuarantineWithoutPersonalData1764300000102 } from './migrations/1764300000102-quarantine-without-personal-data';
import { MarketplaceBackfill1764300000103 } from './migrations/1764300000103-marketplace-backfill';
import { ProjectionVersions1764300000110 } from './migrations/1764300000110-projection-versions';
import { SyncRunProgress1764300000120 } from './migrations/1764300000120-sync-run-progress';
import { SyncRunQueueAndProgress1764300000130 } from './migrations/1764300000130-sync-run-queue-and-progress';
import { SyncRunRequestCorrelation1765100000140 } from './migrations/1765100000140-sync-run-request-correlation';
import { QuarantineLastRetryError1765100000141 } from './migrations/1765100000141-quarantine-last-retry-error';
import { LineQuantityCancelled1765500000150 } from './migrations/1765500000150-line-quantity-cancelled';
import { LinkWithAmazon1765500000160 } from './migrations/1765500000160-link-with-amazon';
import { WarehouseDetails1765500000170 } from './migrations/1765500000170-warehouse-details';
import { ShipmentClaims1765500000180 } from './migrations/1765500000180-shipment-claims';
import { RefusedCancellations1765500000190 } from './migrations/1765500000190-refused-cancellations';
import { LinkHardening1765600000180 } from './migrations/1765600000180-link-hardening';
import { OrderNotifications1765600000190 } from './migrations/1765600000190-order-notifications';
import { HandledOrderNotification, NotificationDestination, OrderChangeSubscription } from './order-notifications/order-notifications.entities';
import { StockSyncSettings1765700000170 } from './migrations/1765700000170-stock-sync-settings';
import { ClaimsConfirmedRefusalsOutcome1765800000180 } from './migrations/1765800000180-claims-confirmed-refusals-outcome';
import { SubscriptionVerification1765800000190 } from './migrations/1765800000190-subscription-verification';
import { SubscriptionUnsubscribe1766000000431 } from './migrations/1766000000431-subscription-unsubscribe';
import { OrderSearch1766000000500 } from './migrations/1766000000500-order-search';
import { QuarantinedAt1766000000800 } from './migrations/1766000000800-quarantined-at';
import { ManySellers1766000000700 } from './migrations/1766000000700-many-sellers';
import { SyncOutageStreak1766000000910 } from './migrations/1766000000910-sync-outage-streak';
import { QuarantinedOrder } from './orders/quarantined-order.entity';
import { SalesOrderLine } from './orders/sales-order-line.entity';
import { ShipmentClaim } from './orders/shipment-claim.entity';
import { SalesOrder } from './orders/sales-order.entity';
import { SkuProduct } from './orders/sku-product.entity';
import { SyncRun } from './sync/sync-run.entity';

export const INGESTION_SCHEMA = 'ingestion';

export const ingestionDataSource = (database: string | DatabaseSettings) =>
  serviceDataSourceOptions({
    database,
    schema: INGESTION_SCHEMA,
    entities: [SellerAccount, Marketplace, SalesOrder, SalesOrderLine, ShipmentClaim, QuarantinedOrder, SkuProduct, SyncRun, Authorization, MarketplaceParticipation, MarketplaceRefresh, NotificationDestination, OrderChangeSubscription, HandledOrderNotification, ...MESSAGING_ENTITIES],
    migrations: [...MESSAGING_MIGRATIONS, InitialSchema1764300000100, SkuProducts1764300000101, QuarantineWithoutPersonalData1764300000102, MarketplaceBackfill1764300000103, ProjectionVersions1764300000110, SyncRunProgress1764300000120, SyncRunQueueAndProgress1764300000130,
      SyncRunRequestCorrelation1765100000140, QuarantineLastRetryError1765100000141, LineQuantityCancelled1765500000150, LinkWithAmazon1765500000160, WarehouseDetails1765500000170, ShipmentClaims1765500000180, RefusedCancellations1765500000190, LinkHardening1765600000180, OrderNotifications1765600000190, StockSyncSettings1765700000170, ClaimsConfirmedRefusalsOutcome1765800000180, SubscriptionVerification1765800000190, SubscriptionUnsubscribe1766000000431, OrderSearch1766000000500, AmazonQuotas1766000000600, ManySellers1766000000700, QuarantinedAt1766000000800, SyncOutageStreak1766000000910],
  });
