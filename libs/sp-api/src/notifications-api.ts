import { AmazonEndpoints, EndpointNotAllowedError } from './amazon-endpoints';
import { SpApiAccess, SpApiClient, SpApiError } from './sp-api-client';

/** Notifications API v1 (Amazon's model `notifications.json`): destinations and subscriptions. */

export const NOTIFICATIONS_SCOPE = 'sellingpartnerapi::notifications';

export interface NotificationDestination {
  destinationId: string;
  name: string;
  resource: { sqs?: { arn: string } };
}

export interface NotificationSubscription {
  subscriptionId: string;
  payloadVersion: string;
  destinationId: string;
}

/**
 * Grantless access tokens (LWA client_credentials with a scope), cached per LWA client until five
 * minutes before they expire. They stand for the application, not a seller: destinations are the
 * application's. The client secret goes only to an allowed LWA URL, never through a redirect.
 */
export class GrantlessTokens {
  private readonly tokens = new Map<string, { value: string; expiresAt: number }>();

  constructor(
    private readonly endpoints: AmazonEndpoints,
    private readonly timeoutMs = 30_000,
  ) {}

  async token(access: Pick<SpApiAccess, 'lwaEndpoint' | 'clientId' | 'clientSecret'>, scope: string): Promise<string> {
    const key = `${access.lwaEndpoint}\0${access.clientId}\0${scope}`;
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt - 300_000 > Date.now()) return cached.value;
    if (!this.endpoints.lwaAllowed(access.lwaEndpoint)) throw new EndpointNotAllowedError('lwaEndpoint not allowed');
    let response: Response;
    try {
      response = await fetch(access.lwaEndpoint, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope, client_id: access.clientId, client_secret: access.clientSecret }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new SpApiError('lwaToken', 0, 'NetworkError', err?.cause?.code ?? err.message);
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel().catch(() => undefined);
      throw new SpApiError('lwaToken', response.status, 'RedirectRefused', 'the LWA endpoint answered with a redirect, which is never followed');
    }
    const body = (await response.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown };
    if (!response.ok || typeof body.access_token !== 'string' || !body.access_token) {
      // LWA's error code and description only: never the form sent.
      throw new SpApiError('lwaToken', response.status, short(body.error) ?? 'invalid_token_response', short(body.error_description) ?? 'no access token');
    }
    const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : 3600;
    this.tokens.set(key, { value: body.access_token, expiresAt: Date.now() + expiresIn * 1000 });
    return body.access_token;
  }
}

/** getDestinations (grantless): every destination of the application. 1 rps, burst 5. */
export async function getDestinations(client: SpApiClient, grantlessToken: string): Promise<NotificationDestination[]> {
  const answer = await client.request<{ payload?: NotificationDestination[] }>('getDestinations', 'GET', '/notifications/v1/destinations', { accessToken: grantlessToken });
  return (answer?.payload ?? []).filter((d) => typeof d?.destinationId === 'string');
}

/** createDestination (grantless) for an SQS queue. Amazon answers 409 when the application has one for that queue already. */
export async function createDestination(client: SpApiClient, grantlessToken: string, name: string, queueArn: string): Promise<NotificationDestination> {
  const answer = await client.request<{ payload?: NotificationDestination }>('createDestination', 'POST', '/notifications/v1/destinations', {
    accessToken: grantlessToken,
    body: { name, resourceSpecification: { sqs: { arn: queueArn } } },
    // Not taken twice: a lost answer is found again by getDestinations (409 otherwise).
    retryUnsure: false,
  });
  if (!answer?.payload?.destinationId) throw new SpApiError('createDestination', 200, 'InvalidResponse', 'no destinationId in the answer');
  return answer.payload;
}

/** getSubscription (the seller's token): the subscription of this application to the type, or undefined (404). */
export async function getSubscription(client: SpApiClient, notificationType: string): Promise<NotificationSubscription | undefined> {
  try {
    const answer = await client.request<{ payload?: NotificationSubscription }>('getSubscription', 'GET', `/notifications/v1/subscriptions/${encodeURIComponent(notificationType)}`);
    return answer?.payload?.subscriptionId ? answer.payload : undefined;
  } catch (err) {
    if (err instanceof SpApiError && err.status === 404) return undefined;
    throw err;
  }
}

/** createSubscription (the seller's token). Amazon answers 409 when the seller is subscribed already. */
export async function createSubscription(client: SpApiClient, notificationType: string, destinationId: string, payloadVersion = '1.0'): Promise<NotificationSubscription> {
  const answer = await client.request<{ payload?: NotificationSubscription }>('createSubscription', 'POST', `/notifications/v1/subscriptions/${encodeURIComponent(notificationType)}`, {
    body: { payloadVersion, destinationId },
    retryUnsure: false,
  });
  if (!answer?.payload?.subscriptionId) throw new SpApiError('createSubscription', 200, 'InvalidResponse', 'no subscriptionId in the answer');
  return answer.payload;
}

/**
 * deleteSubscriptionById (grantless: any subscription of the application, so a seller's token is
 * not needed, nor still valid). Answers 'gone' when Amazon does not know it (404: deleted before).
 */
export async function deleteSubscriptionById(client: SpApiClient, grantlessToken: string, notificationType: string, subscriptionId: string): Promise<'deleted' | 'gone'> {
  try {
    await client.request('deleteSubscriptionById', 'DELETE', `/notifications/v1/subscriptions/${encodeURIComponent(notificationType)}/${encodeURIComponent(subscriptionId)}`, { accessToken: grantlessToken });
    return 'deleted';
  } catch (err) {
    if (err instanceof SpApiError && err.status === 404) return 'gone';
    throw err;
  }
}

function short(value: unknown): string | undefined {
  return typeof value === 'string' ? value.slice(0, 300) : undefined;
}
