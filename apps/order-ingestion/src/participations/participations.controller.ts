import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { IdRequest, LIST_ACCOUNT_MARKETPLACES, REFRESH_ACCOUNT_MARKETPLACES } from '@connector/contracts';
import { HandlesRequest } from '@connector/platform';
import { ParticipationsService } from './participations.service';

@Controller()
export class ParticipationsController {
  constructor(private readonly participations: ParticipationsService) {}

  @HandlesRequest(LIST_ACCOUNT_MARKETPLACES)
  list(@Payload() request: IdRequest) {
    return this.participations.view(request.id);
  }

  @HandlesRequest(REFRESH_ACCOUNT_MARKETPLACES)
  refresh(@Payload() request: IdRequest) {
    return this.participations.refresh(request.id);
  }
}
