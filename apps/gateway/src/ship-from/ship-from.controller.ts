import { Body, Controller, Delete, Get, HttpCode, Put, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DELETE_SHIP_FROM, DeleteShipFromRequest, GET_ACCOUNT, LIST_SHIP_FROM, PUT_SHIP_FROM, PutShipFromRequest, ShipFromAssignmentView, ShipFromBody, ShipFromListView, ShipFromQuery } from '@connector/contracts';
import { ServiceClient } from '@connector/platform';
import { AccountFrom, ApiScope, RequiresScope } from '../access/scopes';
import { API_V1 } from '../common/api-version';
import { UuidParam } from '../common/validation';
import { ApiProblems, ApiRoutes } from '../openapi/api-docs';

/** Several FBM warehouses: which stock location an account's deliveries ship from. */
@ApiTags('accounts')
@ApiRoutes({ services: true })
@Controller(`${API_V1}/accounts`)
export class ShipFromController {
  constructor(private readonly services: ServiceClient) {}

  @Get(':id/ship-from')
  @AccountFrom('param')
  @ApiOperation({ operationId: 'listShipFrom', summary: 'The stock locations the account ships from: its default, then per marketplace' })
  @ApiProblems(404)
  async list(@UuidParam() id: string): Promise<ShipFromListView> {
    await this.services.request(GET_ACCOUNT, { id });
    return this.services.request(LIST_SHIP_FROM, { accountId: id });
  }

  @Put(':id/ship-from')
  @RequiresScope(ApiScope.Operate)
  @AccountFrom('param')
  @ApiOperation({
    operationId: 'putShipFrom',
    summary: 'Ship the account\'s FBM deliveries from a stock location',
    description:
      'For `marketplaceId`, or without one as the account\'s default (marketplaces with no location of their own); replaces the earlier assignment. Deliveries made from then on move their stock from that location; an account with no assignment ships from the shared stock location.',
  })
  @ApiProblems(404, 413)
  async put(@UuidParam() id: string, @Body() body: ShipFromBody): Promise<ShipFromAssignmentView> {
    // An unknown account is a 404, not an assignment nobody would ever use.
    await this.services.request(GET_ACCOUNT, { id });
    const request: PutShipFromRequest = { ...body, accountId: id };
    return this.services.request(PUT_SHIP_FROM, request);
  }

  @Delete(':id/ship-from')
  @RequiresScope(ApiScope.Operate)
  @AccountFrom('param')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteShipFrom',
    summary: 'Remove the account\'s ship-from location of a marketplace (?marketplaceId=), or its default',
    description: 'Deliveries made from then on ship from the account\'s default (after removing the default: from the shared stock location); ready ones keep theirs.',
  })
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiProblems(404)
  async remove(@UuidParam() id: string, @Query() query: ShipFromQuery): Promise<void> {
    await this.services.request(GET_ACCOUNT, { id });
    const request: DeleteShipFromRequest = { ...query, accountId: id };
    await this.services.request(DELETE_SHIP_FROM, request);
  }
}
