import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CREATE_ACCOUNT,
  CreateAccountMessage,
  DELETE_ACCOUNT,
  GET_ACCOUNT,
  GET_ACCOUNT_ACCESS,
  IdRequest,
  LIST_ACCOUNTS,
  ListAccountsRequest,
  SYNC_ACCOUNT,
  UPDATE_ACCOUNT,
  UpdateAccountRequest,
} from '@connector/contracts';
import { AccountsService } from './accounts.service';

@Controller()
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @MessagePattern(CREATE_ACCOUNT)
  create(@Payload() request: CreateAccountMessage) {
    return this.accounts.create(request);
  }

  @MessagePattern(LIST_ACCOUNTS)
  list(@Payload() request: ListAccountsRequest) {
    return this.accounts.list(request);
  }

  @MessagePattern(GET_ACCOUNT)
  get(@Payload() request: IdRequest) {
    return this.accounts.view(request.id);
  }

  @MessagePattern(UPDATE_ACCOUNT)
  update(@Payload() request: UpdateAccountRequest) {
    return this.accounts.update(request.id, request.changes);
  }

  @MessagePattern(DELETE_ACCOUNT)
  remove(@Payload() request: IdRequest) {
    return this.accounts.remove(request.id);
  }

  @MessagePattern(SYNC_ACCOUNT)
  sync(@Payload() request: IdRequest) {
    return this.accounts.requestSync(request.id);
  }

  @MessagePattern(GET_ACCOUNT_ACCESS)
  access(@Payload() request: IdRequest) {
    return this.accounts.access(request.id);
  }
}
