import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '../accounts/accounts.module';
import { MarketplacesModule } from '../marketplaces/marketplaces.module';
import { MarketplaceParticipation, MarketplaceRefresh } from './marketplace-participation.entity';
import { ParticipationsController } from './participations.controller';
import { ParticipationsRefresher } from './participations.refresher';
import { ParticipationsService } from './participations.service';

/** The marketplaces of each account, from Amazon's Sellers API. */
@Module({
  imports: [TypeOrmModule.forFeature([MarketplaceParticipation, MarketplaceRefresh]), AccountsModule, MarketplacesModule],
  controllers: [ParticipationsController],
  providers: [ParticipationsService, ParticipationsRefresher],
  exports: [ParticipationsService, ParticipationsRefresher],
})
export class ParticipationsModule {}
