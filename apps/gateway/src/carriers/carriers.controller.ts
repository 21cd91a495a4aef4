import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AccountCarrierMappingPath,
  AMAZON_CARRIER_CODES,
  CarrierListView,
  CarrierMappingBody,
  CarrierMappingListView,
  CarrierMappingName,
  CarrierMappingView,
  GET_ACCOUNT,
  DELETE_CARRIER_MAPPING,
  GET_CARRIER_MAPPING,
  LIST_CARRIER_MAPPINGS,
  OTHER_CARRIER_CODE,
  PUT_CARRIER_MAPPING,
  PutCarrierMappingRequest,
} from '@connector/contracts';
import { ServiceClient } from '@connector/platform';
import { API_V1 } from '../common/api-version';
import { UuidParam } from '../common/validation';
import { ApiProblems, ApiRoutes } from '../openapi/api-docs';
import { AccountFrom, ApiScope, RequiresScope } from '../access/scopes';

const CARRIERS: CarrierListView = { items: AMAZON_CARRIER_CODES.map((code) => ({ code, requiresCarrierName: code === OTHER_CARRIER_CODE })) };

/**
 * Amazon's carrier codes, and the seller's own carrier names mapped to them (one list for the
 * installation). Changing a mapping is for keys of every account: it applies to all of them.
 */
@ApiTags('carriers')
@ApiRoutes({ services: true })
@Controller(API_V1)
export class CarriersController {
  constructor(private readonly services: ServiceClient) {}

  @Get('carriers')
  @AccountFrom('none')
  @ApiOperation({ operationId: 'listCarriers', summary: "Amazon's carrier codes (a carrier not listed goes as Other with its name)" })
  listCarriers(): CarrierListView {
    return CARRIERS;
  }

  @Get('carrier-mappings')
  @AccountFrom('none')
  @ApiOperation({ operationId: 'listCarrierMappings', summary: "The seller's carrier names and the Amazon carrier codes they stand for" })
  listMappings(): Promise<CarrierMappingListView> {
    return this.services.request(LIST_CARRIER_MAPPINGS, {});
  }

  @Get('carrier-mappings/:name')
  @AccountFrom('none')
  @ApiOperation({ operationId: 'getCarrierMapping', summary: 'The mapping of one carrier name (any case)' })
  @ApiProblems(404)
  getMapping(@Param() params: CarrierMappingName): Promise<CarrierMappingView> {
    return this.services.request(GET_CARRIER_MAPPING, { name: params.name });
  }

  @Put('carrier-mappings/:name')
  @RequiresScope(ApiScope.Operate)
  @ApiOperation({ operationId: 'putCarrierMapping', summary: "Map a carrier name to one of Amazon's carrier codes (create or replace)" })
  @ApiProblems(413)
  putMapping(@Param() params: CarrierMappingName, @Body() body: CarrierMappingBody): Promise<CarrierMappingView> {
    const request: PutCarrierMappingRequest = { ...body, name: params.name };
    return this.services.request(PUT_CARRIER_MAPPING, request);
  }

  @Delete('carrier-mappings/:name')
  @RequiresScope(ApiScope.Operate)
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteCarrierMapping', summary: 'Remove the mapping of a carrier name (it then goes as Other with its name, unless it is an Amazon code)' })
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiProblems(404)
  async deleteMapping(@Param() params: CarrierMappingName): Promise<void> {
    await this.services.request(DELETE_CARRIER_MAPPING, { name: params.name });
  }

  // An account's own mappings: for that account's deliveries they win over the global ones.

  @Get('accounts/:id/carrier-mappings')
  @AccountFrom('param')
  @ApiOperation({ operationId: 'listAccountCarrierMappings', summary: "The account's own carrier names (they win over the global mappings for its deliveries)" })
  @ApiProblems(404)
  async listAccountMappings(@UuidParam() id: string): Promise<CarrierMappingListView> {
    await this.services.request(GET_ACCOUNT, { id });
    return this.services.request(LIST_CARRIER_MAPPINGS, { accountId: id });
  }

  @Get('accounts/:id/carrier-mappings/:name')
  @AccountFrom('param')
  @ApiOperation({ operationId: 'getAccountCarrierMapping', summary: "The account's own mapping of one carrier name (any case)" })
  @ApiProblems(404)
  getAccountMapping(@Param() params: AccountCarrierMappingPath): Promise<CarrierMappingView> {
    return this.services.request(GET_CARRIER_MAPPING, { name: params.name, accountId: params.id });
  }

  @Put('accounts/:id/carrier-mappings/:name')
  @RequiresScope(ApiScope.Operate)
  @AccountFrom('param')
  @ApiOperation({
    operationId: 'putAccountCarrierMapping',
    summary: "Map a carrier name to one of Amazon's carrier codes for this account only (create or replace)",
    description: "Validations of the account's deliveries that name this carrier resolve it here first, then through the global mapping of the name.",
  })
  @ApiProblems(404, 413)
  async putAccountMapping(@Param() params: AccountCarrierMappingPath, @Body() body: CarrierMappingBody): Promise<CarrierMappingView> {
    // An unknown account is a 404, not a mapping nobody would ever use.
    await this.services.request(GET_ACCOUNT, { id: params.id });
    const request: PutCarrierMappingRequest = { ...body, name: params.name, accountId: params.id };
    return this.services.request(PUT_CARRIER_MAPPING, request);
  }

  @Delete('accounts/:id/carrier-mappings/:name')
  @RequiresScope(ApiScope.Operate)
  @AccountFrom('param')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteAccountCarrierMapping', summary: "Remove the account's own mapping of a carrier name (the global one, if any, applies again)" })
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiProblems(404)
  async deleteAccountMapping(@Param() params: AccountCarrierMappingPath): Promise<void> {
    await this.services.request(DELETE_CARRIER_MAPPING, { name: params.name, accountId: params.id });
  }
}
