import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { SERVICE_NAMES, ServiceHealth } from '@connector/contracts';
import type { ReadinessAnswer, ReadinessPart } from '@connector/platform';
import type { Request, Response } from 'express';
import { ApiKeysService } from '../access/api-keys.service';
import { callerOf } from '../access/access.guard';
import { ApiScope } from '../access/scopes';
import { Public } from '../common/public.decorator';
import { DownService, GatewayHealth, HealthCheckView, HealthPartView, ServiceReadinessView } from './health.views';
import { SilentService, SystemHealth } from './system-health';

/**
 * The gateway's health, open without a key (probes have none) but in status words only: the
 * reasons (driver problems in our words, the features' details with account ids) need a key of
 * the `read` scope for every account.
 * /health/live: the process answers (restart policies). /health/ready: the gateway's own
 * PostgreSQL and NATS (load balancers), with every service's readiness summarised. /health: the
 * whole system (dashboards): 503 when a service is down.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly system: SystemHealth,
    private readonly health: HealthCheckService,
    private readonly keys: ApiKeysService,
  ) {}

  @Get()
  @Public()
  @ApiOperation({
    operationId: 'getHealth',
    summary: "The whole system: every service's readiness, asked over NATS (2 s each, in parallel; one assessment a second): point dashboards and alerts here",
  })
  @ApiResponse({ status: 200, description: 'every service is ready (`degraded`: a feature reports a problem)', type: GatewayHealth })
  @ApiResponse({ status: 503, description: 'a service is down or silent', type: GatewayHealth })
  async check(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<GatewayHealth> {
    const [{ services }, full] = await Promise.all([this.system.assess(), this.mayReadDetails(req)]);
    const answers = SERVICE_NAMES.map((name) => services[name]);
    const allUp = answers.every((answer) => answer.status === 'up');
    const degraded = answers.some((answer) => 'degraded' in answer && answer.degraded?.length);
    res.status(allUp ? 200 : 503);
    return {
      status: allUp && !degraded ? 'ok' : 'degraded',
      services: Object.fromEntries(SERVICE_NAMES.map((name) => [name, full ? services[name] : statusWordsOf(services[name])])),
    };
  }

  @Get('live')
  @Public()
  @ApiOperation({ operationId: 'getLiveness', summary: 'The gateway process answers (no dependency is asked): point restart policies here' })
  @ApiResponse({ status: 200, description: 'alive', type: HealthCheckView })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @Public()
  @ApiOperation({
    operationId: 'getReadiness',
    summary: "The gateway's own PostgreSQL and NATS (2 s each): point load balancers here. Summarises every service's readiness too, without failing for it",
  })
  @ApiResponse({ status: 200, description: 'the gateway can serve (`degraded`: a service is not ready or silent, or a feature reports a problem: `services` names it)', type: HealthCheckView })
  @ApiResponse({ status: 503, description: "the gateway's own PostgreSQL or NATS is down: `error` names it", type: HealthCheckView })
  async ready(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<HealthCheckView> {
    const [{ gateway, services }, full] = await Promise.all([this.system.assess(), this.mayReadDetails(req)]);
    const summary = Object.fromEntries(SERVICE_NAMES.map((name) => [name, readinessOf(services[name])]));
    const servicesFine = Object.values(summary).every((service) => service.status === 'up');
    res.status(gateway.status === 'error' ? 503 : 200);
    const status: HealthCheckView['status'] = gateway.status === 'error' ? 'error' : gateway.status === 'ok' && servicesFine ? 'ok' : 'degraded';
    const view = { ...gateway, status, services: summary };
    return full ? view : withStatusWordsOnly(view);
  }

  /** A key of the `read` scope for every account (a key limited to some must not see others' account ids). */
  private async mayReadDetails(req: Request): Promise<boolean> {
    const caller = await callerOf(this.keys, req).catch(() => undefined);
    return !!caller && caller.scopes.includes(ApiScope.Read) && caller.accountIds === null;
  }
}

/** A service's answer as one part of the gateway's readiness: which part is down or degraded, and why. */
function readinessOf(answer: ServiceHealth | SilentService): ServiceReadinessView {
  if ('error' in answer) return { status: 'down', message: answer.error };
  if (answer.status !== 'up') {
    const parts = (['postgres', 'nats'] as const).filter((part) => answer[part] === 'down');
    return { status: 'down', message: parts.map((part) => `${part}: ${answer.problems?.[part] ?? 'down'}`).join('; ') || 'not ready' };
  }
  if (answer.degraded?.length) return { status: 'degraded', message: answer.degraded.map((name) => `${name}: ${answer.details?.[name] ?? 'degraded'}`).join('; ') };
  return { status: 'up' };
}

function statusWordsOf(answer: ServiceHealth | SilentService): ServiceHealth | DownService {
  if ('error' in answer) return { service: answer.service, status: 'down' };
  return { service: answer.service, status: answer.status, postgres: answer.postgres, nats: answer.nats, ...(answer.degraded ? { degraded: answer.degraded } : {}) };
}

function withStatusWordsOnly(view: Omit<ReadinessAnswer, 'status'> & { status: HealthCheckView['status']; services: Record<string, ServiceReadinessView> }): HealthCheckView {
  const words = <T extends { status: string }>(parts: Record<string, T>): Record<string, { status: T['status'] }> =>
    Object.fromEntries(Object.entries(parts).map(([name, part]) => [name, { status: part.status }]));
  return {
    status: view.status,
    info: words<ReadinessPart>(view.info) as Record<string, HealthPartView>,
    error: words<ReadinessPart>(view.error) as Record<string, HealthPartView>,
    degraded: words<ReadinessPart>(view.degraded) as Record<string, HealthPartView>,
    details: words<ReadinessPart>(view.details) as Record<string, HealthPartView>,
    services: words(view.services),
  };
}
