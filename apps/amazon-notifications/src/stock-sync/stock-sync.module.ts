import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StockFeeds } from './stock-feeds';
import { StockSender } from './stock-sender';
import { StockSyncController } from './stock-sync.controller';
import { StockSyncService } from './stock-sync.service';
import { StockUpdate } from './stock-update.entity';
import { StockUpdateIntake } from './stock-update-intake';

/**
 * Stock to Amazon, the telling part: inventory's announced quantities in (StockUpdateIntake), sent
 * to Amazon's Listings Items API (StockSender), each SKU's state out (StockSyncController). Here
 * because this service holds the accounts' SP-API access and what is told to Amazon.
 */
@Module({
  imports: [TypeOrmModule.forFeature([StockUpdate])],
  controllers: [StockSyncController],
  providers: [StockSyncService, StockSender, StockFeeds, StockUpdateIntake],
})
export class StockSyncModule {}
