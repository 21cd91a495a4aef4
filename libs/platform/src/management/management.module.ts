import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LivenessController, MetricsController } from './management.controller';

/** The routes of a service's management HTTP server: /metrics, /health/live. */
@Module({})
export class ManagementModule {
  static forService(): DynamicModule {
    return {
      module: ManagementModule,
      // Terminus logs a failed check as an error with its whole answer; the answer itself says it.
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [MetricsController, LivenessController],
    };
  }
}
