import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AccountMarketplacesView, LIST_ACCOUNT_MARKETPLACES, REFRESH_ACCOUNT_MARKETPLACES } from '@connector/contracts';
import { ServiceClient } from '@connector/platform';
import { AccountFrom, ApiScope, RequiresScope } from '../access/scopes';
import { API_V1 } from '../common/api-version';
import { UuidParam } from '../common/validation';
import { ApiProblems, ApiProblemsWhen, ApiRoutes } from '../openapi/api-docs';

/** The marketplaces Amazon's Sellers API names for an account, with whether the seller is active there and whether the account syncs them. */
@ApiTags('accounts')
@ApiRoutes({ services: true })
@Controller(`${API_V1}/accounts/:id/marketplaces`)
export class AccountMarketplacesController {
  constructor(private readonly services: ServiceClient) {}

  @Get()
  @AccountFrom('param')
  @ApiOperation({
    operationId: 'listAccountMarketplaces',
    summary: 'The account\'s marketplaces as Amazon names them',
    description:
      'From the Sellers API (getMarketplaceParticipations), asked when the account is made or linked and every MARKETPLACE_REFRESH_HOURS: each with `active` (Amazon\'s isParticipating), `hasSuspendedListings`, `enabled` (its orders are synced: in the account\'s marketplaceIds, which PATCH /api/v1/accounts/{id} changes) and `known` (in GET /api/v1/marketplaces: only those can be enabled).',
  })
  @ApiOkResponse({ type: AccountMarketplacesView })
  @ApiProblems(404)
  list(@UuidParam() id: string): Promise<AccountMarketplacesView> {
    return this.services.request(LIST_ACCOUNT_MARKETPLACES, { id });
  }

  @Post('refresh')
  @RequiresScope(ApiScope.Operate)
  @AccountFrom('param')
  @HttpCode(200)
  @ApiOperation({ operationId: 'refreshAccountMarketplaces', summary: 'Ask Amazon\'s Sellers API for the account\'s marketplaces now', description: 'One getMarketplaceParticipations call (Amazon allows about one a minute once a burst of 15 is spent). Scope operate.' })
  @ApiOkResponse({ type: AccountMarketplacesView })
  @ApiProblemsWhen({ 404: 'The account is unknown.', 429: 'Amazon throttles getMarketplaceParticipations for the account (or this API key made too many requests).', 503: 'Amazon did not answer, or refused the account\'s credentials.' })
  refresh(@UuidParam() id: string): Promise<AccountMarketplacesView> {
    // Amazon's quota may hold the call a minute.
    return this.services.request(REFRESH_ACCOUNT_MARKETPLACES, { id }, 90_000);
  }
}
