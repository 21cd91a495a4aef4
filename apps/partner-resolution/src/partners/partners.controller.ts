import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { GET_PARTNER, IdRequest, LIST_PARTNERS, ListPartnersRequest, RESOLVE_PARTNERS, ResolvePartnersRequest } from '@connector/contracts';
import { HandlesRequest } from '@connector/platform';
import { PartnersService } from './partners.service';

@Controller()
export class PartnersController {
  constructor(private readonly partners: PartnersService) {}

  @HandlesRequest(RESOLVE_PARTNERS)
  resolve(@Payload() request: ResolvePartnersRequest) {
    return this.partners.resolve(request);
  }

  @HandlesRequest(LIST_PARTNERS)
  list(@Payload() request: ListPartnersRequest) {
    return this.partners.list(request);
  }

  @HandlesRequest(GET_PARTNER)
  get(@Payload() request: IdRequest) {
    return this.partners.get(request.id);
  }
}
