import { Body, Controller, Get, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AuthorizationCallbackQuery,
  authorizationCodeTransitContext,
  AuthorizationCompletedView,
  AuthorizationView,
  COMPLETE_AUTHORIZATION,
  CompleteAuthorizationRequest,
  CREATE_AUTHORIZATION,
  CreateAuthorizationMessage,
  CreateAuthorizationRequest,
} from '@connector/contracts';
import { ServiceClient, TransitSecrets } from '@connector/platform';
import type { Caller } from '../access/api-keys.service';
import { AuditService } from '../access/audit.service';
import { API_V1 } from '../common/api-version';
import { Public } from '../common/public.decorator';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { ApiProblems, ApiProblemsWhen, ApiRoutes } from '../openapi/api-docs';

/** The code exchange (LWA) and the Sellers API's first answer happen before the callback answers. */
const CALLBACK_WAIT_MS = 60_000;
const CALLBACK_PATH = `/${API_V1}/authorizations/callback`;

/**
 * Link with Amazon (the SP-API website authorization workflow). The consent URL comes from
 * order-ingestion, which keeps the state; Amazon sends the seller's browser back to the callback,
 * whose code leaves the gateway only sealed for order-ingestion, where it is exchanged.
 */
@ApiTags('authorizations')
@Controller(`${API_V1}/authorizations`)
export class AuthorizationsController {
  constructor(
    private readonly services: ServiceClient,
    private readonly secrets: TransitSecrets,
    private readonly audit: AuditService,
  ) {}

  @Post()
  @ApiRoutes({ services: true })
  @Idempotent()
  @HttpCode(201)
  @ApiOperation({
    operationId: 'createAuthorization',
    summary: 'Start Link with Amazon: a consent URL for the seller',
    description:
      'Answers Seller Central\'s consent URL for the app with a signed `state` that is good once, until `expiresAt` (10 minutes by default). Send the seller\'s browser there; Amazon sends it back to the callback, which makes the account (sellerId = the seller who consented; marketplaces from the Sellers API), or replaces the refresh token of the seller\'s account. With `accountId`, only that account\'s seller may consent (re-authorization). Scope admin.',
  })
  @ApiProblemsWhen({ 404: 'The account to re-authorize is unknown.', 409: 'Link with Amazon is off (SPAPI_APP_ID is empty).', 413: 'Request body too large.' })
  create(@Body() body: CreateAuthorizationRequest, @Req() request: { caller: Caller }): Promise<AuthorizationView> {
    const message: CreateAuthorizationMessage = { ...body, requestedByKeyId: request.caller.keyId, requestedByKeyName: request.caller.name };
    return this.services.request(CREATE_AUTHORIZATION, message);
  }

  @Get('callback')
  @Public()
  @ApiOperation({
    operationId: 'completeAuthorization',
    summary: 'Amazon\'s redirect after the seller\'s consent (the app\'s OAuth redirect URI)',
    description:
      'Open without an API key: Amazon sends the seller\'s browser here with `state`, `selling_partner_id` and `spapi_oauth_code`. A wrong, expired or already used state is a 400 and changes nothing. Otherwise the code is exchanged at Login with Amazon for the refresh token, and the account is made or its refresh token replaced (in the audit log under the key that asked for the consent URL).',
  })
  @ApiOkResponse({ type: AuthorizationCompletedView })
  @ApiProblems(400, 404, 429, 503)
  async callback(@Query() query: AuthorizationCallbackQuery): Promise<AuthorizationCompletedView> {
    const request: CompleteAuthorizationRequest = {
      state: query.state,
      sellingPartnerId: query.selling_partner_id,
      sealedCode: this.secrets.encrypt(query.spapi_oauth_code, authorizationCodeTransitContext(query.state)),
    };
    const completed = await this.services.request(COMPLETE_AUTHORIZATION, request, CALLBACK_WAIT_MS);
    // A GET, by Amazon's redirect without a key: written here, under the key that asked for the consent.
    await this.audit.record(
      { keyId: completed.requestedByKeyId, name: completed.requestedByKeyName, scopes: [], accountIds: null },
      {
        method: 'GET',
        path: CALLBACK_PATH,
        action: `GET ${CALLBACK_PATH}`,
        body: { authorizationId: completed.authorizationId, sellingPartnerId: query.selling_partner_id, accountId: completed.account.id, created: completed.created },
      },
      200,
    );
    return completed;
  }
}
