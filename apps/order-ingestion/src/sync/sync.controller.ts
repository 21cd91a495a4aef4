import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { LIST_SYNC_RUNS, ListSyncRunsRequest } from '@connector/contracts';
import { HandlesRequest } from '@connector/platform';
import { SyncService } from './sync.service';

@Controller()
export class SyncController {
  constructor(private readonly sync: SyncService) {}

  @HandlesRequest(LIST_SYNC_RUNS)
  runs(@Payload() request: ListSyncRunsRequest) {
    return this.sync.list(request.accountId, request);
  }
}
