import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CREATE_MARKETPLACE, CreateMarketplaceRequest, LIST_MARKETPLACES, ListMarketplacesRequest, MarketplaceView, Page } from '@connector/contracts';
import { ServiceClient } from '@connector/platform';
import { API_V1 } from '../common/api-version';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { ApiPage, ApiProblems, ApiRoutes } from '../openapi/api-docs';
import { AccountFrom } from '../access/scopes';

@ApiTags('marketplaces')
@ApiRoutes({ services: true })
@Controller(`${API_V1}/marketplaces`)
export class MarketplacesController {
  constructor(private readonly services: ServiceClient) {}

  @Get()
  @AccountFrom('none')
  @ApiOperation({ operationId: 'listMarketplaces', summary: 'Built-in and user-added marketplaces' })
  @ApiPage(MarketplaceView)
  list(@Query() query: ListMarketplacesRequest): Promise<Page<MarketplaceView>> {
    return this.services.request(LIST_MARKETPLACES, query);
  }

  @Post()
  @Idempotent()
  @ApiOperation({ operationId: 'createMarketplace', summary: 'Add a marketplace by its id, region, country, currency and domain' })
  @ApiProblems(409, 413)
  create(@Body() body: CreateMarketplaceRequest): Promise<MarketplaceView> {
    return this.services.request(CREATE_MARKETPLACE, body);
  }
}
