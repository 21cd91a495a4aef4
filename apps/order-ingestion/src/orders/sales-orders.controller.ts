import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CANCEL_ORDER,
  CancelOrderRequest,
  GET_ORDER,
  IdRequest,
  LIST_ORDERS,
  LIST_QUARANTINED_ORDERS,
  ListOrdersRequest,
  ListQuarantinedOrdersRequest,
} from '@connector/contracts';
import { SalesOrdersService } from './sales-orders.service';

@Controller()
export class SalesOrdersController {
  constructor(private readonly orders: SalesOrdersService) {}

  @MessagePattern(LIST_ORDERS)
  list(@Payload() request: ListOrdersRequest) {
    return this.orders.list(request);
  }

  @MessagePattern(GET_ORDER)
  get(@Payload() request: IdRequest) {
    return this.orders.get(request.id);
  }

  @MessagePattern(CANCEL_ORDER)
  cancel(@Payload() request: CancelOrderRequest) {
    return this.orders.cancel(request);
  }

  @MessagePattern(LIST_QUARANTINED_ORDERS)
  quarantined(@Payload() request: ListQuarantinedOrdersRequest) {
    return this.orders.quarantined(request);
  }
}
