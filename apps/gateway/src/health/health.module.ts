import { Module } from '@nestjs/common';
import { SystemHealth } from './system-health';

/** The one assessment of the whole system behind the gateway's health routes (HealthController) and the readiness watch. */
@Module({
  providers: [SystemHealth],
  exports: [SystemHealth],
})
export class GatewayHealthModule {}
