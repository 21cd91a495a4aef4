import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SalesOrder } from '../orders/sales-order.entity';
import { AccountsModule } from '../accounts/accounts.module';
import { MarketplacesModule } from '../marketplaces/marketplaces.module';
import { SalesOrdersModule } from '../orders/sales-orders.module';
import { NotificationFlow } from '../order-notifications/notification-flow';
import { OrderRecovery } from './order-recovery';
import { OrdersV0Source } from './orders-v0.source';
import { OrdersV2026Source } from './orders-v2026-01-01.source';
import { SyncAlerts } from './sync-alerts';
import { SyncRun } from './sync-run.entity';
import { SyncRunPruning } from './sync-run-pruning';
import { SyncController } from './sync.controller';
import { SyncScheduler } from './sync-scheduler';
import { SyncService } from './sync.service';
import { SyncMetrics } from './sync.metrics';

@Module({
  imports: [TypeOrmModule.forFeature([SyncRun, SalesOrder]), AccountsModule, MarketplacesModule, SalesOrdersModule],
  controllers: [SyncController],
  providers: [OrderRecovery, SyncAlerts, SyncService, SyncScheduler, OrdersV0Source, OrdersV2026Source, SyncMetrics, NotificationFlow, SyncRunPruning],
  exports: [OrderRecovery, NotificationFlow],
})
export class SyncModule {}
