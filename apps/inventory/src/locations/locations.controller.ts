import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { LIST_LOCATIONS, ListLocationsRequest } from '@connector/contracts';
import { HandlesRequest } from '@connector/platform';
import { LocationsService } from './locations.service';

/** Where stock is. */
@Controller()
export class LocationsController {
  constructor(private readonly locations: LocationsService) {}

  @HandlesRequest(LIST_LOCATIONS) listLocations(@Payload() r: ListLocationsRequest) { return this.locations.list(r); }
}
