import { Controller, Get, Res } from '@nestjs/common';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import type { Response } from 'express';
import { metricsText } from './metrics';
import { Readiness } from './readiness';

/** GET /metrics: what Prometheus scrapes. */
@Controller('metrics')
export class MetricsController {
  @Get()
  async metrics(@Res() res: Response): Promise<void> {
    const { contentType, text } = await metricsText();
    res.type(contentType).send(text);
  }
}

/**
 * GET /health/live: 200 while the process answers at all (its event loop runs). No dependency is
 * asked: a restart cures a hung process, not a database that is away, so this is what restart
 * policies watch.
 * GET /health/ready: 200 when the service can do its work (PostgreSQL, NATS, its features' checks),
 * else 503 naming the part and why: what load balancers and start order watch.
 */
@Controller('health')
export class ManagementHealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly readiness: Readiness,
  ) {}

  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check(this.readiness.checks());
  }
}
