import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { GET_PARTNER, LIST_PARTNERS, ListPartnersRequest, Page, PartnerView } from '@connector/contracts';
import { ServiceClient } from '@connector/platform';
import { API_V1 } from '../common/api-version';
import { ApiPage, ApiProblems, ApiRoutes } from '../openapi/api-docs';
import { UuidParam } from '../common/validation';
import { AccountFrom } from '../access/scopes';

@ApiTags('partners')
@ApiRoutes({ services: true })
@Controller(`${API_V1}/partners`)
export class PartnersController {
  constructor(private readonly services: ServiceClient) {}

  @Get()
  @AccountFrom('query')
  @ApiOperation({ operationId: 'listPartners', summary: 'Contacts with their delivery addresses', description: '`search` finds a whole name or company name, not a part of it.' })
  @ApiPage(PartnerView)
  list(@Query() query: ListPartnersRequest): Promise<Page<PartnerView>> {
    return this.services.request(LIST_PARTNERS, query);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getPartner', summary: 'One contact with its delivery addresses' })
  @ApiProblems(404)
  get(@UuidParam() id: string): Promise<PartnerView> {
    return this.services.request(GET_PARTNER, { id });
  }
}
