import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
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
import { ApiContractBody, ApiContractQuery } from '../common/openapi';
import { UuidParam } from '../common/validation';
import { AccountFrom, ApiScope, RequiresScope } from '../access/scopes';

@ApiTags('deliveries')
@ApiBearerAuth()
@Controller('api/deliveries')
export class DeliveriesController {
  constructor(private readonly services: ServiceClient) {}

  @Get()
  @AccountFrom('query')
  @ApiOperation({ summary: 'FBM deliveries' })
  @ApiContractQuery(ListDeliveriesRequest)
  list(@Query() query: ListDeliveriesRequest): Promise<Page<DeliveryView>> {
    return this.services.request(LIST_DELIVERIES, query);
  }

  @Get(':id')
  @AccountFrom({ resource: 'delivery' })
  @ApiOperation({ summary: 'One delivery with its moves' })
  get(@UuidParam() id: string): Promise<DeliveryView> {
    return this.services.request(GET_DELIVERY, { id });
  }

  @Post(':id/validate')
  @RequiresScope(ApiScope.Operate)
  @AccountFrom({ resource: 'delivery' })
  @HttpCode(200)
  @ApiOperation({
    summary: 'Ship the delivery: carrier and tracking number (and per-line quantities for a partial shipment); Amazon is told',
  })
  @ApiContractBody(ValidateDeliveryBody)
  validate(@UuidParam() id: string, @Body() body: ValidateDeliveryBody): Promise<DeliveryView> {
    const request: ValidateDeliveryRequest = { ...body, id };
    return this.services.request(VALIDATE_DELIVERY, request);
  }
}
