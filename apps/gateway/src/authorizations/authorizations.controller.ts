import { Body, Controller, Get, HttpCode, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
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
import { API_V1 } from '../common/api-version';
import { Public } from '../common/public.decorator';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { ApiProblems, ApiProblemsWhen, ApiRoutes } from '../openapi/api-docs';
import { CallbackPageFilter, linkedPage, prefersHtml } from './callback-page';

/** The code exchange at LWA (30 s at most) happens before the callback answers; the Sellers API is asked afterwards. */
const CALLBACK_WAIT_MS = 60_000;

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
  ) {}

  @Post()
  @ApiRoutes({ services: true })
  @Idempotent()
  @HttpCode(201)
  @ApiOperation({
    operationId: 'createAuthorization',
    summary: 'Start Link with Amazon: a consent URL for the seller',
    description:
      'Answers Seller Central\'s consent URL for the app with a signed `state` that is good once, until `expiresAt` (10 minutes by default). Send the seller\'s browser there; Amazon sends it back to the callback, which makes the account (sellerId = the seller who consented; marketplaces from the Sellers API), or replaces the refresh token of the seller\'s account. With `accountId`, only that account\'s seller may consent (re-authorization); with `expectedSellerId`, only that seller. A new link without either starts with its sync off until an admin turns it on (`PATCH /api/v1/accounts/{id}` `syncEnabled`). `marketplaceId` chooses the Seller Central the seller signs in to (Japan, Australia and Singapore each have their own). Scope admin.',
  })
  @ApiProblemsWhen({ 404: 'The account to re-authorize is unknown.', 409: 'Link with Amazon is off (SPAPI_APP_ID is empty).', 413: 'Request body too large.' })
  create(@Body() body: CreateAuthorizationRequest, @Req() request: { caller: Caller }): Promise<AuthorizationView> {
    const message: CreateAuthorizationMessage = { ...body, requestedByKeyId: request.caller.keyId, requestedByKeyName: request.caller.name };
    return this.services.request(CREATE_AUTHORIZATION, message);
  }

  @Get('callback')
  @Public()
  @UseFilters(CallbackPageFilter)
  @ApiExtraModels(AuthorizationCompletedView)
  @ApiOperation({
    operationId: 'completeAuthorization',
    summary: 'Amazon\'s redirect after the seller\'s consent (the app\'s OAuth redirect URI)',
    description:
      'Open without an API key: Amazon sends the seller\'s browser here with `state`, `selling_partner_id` and `spapi_oauth_code`. A wrong, expired or already used state is a 400 and changes nothing; so is the consent of a seller other than the expected one (before its code is exchanged). Otherwise the code is exchanged at Login with Amazon for the refresh token, and the account is made or its refresh token replaced (in the audit log under the key that asked for the consent URL). Answers only the authorization, whether the account is new, and its id; its marketplaces follow from the Sellers API shortly after. A browser (`Accept` preferring `text/html`) gets a small page instead: the seller and the account linked, or why not (the same reason as the problem document, its failing fields included, same status). Every refusal is in the audit log like a link: under the key that asked for the consent URL when the state was one of this connector\'s, else under no key; a request over the per-address rate limit (429) is not.',
  })
  @ApiOkResponse({
    description: 'The link made: JSON, or for a browser a page naming the seller and the account.',
    content: { 'application/json': { schema: { $ref: getSchemaPath(AuthorizationCompletedView) } }, 'text/html': { schema: { type: 'string' } } },
  })
  @ApiProblems(400, 404, 429, 503)
  async callback(
    @Query() query: AuthorizationCallbackQuery,
    @Req() http: { headers: Record<string, string | string[] | undefined>; accepts?: (types: string[]) => string | false },
    @Res({ passthrough: true }) response: { type(type: string): unknown; setHeader(name: string, value: string): void },
  ): Promise<AuthorizationCompletedView> {
    const request: CompleteAuthorizationRequest = {
      state: query.state,
      sellingPartnerId: query.selling_partner_id,
      sealedCode: this.secrets.encrypt(query.spapi_oauth_code, authorizationCodeTransitContext(query.state)),
    };
    const completed = await this.services.request(COMPLETE_AUTHORIZATION, request, CALLBACK_WAIT_MS);
    // The browser is anyone's: the least that says the link was made (order-ingestion's event writes the audit entry).
    const answer = { authorizationId: completed.authorizationId, created: completed.created, accountId: completed.accountId };
    if (!prefersHtml(http)) return answer;
    response.setHeader('cache-control', 'no-store');
    response.type('text/html; charset=utf-8');
    // Sent as is, with the content type set above; the declared type is the JSON answer's (the one OpenAPI's plugin reads).
    return linkedPage(query.selling_partner_id, answer) as unknown as AuthorizationCompletedView;
  }
}
