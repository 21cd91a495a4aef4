import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '../accounts/accounts.module';
import { MarketplacesModule } from '../marketplaces/marketplaces.module';
import { SalesOrdersModule } from '../orders/sales-orders.module';
import { SyncRun } from './sync-run.entity';
import { SyncController } from './sync.controller';
import { SyncScheduler } from './sync-scheduler';
import { SyncService } from './sync.service';

@Module({
  imports: [TypeOrmModule.forFeature([SyncRun]), AccountsModule, MarketplacesModule, SalesOrdersModule],
  controllers: [SyncController],
  providers: [SyncService, SyncScheduler],
})
export class SyncModule {}
