import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { GET_PARTNER, IdRequest, LIST_PARTNERS, ListPartnersRequest, RESOLVE_PARTNERS, ResolvePartnersRequest } from '@connector/contracts';
import { PartnersService } from './partners.service';

@Controller()
export class PartnersController {
  constructor(private readonly partners: PartnersService) {}

  @MessagePattern(RESOLVE_PARTNERS)
  resolve(@Payload() request: ResolvePartnersRequest) {
    return this.partners.resolve(request);
  }

  @MessagePattern(LIST_PARTNERS)
  list(@Payload() request: ListPartnersRequest) {
    return this.partners.list(request);
  }

  @MessagePattern(GET_PARTNER)
  get(@Payload() request: IdRequest) {
    return this.partners.get(request.id);
  }
}
