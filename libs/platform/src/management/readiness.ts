import { Global, Inject, Injectable, Module, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { outcomeWithin } from '@connector/workers';
import { DataSource } from 'typeorm';
import { dependencyProblem, HealthIndicators, HealthReport } from '../health-indicators';
import { ScrapeTimeGauges } from '../metrics/scrape-time-gauges';

/** A dependency slower than this to answer counts as down: a stalled one must not stall readiness. */
export const READINESS_TIMEOUT_MS = 2000;

/** The process's own NATS connection (its request listener), given by runService. */
export const NATS_LISTENER = Symbol('connector:nats-listener');

export interface NatsListener {
  /** Resolves once NATS answers a ping on this connection (not while NATS is away and the client reconnects). */
  ping(): Promise<void>;
}

/** One part of a readiness answer: a dependency `up`/`down`, a feature `up`/`degraded`; why in `message`. */
export interface ReadinessPart {
  status: 'up' | 'down' | 'degraded';
  message?: string;
}

/**
 * A process's readiness, in @nestjs/terminus's shape plus `degraded`: `error` holds its own
 * dependencies that do not answer (PostgreSQL, NATS: the only reason to be not ready), `degraded`
 * the features' checks that report a problem (reported, never failing readiness), `info` the
 * parts that are fine, `details` all of them.
 */
export interface ReadinessAnswer {
  /** `error`: not ready (503); `degraded`: ready, a feature reports a problem; `ok`: all fine. */
  status: 'ok' | 'degraded' | 'error';
  info: Record<string, ReadinessPart>;
  error: Record<string, ReadinessPart>;
  degraded: Record<string, ReadinessPart>;
  details: Record<string, ReadinessPart>;
}

/**
 * The one readiness check of a process, behind both GET /health/ready on its management port (or
 * the gateway's own port) and its `<service>.health.v1` NATS answer: PostgreSQL answers `select 1`
 * and NATS a ping, each within 2 s. Only these make it not ready; the checks its features
 * registered (HealthIndicators) are reported beside them.
 *
 * Also `connector_ready` (1 ready, 0 not), assessed anew on each scrape: a process that serves
 * /metrics while its own PostgreSQL or NATS is down is not ready, which `up` alone never says.
 */
@Injectable()
export class Readiness implements OnModuleInit, OnApplicationShutdown {
  private gauge?: ScrapeTimeGauges<ReadinessAnswer>;

  constructor(
    @Optional() private readonly dataSource?: DataSource,
    @Optional() @Inject(NATS_LISTENER) private readonly nats?: NatsListener,
    @Optional() private readonly indicators?: HealthIndicators,
  ) {}

  onModuleInit(): void {
    this.gauge = new ScrapeTimeGauges<ReadinessAnswer>(
      'readiness',
      () => this.assess(),
      [
        {
          name: 'connector_ready',
          help: "1 when the process's own PostgreSQL and NATS answer (GET /health/ready: 200), 0 when not (503); assessed on each scrape",
          samples: (answer) => [{ value: answer.status === 'error' ? 0 : 1 }],
        },
      ],
      // assess() answers within READINESS_TIMEOUT_MS (a dependency slower than that is down): the scrape waits for its answer.
      READINESS_TIMEOUT_MS + 1000,
    );
  }

  onApplicationShutdown(): void {
    this.gauge?.remove();
  }

  async assess(): Promise<ReadinessAnswer> {
    const dataSource = this.dataSource;
    const nats = this.nats;
    const [postgres, natsPart, reports] = await Promise.all([
      dataSource ? this.answers(() => dataSource.query('select 1')) : undefined,
      nats ? this.answers(() => nats.ping()) : undefined,
      this.indicators ? this.indicators.report() : ({} as Record<string, HealthReport>),
    ]);
    const answer: ReadinessAnswer = { status: 'ok', info: {}, error: {}, degraded: {}, details: {} };
    const add = (name: string, part: ReadinessPart) => {
      answer.details[name] = part;
      if (part.status === 'up') answer.info[name] = part;
      else if (part.status === 'down') answer.error[name] = part;
      else answer.degraded[name] = part;
    };
    if (postgres) add('postgres', postgres);
    if (natsPart) add('nats', natsPart);
    for (const [name, report] of Object.entries(reports)) add(name, { status: report.healthy ? 'up' : 'degraded', message: report.detail });
    answer.status = Object.keys(answer.error).length ? 'error' : Object.keys(answer.degraded).length ? 'degraded' : 'ok';
    return answer;
  }

  private async answers(ask: () => Promise<unknown>): Promise<ReadinessPart> {
    const outcome = await outcomeWithin(Promise.resolve().then(ask), READINESS_TIMEOUT_MS);
    if (outcome.status === 'fulfilled') return { status: 'up' };
    return { status: 'down', message: outcome.status === 'timeout' ? `no answer within ${READINESS_TIMEOUT_MS / 1000} s` : dependencyProblem(outcome.reason) };
  }
}

/** Readiness and terminus's HealthCheckService, for any module of the app (the gateway's health routes, the management server's, the NATS health answer). */
@Global()
@Module({
  // Terminus logs each failed check as an error with its whole answer; the answer says it all.
  imports: [TerminusModule.forRoot({ logger: false })],
  providers: [Readiness],
  exports: [Readiness, TerminusModule],
})
export class ReadinessModule {}
