import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { CREATE_MARKETPLACE, CreateMarketplaceRequest, LIST_MARKETPLACES, ListMarketplacesRequest } from '@connector/contracts';
import { HandlesRequest } from '@connector/platform';
import { MarketplacesService } from './marketplaces.service';

@Controller()
export class MarketplacesController {
  constructor(private readonly marketplaces: MarketplacesService) {}

  @HandlesRequest(LIST_MARKETPLACES)
  list(@Payload() request: ListMarketplacesRequest) {
    return this.marketplaces.list(request);
  }

  @HandlesRequest(CREATE_MARKETPLACE)
  create(@Payload() request: CreateMarketplaceRequest) {
    return this.marketplaces.create(request);
  }
}
