import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  DeliveryView,
  LIST_DELIVERIES,
  ListDeliveriesRequest,
  Page,
  RELEASE_DELIVERY,
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
import { DeliveryDetailsService } from './delivery-details.service';
import { DeliveryDetailsView } from './delivery-details.views';

@ApiTags('deliveries')
@ApiRoutes({ services: true })
@Controller(`${API_V1}/deliveries`)
export class DeliveriesController {
  constructor(
    private readonly services: ServiceClient,
    private readonly details: DeliveryDetailsService,
  ) {}

  @Get()
  @AccountFrom('query')
  @ApiOperation({
    operationId: 'listDeliveries',
    summary: 'FBM deliveries',
    description:
      '`onHold=true` lists the ready deliveries held because the buyer asked to cancel (`false`: the others); `sort=shipBy` lists the most urgent first (latest ship date; those without one last) and `shipByBefore` keeps those due by then: what the warehouse picks first. Each names its address by `deliveryAddressId`; GET /api/v1/deliveries/{id} shows it.',
  })
  @ApiPage(DeliveryView)
  list(@Query() query: ListDeliveriesRequest): Promise<Page<DeliveryView>> {
    return this.services.request(LIST_DELIVERIES, query);
  }

  @Get(':id')
  @AccountFrom({ resource: 'delivery' })
  @ApiOperation({ operationId: 'getDelivery', summary: 'One delivery with its moves and its full shipping address' })
  @ApiProblems(404)
  get(@UuidParam() id: string): Promise<DeliveryDetailsView> {
    return this.details.get(id);
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
      'A delivery that is not ready is refused with 409, and so is one on hold because the buyer asked to cancel the order (cancel the order or release the hold first). One Amazon reported shipped without the connector (Seller Central, Buy Shipping; `shippedOutsideAt` set) is refused with 409 "shipped outside the connector on <date>": Amazon already has it, so no confirmation is sent for it.',
  })
  @ApiProblems(404, 409, 413)
  validate(@UuidParam() id: string, @Body() body: ValidateDeliveryBody): Promise<DeliveryView> {
    const request: ValidateDeliveryRequest = { ...body, id };
    return this.services.request(VALIDATE_DELIVERY, request);
  }

  @Post(':id/release')
  @RequiresScope(ApiScope.Operate)
  @AccountFrom({ resource: 'delivery' })
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    operationId: 'releaseDelivery',
    summary: 'Release a delivery held because the buyer asked to cancel: it can be validated again',
    description:
      'For a seller who ships after all. The buyer\'s request stays flagged on the delivery (`buyerCancelRequested`), and the same request synced again does not hold it anew. A delivery that is not ready, or not on hold, is refused with 409. To follow the buyer instead, cancel the order (POST /api/v1/orders/{id}/cancel): its held delivery is cancelled.',
  })
  @ApiProblems(404, 409)
  release(@UuidParam() id: string): Promise<DeliveryView> {
    return this.services.request(RELEASE_DELIVERY, { id });
  }
}
