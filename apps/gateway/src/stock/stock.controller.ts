import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ADJUST_STOCK,
  AdjustStockRequest,
  LIST_LOCATIONS,
  LIST_STOCK,
  LIST_STOCK_MOVES,
  ListStockMovesRequest,
  ListStockRequest,
  LocationView,
  Page,
  PageQuery,
  StockLevelView,
  StockMoveView,
} from '@connector/contracts';
import { ServiceClient } from '@connector/platform';
import { ApiContractBody, ApiContractQuery } from '../common/openapi';
import { ApiScope, RequiresScope } from '../access/scopes';

@ApiTags('stock')
@ApiBearerAuth()
@Controller('api')
export class StockController {
  constructor(private readonly services: ServiceClient) {}

  // Stock moves are listed by order or product, not account: not for keys limited to accounts.
  @Get('stock-moves')
  @ApiOperation({ summary: 'Stock moves (FBA moves and the moves of FBM deliveries)' })
  @ApiContractQuery(ListStockMovesRequest)
  moves(@Query() query: ListStockMovesRequest): Promise<Page<StockMoveView>> {
    return this.services.request(LIST_STOCK_MOVES, query);
  }

  // Stock levels, adjustments and locations include accounts' FBA locations: not for keys limited to accounts.
  @Get('stock')
  @ApiOperation({ summary: 'Quantities per product and location' })
  @ApiContractQuery(ListStockRequest)
  levels(@Query() query: ListStockRequest): Promise<Page<StockLevelView>> {
    return this.services.request(LIST_STOCK, query);
  }

  @Post('stock/adjustments')
  @RequiresScope(ApiScope.Operate)
  @ApiOperation({ summary: 'Set the quantity of a product at a location (inventory adjustment)' })
  @ApiContractBody(AdjustStockRequest)
  adjust(@Body() body: AdjustStockRequest): Promise<unknown> {
    return this.services.request(ADJUST_STOCK, body);
  }

  @Get('locations')
  @ApiOperation({ summary: 'Stock locations (one FBA location per account, stock, customers, adjustments)' })
  @ApiContractQuery(PageQuery)
  locations(@Query() query: PageQuery): Promise<Page<LocationView> | LocationView[]> {
    return this.services.request(LIST_LOCATIONS, query);
  }
}
