import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '@connector/messaging';
import { DatabaseSettings, serviceDataSourceOptions } from '@connector/persistence';
import { AmazonQuotas1766000000600 } from '@connector/sp-api';
import { InitialSchema1764300000400 } from './migrations/1764300000400-initial-schema';
import { CancellationFeeds1764300000401 } from './migrations/1764300000401-cancellation-feeds';
import { RetriesThroughOutages1764300000410 } from './migrations/1764300000410-retries-through-outages';
import { NotificationCorrelationId1765100000420 } from './migrations/1765100000420-notification-correlation-id';
import { ConfirmationShipFrom1765300000430 } from './migrations/1765300000430-confirmation-ship-from';
import { PartialCancellations1765500000430 } from './migrations/1765500000430-partial-cancellations';
import { StockUpdates1765700000440 } from './migrations/1765700000440-stock-updates';
import { StockSenderFixes1765800000450 } from './migrations/1765800000450-stock-sender-fixes';
import { StockPerMarketplace1766000000460 } from './migrations/1766000000460-stock-per-marketplace';
import { UnsureStockFeedsIndex1766000000473 } from './migrations/1766000000473-unsure-stock-feeds-index';
import { NotificationDecidedAt1766000000521 } from './migrations/1766000000521-notification-decided-at';
import { StockUpdate } from './stock-sync/stock-update.entity';
import { Notification } from './notifications/notification.entity';

export const NOTIFICATIONS_SCHEMA = 'notifications';

export const notificationsDataSource = (database: string | DatabaseSettings) =>
  serviceDataSourceOptions({
    database,
    schema: NOTIFICATIONS_SCHEMA,
    entities: [Notification, StockUpdate, ...MESSAGING_ENTITIES],
    migrations: [...MESSAGING_MIGRATIONS, InitialSchema1764300000400, CancellationFeeds1764300000401, RetriesThroughOutages1764300000410, NotificationCorrelationId1765100000420, ConfirmationShipFrom1765300000430, PartialCancellations1765500000430, StockUpdates1765700000440, StockSenderFixes1765800000450, StockPerMarketplace1766000000460, UnsureStockFeedsIndex1766000000473, NotificationDecidedAt1766000000521, AmazonQuotas1766000000600],
  });
