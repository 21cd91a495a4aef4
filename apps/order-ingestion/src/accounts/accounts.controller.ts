import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  CREATE_ACCOUNT,
  CreateAccountMessage,
  DELETE_ACCOUNT,
  GET_ACCOUNT,
  GET_ACCOUNT_ACCESS,
  IdRequest,
  IMPORT_ACCOUNTS,
  ImportAccountsMessage,
  LIST_ACCOUNTS,
  ListAccountsRequest,
  STOCK_SYNC_ACCOUNTS,
  StockSyncAccountsRequest,
  UPDATE_ACCOUNT,
  UpdateAccountRequest,
} from '@connector/contracts';
import { HandlesRequest } from '@connector/platform';
import { AccountsService } from './accounts.service';

@Controller()
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @HandlesRequest(CREATE_ACCOUNT)
  create(@Payload() request: CreateAccountMessage) {
    return this.accounts.create(request);
  }

  @HandlesRequest(IMPORT_ACCOUNTS)
  import(@Payload() request: ImportAccountsMessage) {
    return this.accounts.import(request);
  }

  @HandlesRequest(LIST_ACCOUNTS)
  list(@Payload() request: ListAccountsRequest) {
    return this.accounts.list(request);
  }

  @HandlesRequest(GET_ACCOUNT)
  get(@Payload() request: IdRequest) {
    return this.accounts.view(request.id);
  }

  @HandlesRequest(UPDATE_ACCOUNT)
  update(@Payload() request: UpdateAccountRequest) {
    return this.accounts.update(request.id, request.changes);
  }

  @HandlesRequest(DELETE_ACCOUNT)
  remove(@Payload() request: IdRequest) {
    return this.accounts.remove(request.id);
  }

  @HandlesRequest(GET_ACCOUNT_ACCESS)
  access(@Payload() request: IdRequest) {
    return this.accounts.access(request.id);
  }

  @HandlesRequest(STOCK_SYNC_ACCOUNTS)
  stockSyncOn(@Payload() request: StockSyncAccountsRequest) {
    return this.accounts.stockSyncOn(request.accountIds);
  }
}
