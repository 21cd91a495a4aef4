import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { METRICS_REQUESTS, SERVICE_NAMES, ServiceName } from '@connector/contracts';
import { metricsText, ServiceClient } from '@connector/platform';
import type { Response } from 'express';
import { ApiScope, RequiresScope } from '../access/scopes';
import { ApiProblems, ApiRoutes } from '../openapi/api-docs';

/** Prometheus's text format, what prom-client's registry gives. */
const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';
/** A replica that has not answered in this long is counted as none. */
export const METRICS_TIMEOUT_MS = 5000;

/**
 * Metrics for Prometheus (it sends the API key as a bearer token; `read` scope, keys limited to
 * some accounts are refused: metrics are of every account). Each service also serves its own
 * on its management port; the second route is for a Prometheus that reaches only the gateway.
 */
@ApiTags('metrics')
@ApiRoutes({ services: false })
@Controller('metrics')
export class MetricsController {
  constructor(private readonly services: ServiceClient) {}

  @Get()
  @RequiresScope(ApiScope.Read)
  @ApiOperation({ operationId: 'getGatewayMetrics', summary: "The gateway's own metrics, in Prometheus's text format" })
  @ApiProduces(PROMETHEUS_TEXT)
  @ApiResponse({ status: 200, description: 'Prometheus text format', schema: { type: 'string' } })
  async own(@Res() res: Response): Promise<void> {
    const { contentType, text } = await metricsText();
    res.type(contentType).send(text);
  }

  @Get('services/:service')
  @RequiresScope(ApiScope.Read)
  @ApiOperation({ operationId: 'getServiceMetrics', summary: "One replica's metrics of a service (whichever answers over NATS), in Prometheus's text format" })
  @ApiParam({ name: 'service', enum: SERVICE_NAMES })
  @ApiProduces(PROMETHEUS_TEXT)
  @ApiResponse({ status: 200, description: 'Prometheus text format', schema: { type: 'string' } })
  @ApiProblems(404, 503)
  async service(@Param('service') service: string, @Res() res: Response): Promise<void> {
    if (!(SERVICE_NAMES as readonly string[]).includes(service)) {
      throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: `no such service; one of ${SERVICE_NAMES.join(', ')}` });
    }
    const text = await this.services.request(METRICS_REQUESTS[service as ServiceName], {}, METRICS_TIMEOUT_MS);
    res.type(PROMETHEUS_TEXT).send(text);
  }
}
