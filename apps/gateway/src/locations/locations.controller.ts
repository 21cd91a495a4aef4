import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ARCHIVE_LOCATION,
  CREATE_LOCATION,
  CreateLocationRequest,
  GET_LOCATION,
  LIST_LOCATIONS,
  ListLocationsRequest,
  LocationView,
  Page,
  UPDATE_LOCATION,
  UpdateLocationChanges,
  UpdateLocationRequest,
} from '@connector/contracts';
import { ServiceClient } from '@connector/platform';
import { ApiScope, RequiresScope } from '../access/scopes';
import { API_V1 } from '../common/api-version';
import { UuidParam } from '../common/validation';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { ApiPage, ApiProblems, ApiProblemsWhen, ApiRoutes } from '../openapi/api-docs';

/**
 * Where stock is, and the seller's warehouses (stock locations) made, changed and archived.
 * Locations include every account's FBA location and a warehouse serves any account: not for
 * keys limited to some accounts.
 */
@ApiTags('stock')
@ApiRoutes({ services: true })
@Controller(`${API_V1}/locations`)
export class LocationsController {
  constructor(private readonly services: ServiceClient) {}

  @Get()
  @ApiOperation({ operationId: 'listLocations', summary: 'Stock locations (one FBA location per account, the seller\'s warehouses, customers, adjustments)' })
  @ApiPage(LocationView)
  list(@Query() query: ListLocationsRequest): Promise<Page<LocationView>> {
    return this.services.request(LIST_LOCATIONS, query);
  }

  @Post()
  @RequiresScope(ApiScope.Operate)
  @Idempotent()
  @ApiOperation({
    operationId: 'createLocation',
    summary: 'Add a warehouse (a stock location) with the address it ships from',
    description: 'With `supplySourceId` (Amazon\'s id of the warehouse), shipment confirmations of packages from it name it as `shipFromSupplySourceId`. Assign it to an account with `PUT /api/v1/accounts/:id/ship-from`.',
  })
  @ApiProblems(413)
  @ApiProblemsWhen({ 409: 'Another live location has this supplySourceId.' })
  create(@Body() body: CreateLocationRequest): Promise<LocationView> {
    return this.services.request(CREATE_LOCATION, body);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getLocation', summary: 'One location' })
  @ApiProblems(404)
  get(@UuidParam() id: string): Promise<LocationView> {
    return this.services.request(GET_LOCATION, { id });
  }

  @Patch(':id')
  @RequiresScope(ApiScope.Operate)
  @ApiOperation({
    operationId: 'updateLocation',
    summary: 'Change a warehouse\'s name, address or supply source id',
    description: 'Packages validated from then on go with the new ones; validated ones keep what they were confirmed with. `supplySourceId: null` removes it.',
  })
  @ApiProblems(404, 413)
  @ApiProblemsWhen({ 409: 'Not a stock location, archived, or another live location has this supplySourceId.' })
  update(@UuidParam() id: string, @Body() changes: UpdateLocationChanges): Promise<LocationView> {
    const request: UpdateLocationRequest = { id, changes };
    return this.services.request(UPDATE_LOCATION, request);
  }

  @Post(':id/archive')
  @RequiresScope(ApiScope.Operate)
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    operationId: 'archiveLocation',
    summary: 'Archive a warehouse: it keeps its stock moves, no account may ship from it any more',
    description: 'Archiving an archived location changes nothing. A location an account ships from (an assignment) is a 409 naming them: remove or replace those first.',
  })
  @ApiProblems(404)
  @ApiProblemsWhen({ 409: 'An account ships from it, or it is not a warehouse (FBA, customers, adjustments, the shared Stock).' })
  archive(@UuidParam() id: string): Promise<LocationView> {
    return this.services.request(ARCHIVE_LOCATION, { id });
  }
}
