import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { ServiceHealth } from '@connector/contracts';

/** A service that did not answer its health request (in time). */
export class DownService {
  /** @example "inventory" */
  service: string;
  status: 'down';
  /** @example "inventory did not answer inventory.health.v1 in time" */
  error: string;
}

/** GET /health: each service's own answer, or why it is counted down. */
@ApiExtraModels(ServiceHealth, DownService)
export class GatewayHealth {
  /** `ok` when every service is up (200), else `degraded` (503). */
  status: 'ok' | 'degraded';
  @ApiProperty({
    description: 'Per service name.',
    type: 'object',
    additionalProperties: { oneOf: [{ $ref: getSchemaPath(ServiceHealth) }, { $ref: getSchemaPath(DownService) }] },
  })
  services: Record<string, ServiceHealth | DownService>;
}

/** One part of a readiness answer: `up` or `down`, and why in `message` (or a service's own answer: postgres, nats, details). */
export class HealthPartView {
  status: 'up' | 'down';
  /** @example "no answer within 2000 ms" */
  message?: string;
}

/**
 * GET /health/live and /health/ready (terminus's shape): `info` the parts that are up, `error`
 * those that are down, `details` all of them, each by name (postgres, nats, a service's name).
 */
@ApiExtraModels(HealthPartView)
export class HealthCheckView {
  /** `ok` (200); `error` (503) when a part is down; `shutting_down` (503) while the gateway stops. */
  status: 'ok' | 'error' | 'shutting_down';
  @ApiPropertyOptional({ type: 'object', additionalProperties: { $ref: getSchemaPath(HealthPartView) } })
  info?: Record<string, HealthPartView>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: { $ref: getSchemaPath(HealthPartView) } })
  error?: Record<string, HealthPartView>;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(HealthPartView) } })
  details: Record<string, HealthPartView>;
}
