import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CREATE_MARKETPLACE, CreateMarketplaceRequest, LIST_MARKETPLACES, ListMarketplacesRequest } from '@connector/contracts';
import { MarketplacesService } from './marketplaces.service';

@Controller()
export class MarketplacesController {
  constructor(private readonly marketplaces: MarketplacesService) {}

  @MessagePattern(LIST_MARKETPLACES)
  list(@Payload() request: ListMarketplacesRequest) {
    return this.marketplaces.list(request);
  }

  @MessagePattern(CREATE_MARKETPLACE)
  create(@Payload() request: CreateMarketplaceRequest) {
    return this.marketplaces.create(request);
  }
}
