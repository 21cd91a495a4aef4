import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ADJUST_STOCK, AdjustStockRequest, LIST_STOCK, LIST_STOCK_MOVES, ListStockMovesRequest, ListStockRequest } from '@connector/contracts';
import { StockService } from './stock.service';

/** Stock moves, stock levels, and adjustments. */
@Controller()
export class StockController {
  constructor(private readonly stock: StockService) {}

  @MessagePattern(LIST_STOCK_MOVES) listMoves(@Payload() r: ListStockMovesRequest) { return this.stock.listMoves(r); }
  @MessagePattern(LIST_STOCK) listStock(@Payload() r: ListStockRequest) { return this.stock.levels(r); }
  @MessagePattern(ADJUST_STOCK) adjust(@Payload() r: AdjustStockRequest) { return this.stock.adjust(r); }
}
