import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { LIST_SYNC_RUNS, ListSyncRunsRequest } from '@connector/contracts';
import { SyncService } from './sync.service';

@Controller()
export class SyncController {
  constructor(private readonly sync: SyncService) {}

  @MessagePattern(LIST_SYNC_RUNS)
  runs(@Payload() request: ListSyncRunsRequest) {
    return this.sync.list(request.accountId, request);
  }
}
