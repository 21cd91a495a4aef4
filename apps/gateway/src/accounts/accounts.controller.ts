import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  accountTransitContext,
  AccountChangeMessage,
  AccountView,
  CREATE_ACCOUNT,
  CreateAccountMessage,
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
import { ServiceClient, TransitSecrets } from '@connector/platform';
import { ApiContractBody, ApiContractQuery } from '../common/openapi';
import { UuidParam } from '../common/validation';
import { AccountFrom, ApiScope, RequiresScope } from '../access/scopes';

/**
 * Seller accounts. lwaClientSecret and refreshToken are write-only: the service never returns
 * them, and they leave the gateway only sealed for order-ingestion.
 */
@ApiTags('accounts')
@ApiBearerAuth()
@Controller('api/accounts')
export class AccountsController {
  constructor(
    private readonly services: ServiceClient,
    private readonly secrets: TransitSecrets,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Add a seller account' })
  @ApiContractBody(CreateAccountRequest, 'lwaClientSecret and refreshToken are write-only')
  create(@Body() body: CreateAccountRequest): Promise<AccountView> {
    const { lwaClientSecret, refreshToken, ...account } = body;
    const message: CreateAccountMessage = {
      ...account,
      sealedClientSecret: this.secrets.encrypt(lwaClientSecret, accountTransitContext(body, 'clientSecret')),
      sealedRefreshToken: this.secrets.encrypt(refreshToken, accountTransitContext(body, 'refreshToken')),
    };
    return this.services.request(CREATE_ACCOUNT, message);
  }

  @Get()
  @ApiOperation({ summary: 'List seller accounts' })
  @ApiContractQuery(ListAccountsRequest)
  list(@Query() query: ListAccountsRequest): Promise<Page<AccountView>> {
    return this.services.request(LIST_ACCOUNTS, query);
  }

  @Get(':id')
  @AccountFrom('param')
  @ApiOperation({ summary: 'One seller account' })
  get(@UuidParam() id: string): Promise<AccountView> {
    return this.services.request(GET_ACCOUNT, { id });
  }

  @Patch(':id')
  @AccountFrom('param')
  @ApiOperation({ summary: 'Change a seller account' })
  @ApiContractBody(UpdateAccountChanges)
  update(@UuidParam() id: string, @Body() body: UpdateAccountChanges): Promise<AccountView> {
    const { lwaClientSecret, refreshToken, ...plain } = body;
    const changes: AccountChangeMessage = { ...plain };
    if (lwaClientSecret !== undefined) changes.sealedClientSecret = this.secrets.encrypt(lwaClientSecret, accountTransitContext({ id }, 'clientSecret'));
    if (refreshToken !== undefined) changes.sealedRefreshToken = this.secrets.encrypt(refreshToken, accountTransitContext({ id }, 'refreshToken'));
    const request: UpdateAccountRequest = { id, changes };
    return this.services.request(UPDATE_ACCOUNT, request);
  }

  @Delete(':id')
  @AccountFrom('param')
  @ApiOperation({ summary: 'Remove a seller account' })
  remove(@UuidParam() id: string): Promise<unknown> {
    return this.services.request(DELETE_ACCOUNT, { id });
  }

  @Post(':id/sync')
  @RequiresScope(ApiScope.Operate)
  @AccountFrom('param')
  @HttpCode(202)
  @ApiOperation({ summary: 'Sync the account now' })
  sync(@UuidParam() id: string): Promise<unknown> {
    return this.services.request(SYNC_ACCOUNT, { id });
  }

  @Get(':id/sync-runs')
  @AccountFrom('param')
  @ApiOperation({ summary: 'Sync runs of the account, newest first, with their counts and errors' })
  @ApiContractQuery(PageQuery)
  syncRuns(@UuidParam() id: string, @Query() query: PageQuery): Promise<Page<SyncRunView>> {
    const request: ListSyncRunsRequest = { ...query, accountId: id };
    return this.services.request(LIST_SYNC_RUNS, request);
  }
}
