import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { GET_PARTNER, LIST_PARTNERS, ListPartnersRequest, Page, PartnerView } from '@connector/contracts';
import { ServiceClient } from '@connector/platform';
import { ApiContractQuery } from '../common/openapi';
import { UuidParam } from '../common/validation';
import { AccountFrom } from '../access/scopes';

@ApiTags('partners')
@ApiBearerAuth()
@Controller('api/partners')
export class PartnersController {
  constructor(private readonly services: ServiceClient) {}

  @Get()
  @AccountFrom('query')
  @ApiOperation({ summary: 'Contacts with their delivery addresses' })
  @ApiContractQuery(ListPartnersRequest)
  list(@Query() query: ListPartnersRequest): Promise<Page<PartnerView>> {
    return this.services.request(LIST_PARTNERS, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One contact with its delivery addresses' })
  get(@UuidParam() id: string): Promise<PartnerView> {
    return this.services.request(GET_PARTNER, { id });
  }
}
