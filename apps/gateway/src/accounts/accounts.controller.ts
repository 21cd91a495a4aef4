import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AccountView,
  CREATE_ACCOUNT,
  CreateAccountRequest,
  DELETE_ACCOUNT,
  GET_ACCOUNT,
  LIST_ACCOUNTS,
  LIST_SYNC_RUNS,
  ListAccountsRequest,
  ListSyncRunsRequest,
  Page,
  PageQuery,
  SYNC_ACCOUNT,
  SyncRunView,
  UPDATE_ACCOUNT,
  UpdateAccountChanges,
  UpdateAccountRequest,
} from '@connector/contracts';
import { ServiceClient } from '@connector/platform';
import { ApiContractBody, ApiContractQuery } from '../common/openapi';
import { UuidParam } from '../common/validation';

/** Seller accounts. lwaClientSecret and refreshToken are write-only: the service never returns them. */
@ApiTags('accounts')
@ApiBearerAuth()
@Controller('api/accounts')
export class AccountsController {
  constructor(private readonly services: ServiceClient) {}

  @Post()
  @ApiOperation({ summary: 'Add a seller account' })
  @ApiContractBody(CreateAccountRequest, 'lwaClientSecret and refreshToken are write-only')
  create(@Body() body: CreateAccountRequest): Promise<AccountView> {
    return this.services.request(CREATE_ACCOUNT, body);
  }

  @Get()
  @ApiOperation({ summary: 'List seller accounts' })
  @ApiContractQuery(ListAccountsRequest)
  list(@Query() query: ListAccountsRequest): Promise<Page<AccountView>> {
    return this.services.request(LIST_ACCOUNTS, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One seller account' })
  get(@UuidParam() id: string): Promise<AccountView> {
    return this.services.request(GET_ACCOUNT, { id });
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a seller account' })
  @ApiContractBody(UpdateAccountChanges)
  update(@UuidParam() id: string, @Body() changes: UpdateAccountChanges): Promise<AccountView> {
    const request: UpdateAccountRequest = { id, changes };
    return this.services.request(UPDATE_ACCOUNT, request);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Remove a seller account' })
  remove(@UuidParam() id: string): Promise<unknown> {
    return this.services.request(DELETE_ACCOUNT, { id });
  }

  @Post(':id/sync')
  @HttpCode(202)
  @ApiOperation({ summary: 'Sync the account now' })
  sync(@UuidParam() id: string): Promise<unknown> {
    return this.services.request(SYNC_ACCOUNT, { id });
  }

  @Get(':id/sync-runs')
  @ApiOperation({ summary: 'Sync runs of the account, newest first, with their counts and errors' })
  @ApiContractQuery(PageQuery)
  syncRuns(@UuidParam() id: string, @Query() query: PageQuery): Promise<Page<SyncRunView>> {
    const request: ListSyncRunsRequest = { ...query, accountId: id };
    return this.services.request(LIST_SYNC_RUNS, request);
  }
}
