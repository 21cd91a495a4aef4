import { Controller, Get, Res } from '@nestjs/common';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import type { Response } from 'express';
import { metricsText } from './metrics';
import { Readiness, ReadinessAnswer } from './readiness';

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
 * GET /health/ready: 200 when the service's own PostgreSQL and NATS answer, else 503 naming the
 * part and why; its features' checks are reported (`degraded`) but never make it 503. In full:
 * this port is internal (no API key), unlike the gateway's.
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
  async ready(@Res({ passthrough: true }) res: Response): Promise<ReadinessAnswer> {
    const answer = await this.readiness.assess();
    res.status(answer.status === 'error' ? 503 : 200);
    return answer;
  }
}
