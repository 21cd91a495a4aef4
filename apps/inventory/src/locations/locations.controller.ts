import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { LIST_LOCATIONS, ListLocationsRequest } from '@connector/contracts';
import { LocationsService } from './locations.service';

/** Where stock is. */
@Controller()
export class LocationsController {
  constructor(private readonly locations: LocationsService) {}

  @MessagePattern(LIST_LOCATIONS) listLocations(@Payload() r: ListLocationsRequest) { return this.locations.list(r); }
}
