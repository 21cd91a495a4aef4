import { Body, Controller, HttpCode, HttpException, Post } from '@nestjs/common';
import { SellerStore } from '../store/seller.store';
import { ACCESS_TOKEN_TTL_SECONDS, AccessTokenStore } from './access-token.store';

function lwaError(status: number, error: string, errorDescription: string): HttpException {
  return new HttpException({ error, error_description: errorDescription }, status);
}

/**
 * Login with Amazon token endpoint (refresh_token grant). Form-encoded as LWA expects;
 * JSON is accepted too. The refresh token identifies the seller, whose client id and
 * secret must match.
 */
@Controller('auth/o2')
export class LwaController {
  constructor(
    private readonly sellers: SellerStore,
    private readonly tokens: AccessTokenStore,
  ) {}

  @Post('token')
  @HttpCode(200)
  token(@Body() body: Record<string, unknown> | undefined) {
    const field = (name: string) => (typeof body?.[name] === 'string' && body[name] !== '' ? (body[name] as string) : undefined);
    const grantType = field('grant_type');
    if (!grantType) throw lwaError(400, 'invalid_request', 'The request is missing a required parameter : grant_type');
    if (grantType !== 'refresh_token') throw lwaError(400, 'unsupported_grant_type', `The authorization grant type is not supported by the authorization server: ${grantType}`);
    for (const name of ['refresh_token', 'client_id', 'client_secret']) {
      if (!field(name)) throw lwaError(400, 'invalid_request', `The request is missing a required parameter : ${name}`);
    }
    const seller = this.sellers.findByRefreshToken(field('refresh_token')!);
    if (!seller || seller.clientId !== field('client_id') || seller.clientSecret !== field('client_secret')) {
      throw lwaError(401, 'invalid_client', 'Client authentication failed');
    }
    return {
      access_token: this.tokens.issue(seller.sellerId),
      refresh_token: seller.refreshToken,
      token_type: 'bearer',
      expires_in: ACCESS_TOKEN_TTL_SECONDS,
    };
  }
}
