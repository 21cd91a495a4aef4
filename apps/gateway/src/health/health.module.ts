import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { HealthController } from './health.controller';
import { SystemHealth } from './system-health';

/** The gateway's health routes and the one assessment of the whole system behind them (and the readiness watch). */
@Module({
  imports: [AccessModule],
  controllers: [HealthController],
  providers: [SystemHealth],
  exports: [SystemHealth],
})
export class GatewayHealthModule {}
