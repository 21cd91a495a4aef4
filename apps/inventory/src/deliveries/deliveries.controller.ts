import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { GET_DELIVERY, IdRequest, LIST_DELIVERIES, ListDeliveriesRequest, VALIDATE_DELIVERY, ValidateDeliveryRequest } from '@connector/contracts';
import { DeliveriesService } from './deliveries.service';

/** FBM deliveries: looked up, and validated when the seller ships them. */
@Controller()
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @MessagePattern(LIST_DELIVERIES) listDeliveries(@Payload() r: ListDeliveriesRequest) { return this.deliveries.list(r); }
  @MessagePattern(GET_DELIVERY) getDelivery(@Payload() r: IdRequest) { return this.deliveries.get(r.id); }
  @MessagePattern(VALIDATE_DELIVERY) validateDelivery(@Payload() r: ValidateDeliveryRequest) { return this.deliveries.validate(r); }
}
