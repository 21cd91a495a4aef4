import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { LIST_LOCATIONS, PageQuery } from '@connector/contracts';
import { LocationsService } from './locations.service';

/** Where stock is. */
@Controller()
export class LocationsController {
  constructor(private readonly locations: LocationsService) {}

  @MessagePattern(LIST_LOCATIONS) async listLocations(@Payload() _r: PageQuery) { return { items: await this.locations.list() }; }
}
