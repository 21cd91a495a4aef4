import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { GET_ACCOUNT, LIST_STOCK_SYNC, ListStockSyncRequest, Page, StockSyncQuery, StockSyncView } from '@connector/contracts';
import { ServiceClient } from '@connector/platform';
import { AccountFrom } from '../access/scopes';
import { API_V1 } from '../common/api-version';
import { UuidParam } from '../common/validation';
import { ApiPage, ApiProblems, ApiRoutes } from '../openapi/api-docs';

/** Stock to Amazon: what Amazon was told of each SKU of an account, and what it said. */
@ApiTags('accounts')
@ApiRoutes({ services: true })
@Controller(`${API_V1}/accounts/:id/stock-sync`)
export class AccountStockSyncController {
  constructor(private readonly services: ServiceClient) {}

  @Get()
  @AccountFrom('param')
  @ApiOperation({
    operationId: 'listStockSync',
    summary: 'Each SKU\'s stock as told to Amazon',
    description:
      'Per SKU of the account: the available quantity the seller\'s stock makes, the quantity last sent to Amazon (less the account\'s stockBuffer), when and how (patchListingsItem or JSON_LISTINGS_FEED), `status` (`pending`, `sent`: in a feed whose report is not in yet, `accepted`, `error`) and Amazon\'s `issues`. Filter by `status` or `sku`.',
  })
  @ApiPage(StockSyncView)
  @ApiProblems(404)
  async list(@UuidParam() id: string, @Query() query: StockSyncQuery): Promise<Page<StockSyncView>> {
    // An unknown account is a 404, not an empty list.
    await this.services.request(GET_ACCOUNT, { id });
    const request: ListStockSyncRequest = { ...query, accountId: id };
    return this.services.request(LIST_STOCK_SYNC, request);
  }
}
