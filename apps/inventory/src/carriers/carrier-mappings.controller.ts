import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  CarrierMappingKey,
  DELETE_CARRIER_MAPPING,
  GET_CARRIER_MAPPING,
  LIST_CARRIER_MAPPINGS,
  ListCarrierMappingsRequest,
  PUT_CARRIER_MAPPING,
  PutCarrierMappingRequest,
} from '@connector/contracts';
import { HandlesRequest } from '@connector/platform';
import { CarrierMappingsService } from './carrier-mappings.service';

/** The seller's carrier names, mapped to Amazon's carrier codes. */
@Controller()
export class CarrierMappingsController {
  constructor(private readonly mappings: CarrierMappingsService) {}

  @HandlesRequest(LIST_CARRIER_MAPPINGS) list(@Payload() r: ListCarrierMappingsRequest) { return this.mappings.list(r); }
  @HandlesRequest(GET_CARRIER_MAPPING) get(@Payload() r: CarrierMappingKey) { return this.mappings.get(r); }
  @HandlesRequest(PUT_CARRIER_MAPPING) put(@Payload() r: PutCarrierMappingRequest) { return this.mappings.put(r); }
  @HandlesRequest(DELETE_CARRIER_MAPPING) delete(@Payload() r: CarrierMappingKey) { return this.mappings.delete(r); }
}
