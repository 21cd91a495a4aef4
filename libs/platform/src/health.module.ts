import { Controller, DynamicModule, Injectable, Module, OnModuleInit, Optional } from '@nestjs/common';
import { HEALTH_CHECKS, METRICS_REQUESTS, ServiceHealth, ServiceName } from '@connector/contracts';
import { EventStream, ParkedEvents } from '@connector/messaging';
import { outcomeWithin } from '@connector/workers';
import { DataSource } from 'typeorm';
import { metricsText } from './management/metrics';
import { HandlesRequest } from './rpc';

/** What one part of a service says about itself: healthy or not, and why, in a few words. */
export interface HealthReport {
  healthy: boolean;
  detail: string;
}

/** A check slower than this is reported as not answering (a stalled dependency must not stall health). */
const INDICATOR_TIMEOUT_MS = 2000;

/**
 * The parts of a service that have something to say in its health answer (a stuck sync, parked
 * events, a stalled database...). Each feature registers its check once at start; the health
 * answer runs them all, each bounded in time.
 */
@Injectable()
export class HealthIndicators {
  private readonly checks = new Map<string, () => Promise<HealthReport>>();

  register(name: string, check: () => Promise<HealthReport>): void {
    this.checks.set(name, check);
  }

  async report(): Promise<Record<string, HealthReport>> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        const outcome = await outcomeWithin(check(), INDICATOR_TIMEOUT_MS);
        const report: HealthReport =
          outcome.status === 'fulfilled'
            ? outcome.value
            : { healthy: false, detail: outcome.status === 'timeout' ? `no answer within ${INDICATOR_TIMEOUT_MS} ms` : `check failed: ${errorText(outcome.reason)}` };
        return [name, report] as const;
      }),
    );
    return Object.fromEntries(entries);
  }
}

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

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Answers `<service>.health.v1`: the answer itself shows NATS works; PostgreSQL is queried; each indicator reports. */
function healthController(service: ServiceName) {
  @Controller()
  class HealthController {
    constructor(
      private readonly indicators: HealthIndicators,
      @Optional() private readonly dataSource?: DataSource,
      @Optional() private readonly stream?: EventStream,
    ) {}

    @HandlesRequest(HEALTH_CHECKS[service])
    async check(): Promise<ServiceHealth> {
      let postgres: ServiceHealth['postgres'] = 'up';
      if (this.dataSource) {
        const answered = await outcomeWithin(this.dataSource.query('select 1'), INDICATOR_TIMEOUT_MS);
        postgres = answered.status === 'fulfilled' ? 'up' : 'down';
      }
      const nats = !this.stream || this.stream.isConnected() ? 'up' : 'down';
      const reports = await this.indicators.report();
      const details = Object.fromEntries(Object.entries(reports).map(([name, report]) => [name, report.detail]));
      const healthy = postgres === 'up' && nats === 'up' && Object.values(reports).every((report) => report.healthy);
      return { service, status: healthy ? 'up' : 'down', postgres, nats, ...(Object.keys(details).length ? { details } : {}) };
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
    return { module: HealthModule, global: true, providers: [HealthIndicators, ParkedEventsIndicator], exports: [HealthIndicators], controllers: [healthController(service), metricsController(service)] };
  }
}
