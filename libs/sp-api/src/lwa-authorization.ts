import { AmazonEndpoints, EndpointNotAllowedError } from './amazon-endpoints';
import { SpApiError } from './sp-api-client';

export interface AuthorizationCodeExchange {
  /** LWA token URL: Amazon's, or one under a base in AMAZON_ALLOWED_ENDPOINTS. */
  lwaEndpoint: string;
  code: string;
  /** The redirect URI the consent went back to: LWA checks it is the same. */
  redirectUri: string;
  clientId: string;
  clientSecret: string;
  endpoints: AmazonEndpoints;
  timeoutMs?: number;
}

/**
 * The website authorization workflow's last step: LWA's authorization_code grant turns the
 * `spapi_oauth_code` (valid five minutes, once) into the seller's refresh token. The code and the
 * client secret go in the form body, only to an allowed LWA URL, never through a redirect.
 */
export async function exchangeAuthorizationCode(exchange: AuthorizationCodeExchange): Promise<{ refreshToken: string }> {
  if (!exchange.endpoints.lwaAllowed(exchange.lwaEndpoint)) throw new EndpointNotAllowedError('lwaEndpoint not allowed');
  let response: Response;
  try {
    response = await fetch(exchange.lwaEndpoint, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: exchange.code,
        redirect_uri: exchange.redirectUri,
        client_id: exchange.clientId,
        client_secret: exchange.clientSecret,
      }),
      signal: AbortSignal.timeout(exchange.timeoutMs ?? 30_000),
    });
  } catch (err) {
    throw new SpApiError('lwaAuthorizationCode', 0, 'NetworkError', err?.cause?.code ?? err.message);
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel().catch(() => undefined);
    throw new SpApiError('lwaAuthorizationCode', response.status, 'RedirectRefused', 'the LWA endpoint answered with a redirect, which is never followed');
  }
  const body = (await response.json().catch(() => ({}))) as { refresh_token?: unknown; error?: unknown; error_description?: unknown };
  if (!response.ok || typeof body.refresh_token !== 'string' || !body.refresh_token) {
    // LWA's error code and description only: never the form sent.
    throw new SpApiError('lwaAuthorizationCode', response.status, short(body.error) ?? 'invalid_token_response', short(body.error_description) ?? 'no refresh token');
  }
  return { refreshToken: body.refresh_token };
}

function short(value: unknown): string | undefined {
  return typeof value === 'string' ? value.slice(0, 300) : undefined;
}
