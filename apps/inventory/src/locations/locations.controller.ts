import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  ARCHIVE_LOCATION,
  CREATE_LOCATION,
  CreateLocationRequest,
  GET_LOCATION,
  IdRequest,
  LIST_LOCATIONS,
  ListLocationsRequest,
  UPDATE_LOCATION,
  UpdateLocationRequest,
} from '@connector/contracts';
import { HandlesRequest } from '@connector/platform';
import { LocationsService } from './locations.service';

/** Where stock is: the seller's warehouses are made, changed and archived here. */
@Controller()
export class LocationsController {
  constructor(private readonly locations: LocationsService) {}

  @HandlesRequest(LIST_LOCATIONS) listLocations(@Payload() r: ListLocationsRequest) { return this.locations.list(r); }
  @HandlesRequest(GET_LOCATION) getLocation(@Payload() r: IdRequest) { return this.locations.get(r.id); }
  @HandlesRequest(CREATE_LOCATION) createLocation(@Payload() r: CreateLocationRequest) { return this.locations.create(r); }
  @HandlesRequest(UPDATE_LOCATION) updateLocation(@Payload() r: UpdateLocationRequest) { return this.locations.update(r); }
  @HandlesRequest(ARCHIVE_LOCATION) archiveLocation(@Payload() r: IdRequest) { return this.locations.archive(r.id); }
}
