import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { LIST_STOCK_SYNC, ListStockSyncRequest } from '@connector/contracts';
import { HandlesRequest } from '@connector/platform';
import { StockSyncService } from './stock-sync.service';

@Controller()
export class StockSyncController {
  constructor(private readonly stockSync: StockSyncService) {}

  @HandlesRequest(LIST_STOCK_SYNC)
  list(@Payload() request: ListStockSyncRequest) {
    return this.stockSync.list(request);
  }
}
