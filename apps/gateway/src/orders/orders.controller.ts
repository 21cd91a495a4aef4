import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CANCEL_ORDER,
  CancelOrderBody,
  CancelOrderRequest,
  LIST_ORDERS,
  LIST_QUARANTINED_ORDERS,
  ListOrdersRequest,
  ListQuarantinedOrdersRequest,
  Page,
  SalesOrderView,
} from '@connector/contracts';
import { ServiceClient } from '@connector/platform';
import { ApiContractBody, ApiContractQuery } from '../common/openapi';
import { UuidParam } from '../common/validation';
import { OrderDetailsService, OrderDetailsView } from './order-details.service';
import { AccountFrom, ApiScope, RequiresScope } from '../access/scopes';

@ApiTags('orders')
@ApiBearerAuth()
@Controller('api/orders')
export class OrdersController {
  constructor(
    private readonly services: ServiceClient,
    private readonly details: OrderDetailsService,
  ) {}

  @Get()
  @AccountFrom('query')
  @ApiOperation({ summary: 'Sales orders with their lines' })
  @ApiContractQuery(ListOrdersRequest)
  list(@Query() query: ListOrdersRequest): Promise<Page<SalesOrderView>> {
    return this.services.request(LIST_ORDERS, query);
  }

  // Declared before ':id' so "quarantined" is not taken for an id.
  @Get('quarantined')
  @AccountFrom('query')
  @ApiOperation({ summary: 'Amazon orders that could not be synced (reconciliation or data errors)' })
  @ApiContractQuery(ListQuarantinedOrdersRequest)
  quarantined(@Query() query: ListQuarantinedOrdersRequest): Promise<Page<unknown>> {
    return this.services.request(LIST_QUARANTINED_ORDERS, query);
  }

  @Get(':id')
  @AccountFrom({ resource: 'order' })
  @ApiOperation({
    summary: 'One sales order with its contact, delivery address, deliveries and Amazon notifications',
    description: 'A part whose service does not answer is "unavailable"; a part that does not exist is null.',
  })
  get(@UuidParam() id: string): Promise<OrderDetailsView> {
    return this.details.get(id);
  }

  @Post(':id/cancel')
  @RequiresScope(ApiScope.Operate)
  @AccountFrom({ resource: 'order' })
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel the order by hand; Amazon is told' })
  @ApiContractBody(CancelOrderBody)
  cancel(@UuidParam() id: string, @Body() body: CancelOrderBody): Promise<SalesOrderView> {
    const request: CancelOrderRequest = { ...body, id };
    return this.services.request(CANCEL_ORDER, request);
  }
}
