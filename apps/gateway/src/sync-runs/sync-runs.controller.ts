import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ListAllSyncRunsQuery, Page, SEARCH_SYNC_RUNS, SearchSyncRunsRequest, SyncRunView } from '@connector/contracts';
import { ServiceClient } from '@connector/platform';
import { Caller } from '../access/api-keys.service';
import { AccountFrom } from '../access/scopes';
import { API_V1 } from '../common/api-version';
import { ApiPage, ApiRoutes } from '../openapi/api-docs';

/** Sync runs across accounts: what is syncing now (`?status=running`), one run per account at most. */
@ApiTags('accounts')
@ApiRoutes({ services: true })
@Controller(`${API_V1}/sync-runs`)
export class SyncRunsController {
  constructor(private readonly services: ServiceClient) {}

  @Get()
  @AccountFrom('own')
  @ApiOperation({
    operationId: 'listAllSyncRuns',
    summary: 'Sync runs of every account the API key may see, newest first',
    description: 'With `status=running`: the run of each account that is syncing now, with its progress. A key limited to some accounts sees only theirs.',
  })
  @ApiPage(SyncRunView)
  list(@Query() query: ListAllSyncRunsQuery, @Req() request: { caller: Caller }): Promise<Page<SyncRunView>> {
    const search: SearchSyncRunsRequest = { ...query, ...(request.caller.accountIds ? { accountIds: request.caller.accountIds } : {}) };
    return this.services.request(SEARCH_SYNC_RUNS, search);
  }
}
