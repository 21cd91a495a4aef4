import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  GET_SYNC_RUN,
  GetSyncRunRequest,
  IdRequest,
  LIST_SYNC_RUNS,
  ListSyncRunsRequest,
  RECOVER_ORDER,
  RecoverOrderRequest,
  RESYNC_ACCOUNT,
  ResyncAccountRequest,
  SEARCH_SYNC_RUNS,
  SearchSyncRunsRequest,
  SYNC_ACCOUNT,
} from '@connector/contracts';
import { HandlesRequest } from '@connector/platform';
import { OrderRecovery } from './order-recovery';
import { SyncService } from './sync.service';

@Controller()
export class SyncController {
  constructor(
    private readonly sync: SyncService,
    private readonly recovery: OrderRecovery,
  ) {}

  @HandlesRequest(RESYNC_ACCOUNT)
  resync(@Payload() request: ResyncAccountRequest) {
    return this.sync.resync(request.id, request.from);
  }

  @HandlesRequest(RECOVER_ORDER)
  recover(@Payload() request: RecoverOrderRequest) {
    return this.recovery.recover(request);
  }

  @HandlesRequest(SYNC_ACCOUNT)
  request(@Payload() request: IdRequest) {
    return this.sync.request(request.id);
  }

  @HandlesRequest(LIST_SYNC_RUNS)
  runs(@Payload() request: ListSyncRunsRequest) {
    return this.sync.list(request.accountId, request);
  }

  @HandlesRequest(GET_SYNC_RUN)
  run(@Payload() request: GetSyncRunRequest) {
    return this.sync.get(request.accountId, request.runId);
  }

  @HandlesRequest(SEARCH_SYNC_RUNS)
  search(@Payload() request: SearchSyncRunsRequest) {
    return this.sync.search(request);
  }
}
