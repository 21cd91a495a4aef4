import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { ServiceHealth } from '@connector/contracts';

/** A service that did not answer its health request (in time). */
export class DownService {
  /** @example "inventory" */
  service: string;
  status: 'down';
  /** Only with an API key of the `read` scope. @example "no answer to inventory.health.v1 within 2000 ms" */
  error?: string;
}

/**
 * GET /health: each service's own readiness answer, or that it is silent. Without an API key of
 * the `read` scope (for every account) only the status words: `status`, `postgres`, `nats`.
 */
@ApiExtraModels(ServiceHealth, DownService)
export class GatewayHealth {
  /** `ok` (200): every service ready, no feature reports a problem; `degraded`: 503 when a service is down or silent, 200 when all are ready but a feature reports a problem (`degraded` of that service). */
  status: 'ok' | 'degraded';
  @ApiProperty({
    description: 'Per service name.',
    type: 'object',
    additionalProperties: { oneOf: [{ $ref: getSchemaPath(ServiceHealth) }, { $ref: getSchemaPath(DownService) }] },
  })
  services: Record<string, ServiceHealth | DownService>;
}

/** One part of a readiness answer: a dependency `up` or `down`, a feature's check `up` or `degraded`; why in `message` (with a key only). */
export class HealthPartView {
  status: 'up' | 'down' | 'degraded';
  /** Our own words, only with an API key of the `read` scope. @example "no answer within 2 s" */
  message?: string;
}

/** A service's readiness in the gateway's /health/ready: `down` (its PostgreSQL or NATS is away, or it is silent), `degraded` (a feature reports a problem) or `up`. */
export class ServiceReadinessView {
  status: 'up' | 'degraded' | 'down';
  /** Which part and why, only with an API key of the `read` scope. @example "postgres: connection refused" */
  message?: string;
}

/**
 * GET /health/live (terminus's shape) and GET /health/ready: `error` the gateway's own
 * dependencies that are down (the only 503), `degraded` its features' checks reporting a problem,
 * `info` the parts that are up, `details` all of them; on /health/ready `services` summarises every
 * service's readiness.
 */
@ApiExtraModels(HealthPartView, ServiceReadinessView)
export class HealthCheckView {
  /** `ok` (200); `degraded` (200: the gateway serves, a service is not ready or silent, or a feature reports a problem); `error` (503: the gateway's own PostgreSQL or NATS is down). */
  status: 'ok' | 'degraded' | 'error';
  @ApiPropertyOptional({ type: 'object', additionalProperties: { $ref: getSchemaPath(HealthPartView) } })
  info?: Record<string, HealthPartView>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: { $ref: getSchemaPath(HealthPartView) } })
  error?: Record<string, HealthPartView>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: { $ref: getSchemaPath(HealthPartView) } })
  degraded?: Record<string, HealthPartView>;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(HealthPartView) } })
  details: Record<string, HealthPartView>;
  @ApiPropertyOptional({ description: 'GET /health/ready: per service name.', type: 'object', additionalProperties: { $ref: getSchemaPath(ServiceReadinessView) } })
  services?: Record<string, ServiceReadinessView>;
}
