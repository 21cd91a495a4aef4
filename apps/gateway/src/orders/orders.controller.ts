import { Body, Controller, Get, Headers, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CANCEL_ORDER,
  CancelOrderBody,
  CancelOrderRequest,
  LIST_ORDERS,
  LIST_QUARANTINED_ORDERS,
  ListOrdersRequest,
  ListQuarantinedOrdersRequest,
  Page,
  QuarantinedOrderView,
  SalesOrderView,
} from '@connector/contracts';
import { ServiceClient } from '@connector/platform';
import { API_V1 } from '../common/api-version';
import { IDEMPOTENCY_KEY_HEADER, Idempotent } from '../idempotency/idempotent.decorator';
import { ApiPage, ApiProblems, ApiRoutes } from '../openapi/api-docs';
import { UuidParam, validationFailed } from '../common/validation';
import { OrderDetailsService } from './order-details.service';
import { OrderDetailsView, OrderTimelineView } from './order-details.views';
import { AccountFrom, ApiScope, RequiresScope } from '../access/scopes';

@ApiTags('orders')
@ApiRoutes({ services: true })
@Controller(`${API_V1}/orders`)
export class OrdersController {
  constructor(
    private readonly services: ServiceClient,
    private readonly details: OrderDetailsService,
  ) {}

  @Get()
  @AccountFrom('query')
  @ApiOperation({ operationId: 'listOrders', summary: 'Sales orders with their lines' })
  @ApiPage(SalesOrderView)
  list(@Query() query: ListOrdersRequest): Promise<Page<SalesOrderView>> {
    return this.services.request(LIST_ORDERS, query);
  }

  // Declared before ':id' so "quarantined" is not taken for an id.
  @Get('quarantined')
  @AccountFrom('query')
  @ApiOperation({ operationId: 'listQuarantinedOrders', summary: 'Amazon orders that could not be synced (reconciliation or data errors)' })
  @ApiPage(QuarantinedOrderView)
  quarantined(@Query() query: ListQuarantinedOrdersRequest): Promise<Page<QuarantinedOrderView>> {
    return this.services.request(LIST_QUARANTINED_ORDERS, query);
  }

  @Get(':id')
  @AccountFrom({ resource: 'order' })
  @ApiOperation({
    operationId: 'getOrder',
    summary: 'One sales order with its contact, delivery address, deliveries and Amazon notifications',
    description: 'A part whose service does not answer is "unavailable"; a part that does not exist is null.',
  })
  @ApiProblems(404)
  get(@UuidParam() id: string): Promise<OrderDetailsView> {
    return this.details.get(id);
  }

  @Get(':id/timeline')
  @AccountFrom({ resource: 'order' })
  @ApiOperation({
    operationId: 'getOrderTimeline',
    summary: "The order's life: bought, synced, changed, deliveries made and shipped, what was told to Amazon and its outcome, cancelled",
    description:
      'Built from the times the services keep (the order, its deliveries and stock moves, its notifications to Amazon), oldest first. ' +
      'A service that does not answer leaves its events out and is named in `incomplete`.',
  })
  @ApiProblems(404)
  timeline(@UuidParam() id: string): Promise<OrderTimelineView> {
    return this.details.timeline(id);
  }

  @Post(':id/cancel')
  @RequiresScope(ApiScope.Operate)
  @AccountFrom({ resource: 'order' })
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    operationId: 'cancelOrder',
    summary: 'Cancel the order, or some units of it, by hand; Amazon is told',
    description:
      'Without `items`, the whole order. With `items` (FBM orders), only those units: each at most what is still open (not shipped, not cancelled, ' +
      'not in a validated delivery), else a 400 naming the item; the open delivery shrinks, the lines show `quantityCancelled`, and Amazon is told ' +
      'per item (whole items by an item-level acknowledgement, fewer units by an order adjustment). Every unit cancelled, none shipped: the whole order is. ' +
      'A shipped or cancelled order is a 409. With `items` the `Idempotency-Key` header is required (else a 400 naming it): the request means ' +
      '"cancel N more units", so a retry without it would cancel more units each time.',
  })
  @ApiProblems(404, 409, 413)
  cancel(@UuidParam() id: string, @Body() body: CancelOrderBody, @Headers(IDEMPOTENCY_KEY_HEADER.toLowerCase()) idempotencyKey?: string): Promise<SalesOrderView> {
    // Units are "N more": a client retrying after a lost answer (a gateway timeout) would cancel them twice without a key.
    if (body.items !== undefined && !idempotencyKey) {
      throw validationFailed([{ field: IDEMPOTENCY_KEY_HEADER, errors: [`${IDEMPOTENCY_KEY_HEADER} header is required when items are given (a retry must not cancel more units)`] }]);
    }
    const request: CancelOrderRequest = { ...body, id };
    return this.services.request(CANCEL_ORDER, request);
  }
}
