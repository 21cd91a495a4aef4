import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckResult, HealthCheckService, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { HEALTH_CHECKS, SERVICE_NAMES, ServiceHealth, ServiceName } from '@connector/contracts';
import { Readiness, ServiceClient } from '@connector/platform';
import type { Response } from 'express';
import { Public } from '../common/public.decorator';
import { DownService, GatewayHealth, HealthCheckView } from './health.views';

export const HEALTH_TIMEOUT_MS = 2000;

/**
 * The gateway's health. /health/live: the process answers (what restart policies watch).
 * /health/ready: its own PostgreSQL and NATS, and every service's readiness asked over NATS
 * (what a load balancer watches, and the whole system's health). /health: the services' part of
 * ready, in the shape it always had.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly services: ServiceClient,
    private readonly health: HealthCheckService,
    private readonly readiness: Readiness,
    private readonly indicator: HealthIndicatorService,
  ) {}

  @Get()
  @Public()
  @ApiOperation({ operationId: 'getHealth', summary: "Every service's health, asked over NATS (2 s each, in parallel): the same as the services' part of GET /health/ready" })
  @ApiResponse({ status: 200, description: 'every service is up', type: GatewayHealth })
  @ApiResponse({ status: 503, description: 'a service is down or silent', type: GatewayHealth })
  async check(@Res({ passthrough: true }) res: Response): Promise<GatewayHealth> {
    const answers = await this.askServices();
    const allUp = SERVICE_NAMES.every((name) => answers[name].status === 'up');
    res.status(allUp ? 200 : 503);
    return { status: allUp ? 'ok' : 'degraded', services: answers };
  }

  @Get('live')
  @Public()
  @ApiOperation({ operationId: 'getLiveness', summary: 'The gateway process answers (no dependency is asked): point restart policies here' })
  @ApiResponse({ status: 200, description: 'alive', type: HealthCheckView })
  live(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.answer(res, []);
  }

  @Get('ready')
  @Public()
  @ApiOperation({
    operationId: 'getReadiness',
    summary: "The gateway's PostgreSQL and NATS (2 s each) and every service's readiness asked over NATS: point load balancers here",
  })
  @ApiResponse({ status: 200, description: 'the gateway and every service are ready', type: HealthCheckView })
  @ApiResponse({ status: 503, description: 'a part is down: `error` names it (postgres, nats, or a service) and why', type: HealthCheckView })
  ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.answer(res, [...this.readiness.checks(), () => this.servicesReadiness()]);
  }

  /** Terminus's answer, 503 with the same body when a check is down (not the API's error shape: probes read it). */
  private async answer(res: Response, checks: Parameters<HealthCheckService['check']>[0]): Promise<HealthCheckResult> {
    try {
      return await this.health.check(checks);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      res.status(503);
      return err.getResponse() as HealthCheckResult;
    }
  }

  /** One entry per service: up, or down with its own answer (which part of it) or why it did not answer. */
  private async servicesReadiness(): Promise<HealthIndicatorResult> {
    const answers = await this.askServices();
    return Object.fromEntries(
      SERVICE_NAMES.map((name) => {
        const answer = answers[name];
        const why: Record<string, unknown> = 'error' in answer ? { message: answer.error } : { postgres: answer.postgres, nats: answer.nats, ...(answer.details ? { details: answer.details } : {}) };
        const session = this.indicator.check(name);
        return [name, (answer.status === 'up' ? session.up(why) : session.down(why))[name]];
      }),
    );
  }

  private async askServices(): Promise<Record<ServiceName, ServiceHealth | DownService>> {
    const answers = await Promise.all(
      SERVICE_NAMES.map((name) =>
        this.services.request(HEALTH_CHECKS[name], {}, HEALTH_TIMEOUT_MS).then(
          (health): ServiceHealth | DownService => health,
          (err): DownService => ({ service: name, status: 'down', error: String(err?.body?.message ?? err?.message ?? 'no answer') }),
        ),
      ),
    );
    return Object.fromEntries(SERVICE_NAMES.map((name, i) => [name, answers[i]])) as Record<ServiceName, ServiceHealth | DownService>;
  }
}
