import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HEALTH_CHECKS, SERVICE_NAMES } from '@connector/contracts';
import { ServiceClient } from '@connector/platform';
import type { Response } from 'express';
import { Public } from '../common/public.decorator';
import { GatewayHealth } from './health.views';

export const HEALTH_TIMEOUT_MS = 2000;


@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly services: ServiceClient) {}

  @Get()
  @Public()
  @ApiOperation({ operationId: 'getHealth', summary: 'Asks every service for its health (2 s each, in parallel)' })
  @ApiResponse({ status: 200, description: 'every service is up', type: GatewayHealth })
  @ApiResponse({ status: 503, description: 'a service is down or silent', type: GatewayHealth })
  async check(@Res({ passthrough: true }) res: Response): Promise<GatewayHealth> {
    const answers = await Promise.all(
      SERVICE_NAMES.map((name) =>
        this.services.request(HEALTH_CHECKS[name], {}, HEALTH_TIMEOUT_MS).then(
          (health) => health,
          (err) => ({
            service: name,
            status: 'down' as const,
            error: String(err?.body?.message ?? err?.message ?? 'no answer'),
          }),
        ),
      ),
    );
    const services = Object.fromEntries(SERVICE_NAMES.map((name, i) => [name, answers[i]]));
    const allUp = answers.every((health) => health?.status === 'up');
    res.status(allUp ? 200 : 503);
    return { status: allUp ? 'ok' : 'degraded', services };
  }
}
