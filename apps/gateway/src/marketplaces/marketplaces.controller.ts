import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CREATE_MARKETPLACE, CreateMarketplaceRequest, LIST_MARKETPLACES, ListMarketplacesRequest, MarketplaceView, Page } from '@connector/contracts';
import { ServiceClient } from '@connector/platform';
import { ApiContractBody, ApiContractQuery } from '../common/openapi';
import { AccountFrom } from '../access/scopes';

@ApiTags('marketplaces')
@ApiBearerAuth()
@Controller('api/marketplaces')
export class MarketplacesController {
  constructor(private readonly services: ServiceClient) {}

  @Get()
  @AccountFrom('none')
  @ApiOperation({ summary: 'Built-in and user-added marketplaces' })
  @ApiContractQuery(ListMarketplacesRequest)
  list(@Query() query: ListMarketplacesRequest): Promise<Page<MarketplaceView>> {
    return this.services.request(LIST_MARKETPLACES, query);
  }

  @Post()
  @ApiOperation({ summary: 'Add a marketplace by its id, region, country, currency and domain' })
  @ApiContractBody(CreateMarketplaceRequest)
  create(@Body() body: CreateMarketplaceRequest): Promise<MarketplaceView> {
    return this.services.request(CREATE_MARKETPLACE, body);
  }
}
