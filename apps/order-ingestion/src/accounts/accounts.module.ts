import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MarketplacesModule } from '../marketplaces/marketplaces.module';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { SellerAccount } from './seller-account.entity';

@Module({
  imports: [TypeOrmModule.forFeature([SellerAccount]), MarketplacesModule],
  controllers: [AccountsController],
  providers: [AccountsService],
  exports: [AccountsService],
})
export class AccountsModule {}
