import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { COMPLETE_AUTHORIZATION, CompleteAuthorizationRequest, CREATE_AUTHORIZATION, CreateAuthorizationMessage } from '@connector/contracts';
import { HandlesRequest } from '@connector/platform';
import { AuthorizationsService } from './authorizations.service';

@Controller()
export class AuthorizationsController {
  constructor(private readonly authorizations: AuthorizationsService) {}

  @HandlesRequest(CREATE_AUTHORIZATION)
  create(@Payload() request: CreateAuthorizationMessage) {
    return this.authorizations.create(request);
  }

  @HandlesRequest(COMPLETE_AUTHORIZATION)
  complete(@Payload() request: CompleteAuthorizationRequest) {
    return this.authorizations.complete(request);
  }
}
