import { Controller, Get, Res } from '@nestjs/common';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import type { Response } from 'express';
import { metricsText } from './metrics';

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
 */
@Controller('health')
export class LivenessController {
  constructor(private readonly health: HealthCheckService) {}

  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }
}
