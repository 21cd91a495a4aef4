import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { GET_DELIVERY, GET_SHIPPED_QUANTITIES, IdRequest, ShippedQuantitiesRequest, LIST_DELIVERIES, ListDeliveriesRequest, RELEASE_DELIVERY, VALIDATE_DELIVERY, ValidateDeliveryRequest } from '@connector/contracts';
import { HandlesRequest } from '@connector/platform';
import { DataSource } from 'typeorm';
import { DeliveriesService } from './deliveries.service';
import { OrderDeliveries } from './order-deliveries';

/** FBM deliveries: looked up, validated when the seller ships them, released from a hold. */
@Controller()
export class DeliveriesController {
  constructor(
    private readonly deliveries: DeliveriesService,
    private readonly orderDeliveries: OrderDeliveries,
    private readonly dataSource: DataSource,
  ) {}

  @HandlesRequest(LIST_DELIVERIES) listDeliveries(@Payload() r: ListDeliveriesRequest) { return this.deliveries.list(r); }
  @HandlesRequest(GET_DELIVERY) getDelivery(@Payload() r: IdRequest) { return this.deliveries.get(r.id); }
  @HandlesRequest(GET_SHIPPED_QUANTITIES) shippedQuantities(@Payload() r: ShippedQuantitiesRequest) { return this.orderDeliveries.shippedQuantities(this.dataSource.manager, r.orderId); }
  @HandlesRequest(VALIDATE_DELIVERY) validateDelivery(@Payload() r: ValidateDeliveryRequest) { return this.deliveries.validate(r); }
  @HandlesRequest(RELEASE_DELIVERY) releaseDelivery(@Payload() r: IdRequest) { return this.deliveries.release(r.id); }
}
