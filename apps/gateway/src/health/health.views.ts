import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
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
