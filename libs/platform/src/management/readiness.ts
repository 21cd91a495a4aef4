import { Global, Inject, Injectable, Module, Optional } from '@nestjs/common';
import { HealthIndicatorFunction, HealthIndicatorResult, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { outcomeWithin } from '@connector/workers';
import { DataSource } from 'typeorm';
import { HealthIndicators } from '../health.module';

/** A dependency slower than this to answer counts as down: a stalled one must not stall readiness. */
export const READINESS_TIMEOUT_MS = 2000;

/** The process's own NATS connection (its request listener), given by runService. */
export const NATS_LISTENER = Symbol('connector:nats-listener');

export interface NatsListener {
  /** Resolves once NATS answers a ping on this connection (not while NATS is away and the client reconnects). */
  ping(): Promise<void>;
}

/**
 * What GET /health/ready asks: PostgreSQL answers `select 1` and NATS a ping, each within 2 s, and
 * each check the service's features registered (HealthIndicators) says healthy. A part that is
 * down is named with why, in terminus's { status, info, error, details } answer.
 */
@Injectable()
export class Readiness {
  constructor(
    private readonly indicator: HealthIndicatorService,
    @Optional() private readonly dataSource?: DataSource,
    @Optional() @Inject(NATS_LISTENER) private readonly nats?: NatsListener,
    @Optional() private readonly indicators?: HealthIndicators,
  ) {}

  checks(): HealthIndicatorFunction[] {
    const checks: HealthIndicatorFunction[] = [];
    const dataSource = this.dataSource;
    const nats = this.nats;
    if (dataSource) checks.push(() => this.answers('postgres', () => dataSource.query('select 1')));
    if (nats) checks.push(() => this.answers('nats', () => nats.ping()));
    if (this.indicators) checks.push(() => this.features());
    return checks;
  }

  private async answers(key: string, ask: () => Promise<unknown>): Promise<HealthIndicatorResult> {
    const session = this.indicator.check(key);
    const outcome = await outcomeWithin(Promise.resolve().then(ask), READINESS_TIMEOUT_MS);
    if (outcome.status === 'fulfilled') return session.up();
    return session.down({ message: outcome.status === 'timeout' ? `no answer within ${READINESS_TIMEOUT_MS} ms` : errorText(outcome.reason) });
  }

  private async features(): Promise<HealthIndicatorResult> {
    const reports = await this.indicators!.report();
    return Object.fromEntries(
      Object.entries(reports).map(([name, report]) => [name, report.healthy ? this.indicator.check(name).up({ message: report.detail })[name] : this.indicator.check(name).down({ message: report.detail })[name]]),
    );
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Readiness and terminus's HealthCheckService, for any module of the app (the gateway's health routes, the management server's). */
@Global()
@Module({
  // Terminus logs each failed check as an error with its whole answer; the answer says it all.
  imports: [TerminusModule.forRoot({ logger: false })],
  providers: [Readiness],
  exports: [Readiness, TerminusModule],
})
export class ReadinessModule {}
