import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { DELETE_SHIP_FROM, DeleteShipFromRequest, LIST_SHIP_FROM, ListShipFromRequest, PUT_SHIP_FROM, PutShipFromRequest } from '@connector/contracts';
import { HandlesRequest } from '@connector/platform';
import { ShipFromService } from './ship-from.service';

/** Which stock location each account and marketplace ships from. */
@Controller()
export class ShipFromController {
  constructor(private readonly shipFrom: ShipFromService) {}

  @HandlesRequest(LIST_SHIP_FROM) list(@Payload() r: ListShipFromRequest) { return this.shipFrom.list(r); }
  @HandlesRequest(PUT_SHIP_FROM) put(@Payload() r: PutShipFromRequest) { return this.shipFrom.put(r); }
  @HandlesRequest(DELETE_SHIP_FROM) remove(@Payload() r: DeleteShipFromRequest) { return this.shipFrom.remove(r); }
}
