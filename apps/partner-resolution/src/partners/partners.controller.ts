import { Controller, Logger } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { FIND_CONTACTS, FindContactsRequest, GET_PARTNER, IdRequest, LIST_PARTNERS, ListPartnersRequest, RESOLVE_PARTNERS, ResolvePartnersRequest } from '@connector/contracts';
import { HandlesRequest } from '@connector/platform';
import { PartnersService } from './partners.service';

@Controller()
export class PartnersController {
  private readonly logger = new Logger(PartnersController.name);

  constructor(private readonly partners: PartnersService) {}

  @HandlesRequest(RESOLVE_PARTNERS)
  async resolve(@Payload() request: ResolvePartnersRequest) {
    const resolved = await this.partners.resolve(request);
    // Counts only: the parties are buyers' personal data.
    this.logger.log(`resolved the contacts and delivery addresses of ${request.parties.length} buyers`);
    return resolved;
  }

  @HandlesRequest(LIST_PARTNERS)
  list(@Payload() request: ListPartnersRequest) {
    return this.partners.list(request);
  }

  @HandlesRequest(FIND_CONTACTS)
  find(@Payload() request: FindContactsRequest) {
    return this.partners.find(request);
  }

  @HandlesRequest(GET_PARTNER)
  get(@Payload() request: IdRequest) {
    return this.partners.get(request.id);
  }
}
