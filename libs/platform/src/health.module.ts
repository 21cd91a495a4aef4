import { Controller, DynamicModule, Module, Optional } from '@nestjs/common';
import { HEALTH_CHECKS, ServiceHealth, ServiceName } from '@connector/contracts';
import { EventStream } from '@connector/messaging';
import { DataSource } from 'typeorm';
import { HandlesRequest } from './rpc';

/** Answers `<service>.health.v1`: the answer itself shows NATS works; PostgreSQL is queried. */
function healthController(service: ServiceName) {
  @Controller()
  class HealthController {
    constructor(
      @Optional() private readonly dataSource?: DataSource,
      @Optional() private readonly stream?: EventStream,
    ) {}

    @HandlesRequest(HEALTH_CHECKS[service])
    async check(): Promise<ServiceHealth> {
      let postgres: ServiceHealth['postgres'] = 'up';
      if (this.dataSource) {
        postgres = await this.dataSource.query('select 1').then(
          () => 'up' as const,
          () => 'down' as const,
        );
      }
      const nats = !this.stream || this.stream.isConnected() ? 'up' : 'down';
      return { service, status: postgres === 'up' && nats === 'up' ? 'up' : 'down', postgres, nats };
    }
  }
  return HealthController;
}

@Module({})
export class HealthModule {
  static forService(service: ServiceName): DynamicModule {
    return { module: HealthModule, controllers: [healthController(service)] };
  }
}
