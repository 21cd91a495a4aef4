import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { PUT_SHIP_FROM, PutShipFromRequest } from '@connector/contracts';
import { HandlesRequest } from '@connector/platform';
import { ShipFromService } from './ship-from.service';

/** Which stock location each account and marketplace ships from. */
@Controller()
export class ShipFromController {
  constructor(private readonly shipFrom: ShipFromService) {}

  @HandlesRequest(PUT_SHIP_FROM) put(@Payload() r: PutShipFromRequest) { return this.shipFrom.put(r); }
}
