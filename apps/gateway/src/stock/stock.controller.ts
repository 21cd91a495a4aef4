import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ADJUST_STOCK,
  AdjustStockRequest,
  LIST_STOCK,
  LIST_STOCK_MOVES,
  ListStockMovesRequest,
  ListStockRequest,
  Page,
  StockLevelView,
  StockMoveView,
} from '@connector/contracts';
import { ServiceClient } from '@connector/platform';
import { API_V1 } from '../common/api-version';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { ApiPage, ApiProblems, ApiRoutes } from '../openapi/api-docs';
import { ApiScope, RequiresScope } from '../access/scopes';

@ApiTags('stock')
@ApiRoutes({ services: true })
@Controller(API_V1)
export class StockController {
  constructor(private readonly services: ServiceClient) {}

  // Stock moves are listed by order or product, not account: not for keys limited to accounts.
  @Get('stock-moves')
  @ApiOperation({ operationId: 'listStockMoves', summary: 'Stock moves (FBA moves and the moves of FBM deliveries)' })
  @ApiPage(StockMoveView)
  moves(@Query() query: ListStockMovesRequest): Promise<Page<StockMoveView>> {
    return this.services.request(LIST_STOCK_MOVES, query);
  }

  // Stock levels, adjustments and locations include accounts' FBA locations: not for keys limited to accounts.
  @Get('stock')
  @ApiOperation({ operationId: 'listStockLevels', summary: 'Quantities per product and location' })
  @ApiPage(StockLevelView)
  levels(@Query() query: ListStockRequest): Promise<Page<StockLevelView>> {
    return this.services.request(LIST_STOCK, query);
  }

  @Post('stock/adjustments')
  @RequiresScope(ApiScope.Operate)
  @Idempotent()
  @ApiOperation({ operationId: 'adjustStock', summary: 'Set the quantity of a product at a location (inventory adjustment)' })
  @ApiProblems(404, 413)
  adjust(@Body() body: AdjustStockRequest): Promise<StockLevelView> {
    return this.services.request(ADJUST_STOCK, body);
  }
}
