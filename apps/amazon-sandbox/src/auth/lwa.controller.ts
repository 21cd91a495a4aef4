import { Body, Controller, HttpCode, HttpException, Post } from '@nestjs/common';
import { ApplicationStore } from '../authorization/application.store';
import { SellerStore } from '../store/seller.store';
import { ACCESS_TOKEN_TTL_SECONDS, AccessTokenStore } from './access-token.store';

/** The scopes of grantless operations LWA grants (Amazon's: notifications and client credential rotation). */
export const GRANTLESS_SCOPES = ['sellingpartnerapi::notifications', 'sellingpartnerapi::client_credential:rotation'];

function lwaError(status: number, error: string, errorDescription: string): HttpException {
  return new HttpException({ error, error_description: errorDescription }, status);
}

/**
 * Login with Amazon token endpoint. Form-encoded as LWA expects; JSON is accepted too.
 * `refresh_token`: the refresh token identifies the seller (its own self-authorized one, or one an
 * application got through the seller's consent), whose client id and secret must match.
 * `authorization_code`: an `spapi_oauth_code` from the consent page, good once, with the redirect
 * URI it went to and the application's client id and secret, becomes a new refresh token.
 */
@Controller('auth/o2')
export class LwaController {
  constructor(
    private readonly sellers: SellerStore,
    private readonly tokens: AccessTokenStore,
    private readonly applications: ApplicationStore,
  ) {}

  @Post('token')
  @HttpCode(200)
  token(@Body() body: Record<string, unknown> | undefined) {
    const field = (name: string) => (typeof body?.[name] === 'string' && body[name] !== '' ? (body[name] as string) : undefined);
    const grantType = field('grant_type');
    if (!grantType) throw lwaError(400, 'invalid_request', 'The request is missing a required parameter : grant_type');
    if (grantType === 'authorization_code') return this.authorizationCode(field);
    if (grantType === 'client_credentials') return this.clientCredentials(field);
    if (grantType !== 'refresh_token') throw lwaError(400, 'unsupported_grant_type', `The authorization grant type is not supported by the authorization server: ${grantType}`);
    for (const name of ['refresh_token', 'client_id', 'client_secret']) {
      if (!field(name)) throw lwaError(400, 'invalid_request', `The request is missing a required parameter : ${name}`);
    }
    const refreshToken = field('refresh_token')!;
    const sellerId = this.sellerOf(refreshToken, field('client_id')!, field('client_secret')!);
    if (!sellerId) throw lwaError(401, 'invalid_client', 'Client authentication failed');
    return { access_token: this.tokens.issue(sellerId, field('client_id')), refresh_token: refreshToken, token_type: 'bearer', expires_in: ACCESS_TOKEN_TTL_SECONDS };
  }

  /**
   * Grantless operations (the Notifications API's destinations): LWA's client_credentials grant
   * with a scope, for any client the sandbox knows (an application's, or a seller's own
   * self-authorized client). No refresh token; the token stands for the application.
   */
  private clientCredentials(field: (name: string) => string | undefined) {
    for (const name of ['scope', 'client_id', 'client_secret']) {
      if (!field(name)) throw lwaError(400, 'invalid_request', `The request is missing a required parameter : ${name}`);
    }
    const scope = field('scope')!;
    if (!GRANTLESS_SCOPES.includes(scope)) throw lwaError(400, 'invalid_scope', `The request has an invalid parameter : scope`);
    const clientId = field('client_id')!;
    const clientSecret = field('client_secret')!;
    const known = this.applications.all().some((a) => a.clientId === clientId && a.clientSecret === clientSecret) || this.sellers.all().some((s) => s.clientId === clientId && s.clientSecret === clientSecret);
    if (!known) throw lwaError(401, 'invalid_client', 'Client authentication failed');
    return { access_token: this.tokens.issueGrantless(clientId, scope), scope, token_type: 'bearer', expires_in: ACCESS_TOKEN_TTL_SECONDS };
  }

  private authorizationCode(field: (name: string) => string | undefined) {
    for (const name of ['code', 'redirect_uri', 'client_id', 'client_secret']) {
      if (!field(name)) throw lwaError(400, 'invalid_request', `The request is missing a required parameter : ${name}`);
    }
    const code = this.applications.findCode(field('code')!);
    // Unknown, expired or already used: LWA's words for each.
    if (!code) throw lwaError(400, 'invalid_grant', 'The request has an invalid grant parameter : code');
    const application = this.applications.get(code.applicationId)!;
    if (application.clientId !== field('client_id') || application.clientSecret !== field('client_secret')) {
      throw lwaError(401, 'invalid_client', 'Client authentication failed');
    }
    if (code.redirectUri !== field('redirect_uri')) throw lwaError(400, 'invalid_grant', 'The request has an invalid grant parameter : redirect_uri');
    const { refreshToken, grant } = this.applications.redeem(field('code')!);
    return { access_token: this.tokens.issue(grant.sellerId, application.clientId), refresh_token: refreshToken, token_type: 'bearer', expires_in: ACCESS_TOKEN_TTL_SECONDS };
  }

  /** The seller a refresh token stands for, when the client id and secret are those it was issued to. */
  private sellerOf(refreshToken: string, clientId: string, clientSecret: string): string | undefined {
    const seller = this.sellers.findByRefreshToken(refreshToken);
    if (seller) return seller.clientId === clientId && seller.clientSecret === clientSecret ? seller.sellerId : undefined;
    const grant = this.applications.grantOf(refreshToken);
    const application = grant && this.applications.get(grant.applicationId);
    if (!grant || !application || application.clientId !== clientId || application.clientSecret !== clientSecret) return undefined;
    return this.sellers.get(grant.sellerId) ? grant.sellerId : undefined;
  }
}
