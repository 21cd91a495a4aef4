import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  DeliveryView,
  GET_DELIVERY,
  LIST_DELIVERIES,
  ListDeliveriesRequest,
  Page,
  VALIDATE_DELIVERY,
  ValidateDeliveryBody,
  ValidateDeliveryRequest,
} from '@connector/contracts';
import { ServiceClient } from '@connector/platform';
import { API_V1 } from '../common/api-version';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { ApiPage, ApiProblems, ApiRoutes } from '../openapi/api-docs';
import { UuidParam } from '../common/validation';
import { AccountFrom, ApiScope, RequiresScope } from '../access/scopes';

@ApiTags('deliveries')
@ApiRoutes({ services: true })
@Controller(`${API_V1}/deliveries`)
export class DeliveriesController {
  constructor(private readonly services: ServiceClient) {}

  @Get()
  @AccountFrom('query')
  @ApiOperation({ operationId: 'listDeliveries', summary: 'FBM deliveries' })
  @ApiPage(DeliveryView)
  list(@Query() query: ListDeliveriesRequest): Promise<Page<DeliveryView>> {
    return this.services.request(LIST_DELIVERIES, query);
  }

  @Get(':id')
  @AccountFrom({ resource: 'delivery' })
  @ApiOperation({ operationId: 'getDelivery', summary: 'One delivery with its moves' })
  @ApiProblems(404)
  get(@UuidParam() id: string): Promise<DeliveryView> {
    return this.services.request(GET_DELIVERY, { id });
  }

  @Post(':id/validate')
  @RequiresScope(ApiScope.Operate)
  @AccountFrom({ resource: 'delivery' })
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    operationId: 'validateDelivery',
    summary: 'Ship the delivery: carrier and tracking number (and per-line quantities for a partial shipment); Amazon is told',
    description:
      'A delivery that is not ready is refused with 409. One Amazon reported shipped without the connector (Seller Central, Buy Shipping; `shippedOutsideAt` set) is refused with 409 "shipped outside the connector on <date>": Amazon already has it, so no confirmation is sent for it.',
  })
  @ApiProblems(404, 409, 413)
  validate(@UuidParam() id: string, @Body() body: ValidateDeliveryBody): Promise<DeliveryView> {
    const request: ValidateDeliveryRequest = { ...body, id };
    return this.services.request(VALIDATE_DELIVERY, request);
  }
}
