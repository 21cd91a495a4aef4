import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ADJUST_STOCK, AdjustStockRequest, LIST_STOCK, LIST_STOCK_MOVES, ListStockMovesRequest, ListStockRequest } from '@connector/contracts';
import { HandlesRequest } from '@connector/platform';
import { StockService } from './stock.service';

/** Stock moves, stock levels, and adjustments. */
@Controller()
export class StockController {
  constructor(private readonly stock: StockService) {}

  @HandlesRequest(LIST_STOCK_MOVES) listMoves(@Payload() r: ListStockMovesRequest) { return this.stock.listMoves(r); }
  @HandlesRequest(LIST_STOCK) listStock(@Payload() r: ListStockRequest) { return this.stock.levels(r); }
  @HandlesRequest(ADJUST_STOCK) adjust(@Payload() r: AdjustStockRequest) { return this.stock.adjust(r); }
}
