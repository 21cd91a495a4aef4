import { Controller, DynamicModule, Injectable, Module, OnModuleInit, Optional } from '@nestjs/common';
import { HEALTH_CHECKS, METRICS_REQUESTS, ServiceHealth, ServiceName } from '@connector/contracts';
import { ParkedEvents } from '@connector/messaging';
import { HealthIndicators } from './health-indicators';
import { Readiness, ReadinessAnswer, ReadinessModule } from './management/readiness';
import { metricsText } from './management/metrics';
import { HandlesRequest } from './rpc';

/**
 * Parked events counted in health. They leave the service healthy: each waits for a person
 * (listed, replayed, discarded through the gateway) while everything else flows, and an
 * unhealthy answer would only get the service restarted, which changes nothing for them.
 */
@Injectable()
class ParkedEventsIndicator implements OnModuleInit {
  constructor(
    private readonly indicators: HealthIndicators,
    @Optional() private readonly parked?: ParkedEvents,
  ) {}

  onModuleInit(): void {
    const parked = this.parked;
    if (!parked) return;
    this.indicators.register('parkedEvents', async () => {
      const waiting = await parked.waiting();
      return { healthy: true, detail: waiting === 0 ? 'none parked' : `${waiting} parked, waiting for a person (GET /api/v1/parked-events?service=${parked.service})` };
    });
  }
}

/**
 * A service's readiness as its `<service>.health.v1` answer: `up` when its own PostgreSQL and NATS
 * answer (the same Readiness as its GET /health/ready), the features' problems in `degraded`.
 */
export function serviceHealthOf(service: string, answer: ReadinessAnswer): ServiceHealth {
  const part = (name: string): 'up' | 'down' => (answer.error[name] ? 'down' : 'up');
  const problems = Object.fromEntries(Object.entries(answer.error).map(([name, p]) => [name, p.message ?? 'down']));
  const details = Object.fromEntries(
    Object.entries(answer.details)
      .filter(([name]) => name !== 'postgres' && name !== 'nats')
      .map(([name, p]) => [name, p.message ?? p.status]),
  );
  const degraded = Object.keys(answer.degraded);
  return {
    service,
    status: answer.status === 'error' ? 'down' : 'up',
    postgres: part('postgres'),
    nats: part('nats'),
    ...(Object.keys(problems).length ? { problems } : {}),
    ...(degraded.length ? { degraded } : {}),
    ...(Object.keys(details).length ? { details } : {}),
  };
}

/** Answers `<service>.health.v1` from Readiness (the answer itself shows that NATS works both ways). */
function healthController(service: ServiceName) {
  @Controller()
  class HealthController {
    constructor(private readonly readiness: Readiness) {}

    @HandlesRequest(HEALTH_CHECKS[service])
    async check(): Promise<ServiceHealth> {
      return serviceHealthOf(service, await this.readiness.assess());
    }
  }
  return HealthController;
}

/** Answers `<service>.metrics.v1` with this replica's Prometheus registry as text (the gateway's GET /metrics/services/:service). */
function metricsController(service: ServiceName) {
  @Controller()
  class MetricsRequestController {
    @HandlesRequest(METRICS_REQUESTS[service])
    async metrics(): Promise<string> {
      return (await metricsText()).text;
    }
  }
  return MetricsRequestController;
}

@Module({})
export class HealthModule {
  /** Global: any feature module of the service can inject HealthIndicators and register its check. */
  static forService(service: ServiceName): DynamicModule {
    return { module: HealthModule, global: true, imports: [ReadinessModule], providers: [HealthIndicators, ParkedEventsIndicator], exports: [HealthIndicators], controllers: [healthController(service), metricsController(service)] };
  }
}
