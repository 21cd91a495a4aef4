import { DynamicModule, Module } from '@nestjs/common';
import { ManagementHealthController, MetricsController } from './management.controller';
import { ReadinessModule } from './readiness';

/** The routes of a service's management HTTP server: /metrics, /health/live, /health/ready. */
@Module({})
export class ManagementModule {
  static forService(): DynamicModule {
    return { module: ManagementModule, imports: [ReadinessModule], controllers: [MetricsController, ManagementHealthController] };
  }
}
