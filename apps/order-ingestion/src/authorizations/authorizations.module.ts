import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '../accounts/accounts.module';
import { MarketplacesModule } from '../marketplaces/marketplaces.module';
import { ParticipationsModule } from '../participations/participations.module';
import { Authorization } from './authorization.entity';
import { AuthorizationsController } from './authorizations.controller';
import { AuthorizationsService } from './authorizations.service';

/** Link with Amazon: consent URLs and Amazon's callback. */
@Module({
  imports: [TypeOrmModule.forFeature([Authorization]), AccountsModule, MarketplacesModule, ParticipationsModule],
  controllers: [AuthorizationsController],
  providers: [AuthorizationsService],
})
export class AuthorizationsModule {}
