import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  CANCEL_ORDER,
  CancelOrderRequest,
  CLAIM_UNITS_TO_SHIP,
  ClaimUnitsToShipRequest,
  GET_ORDER,
  IdRequest,
  LIST_ORDERS,
  LIST_QUARANTINED_ORDERS,
  ListOrdersRequest,
  ListQuarantinedOrdersRequest,
} from '@connector/contracts';
import { HandlesRequest } from '@connector/platform';
import { SalesOrdersService } from './sales-orders.service';

@Controller()
export class SalesOrdersController {
  constructor(private readonly orders: SalesOrdersService) {}

  @HandlesRequest(LIST_ORDERS)
  list(@Payload() request: ListOrdersRequest) {
    return this.orders.list(request);
  }

  @HandlesRequest(GET_ORDER)
  get(@Payload() request: IdRequest) {
    return this.orders.get(request.id);
  }

  @HandlesRequest(CANCEL_ORDER)
  cancel(@Payload() request: CancelOrderRequest) {
    return this.orders.cancel(request);
  }

  @HandlesRequest(CLAIM_UNITS_TO_SHIP)
  claimUnitsToShip(@Payload() request: ClaimUnitsToShipRequest) {
    return this.orders.claimUnitsToShip(request);
  }

  @HandlesRequest(LIST_QUARANTINED_ORDERS)
  quarantined(@Payload() request: ListQuarantinedOrdersRequest) {
    return this.orders.quarantined(request);
  }
}
