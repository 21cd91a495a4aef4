import { SandboxTestClient, TestSeller } from '../testing/sandbox-test-client';

const APP = {
  applicationId: 'amzn1.sp.solution.0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9',
  clientId: 'amzn1.application-oa2-client.app',
  clientSecret: 'app-secret',
  redirectUris: ['https://connector.example.com/api/v1/authorizations/callback', 'https://other.example.com/cb'],
};
const REDIRECT = APP.redirectUris[0];
const PARTICIPATIONS = '/sellers/v1/marketplaceParticipations';

describe('website authorization workflow and the Sellers API', () => {
  let sb: SandboxTestClient;
  let seller: TestSeller;

  beforeAll(async () => {
    sb = await SandboxTestClient.start({ timeScale: 100 });
    seller = await sb.seedSeller({ sellerId: 'A1CONSENTING01', marketplaceIds: ['A1PA6795UKMFR9', 'A13V1IB3VIYZZH'] });
    expect((await sb.request('POST', '/_sandbox/applications', { body: APP })).status).toBe(201);
  });
  afterAll(() => sb.close());

  /** The consent page's answer, not followed. */
  const consent = (query: Record<string, string>) => fetch(`${sb.baseUrl}/apps/authorize/consent?${new URLSearchParams(query)}`, { redirect: 'manual' });
  const approve = async (extra: Record<string, string> = {}) => {
    const page = await consent({ application_id: APP.applicationId, state: 'the-state', version: 'beta', ...extra });
    expect(page.status).toBe(302);
    return new URL(page.headers.get('location')!);
  };
  const exchange = (code: string, over: Record<string, string> = {}) =>
    sb.request('POST', '/auth/o2/token', { form: { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: APP.clientId, client_secret: APP.clientSecret, ...over } });

  it('approves for the seller and sends the browser back to the redirect URI with state, selling_partner_id and spapi_oauth_code', async () => {
    const back = await approve({ redirect_uri: REDIRECT });
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('the-state');
    expect(back.searchParams.get('selling_partner_id')).toBe(seller.sellerId);
    expect(back.searchParams.get('spapi_oauth_code')).toMatch(/^ANaR/);
    // Without redirect_uri: the app's first.
    expect((await approve()).origin).toBe('https://connector.example.com');
  });

  it('refuses an unknown app, a redirect URI the app does not have, a draft app without version=beta and a missing state', async () => {
    const refused = async (query: Record<string, string>) => {
      const page = await consent(query);
      expect(page.status).toBe(400);
      return ((await page.json()) as { error: string }).error;
    };
    expect(await refused({ application_id: 'amzn1.sp.solution.unknown', state: 's', version: 'beta' })).toBe('invalid_request');
    expect(await refused({ application_id: APP.applicationId, state: 's', version: 'beta', redirect_uri: 'https://evil.example.com/cb' })).toBe('invalid_request');
    expect(await refused({ application_id: APP.applicationId, state: 's' })).toBe('invalid_request');
    expect(await refused({ application_id: APP.applicationId, version: 'beta' })).toBe('invalid_request');
  });

  it('exchanges a code once for a refresh token that works for that seller; a reused or unknown code is invalid_grant', async () => {
    const code = (await approve()).searchParams.get('spapi_oauth_code')!;
    const wrongClient = await exchange(code, { client_secret: 'nope' });
    expect(wrongClient.status).toBe(401);
    expect(wrongClient.body.error).toBe('invalid_client');
    const wrongRedirect = await exchange(code, { redirect_uri: APP.redirectUris[1] });
    expect(wrongRedirect.body.error).toBe('invalid_grant');
    const granted = await exchange(code);
    expect(granted.status).toBe(200);
    expect(granted.body).toEqual({ access_token: expect.stringMatching(/^Atza\|/), refresh_token: expect.stringMatching(/^Atzr\|/), token_type: 'bearer', expires_in: 3600 });
    const again = await exchange(code);
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ error: 'invalid_grant', error_description: expect.stringContaining('code') });
    expect((await exchange('ANaRunknown')).body.error).toBe('invalid_grant');

    // The refresh token is the app's for this seller: with the app's client only.
    const refresh = (over: Record<string, string> = {}) =>
      sb.request('POST', '/auth/o2/token', { form: { grant_type: 'refresh_token', refresh_token: granted.body.refresh_token, client_id: APP.clientId, client_secret: APP.clientSecret, ...over } });
    const token = await refresh();
    expect(token.status).toBe(200);
    expect((await refresh({ client_id: seller.clientId, client_secret: seller.clientSecret })).status).toBe(401);
    const orders = await sb.request('GET', '/orders/2026-01-01/orders?createdAfter=2020-01-01T00:00:00Z', { token: token.body.access_token });
    expect(orders.status).toBe(200);
    expect((await sb.request('GET', `/_sandbox/grants?sellerId=${seller.sellerId}`)).body.grants).toEqual([
      { sellerId: seller.sellerId, applicationId: APP.applicationId, clientId: APP.clientId, issuedAt: expect.any(String) },
    ]);
  });

  it('expires a code after five minutes (sandbox clock)', async () => {
    const code = (await approve()).searchParams.get('spapi_oauth_code')!;
    await sb.request('POST', '/_sandbox/clock', { body: { advanceSeconds: 301 } });
    expect((await exchange(code)).body.error).toBe('invalid_grant');
  });

  it('answers getMarketplaceParticipations in Amazon\'s shape, as the control API sets them', async () => {
    const token = await sb.accessToken(seller);
    const byDefault = await sb.request('GET', PARTICIPATIONS, { token });
    expect(byDefault.status).toBe(200);
    expect(byDefault.headers.get('x-amzn-ratelimit-limit')).toBe('0.016');
    expect(byDefault.body.payload).toEqual([
      {
        marketplace: { id: 'A1PA6795UKMFR9', name: 'Amazon.de', countryCode: 'DE', defaultCurrencyCode: 'EUR', defaultLanguageCode: 'de_DE', domainName: 'www.amazon.de' },
        storeName: `Store ${seller.sellerId}`,
        participation: { isParticipating: true, hasSuspendedListings: false },
      },
      expect.objectContaining({ marketplace: expect.objectContaining({ id: 'A13V1IB3VIYZZH' }) }),
    ]);
    const set = await sb.request('PUT', `/_sandbox/sellers/${seller.sellerId}/participations`, {
      body: { participations: [{ marketplaceId: 'A2NODRKZP88ZB9', isParticipating: true, hasSuspendedListings: true, storeName: 'Nordic' }] },
    });
    expect(set.status).toBe(200);
    expect((await sb.request('GET', PARTICIPATIONS, { token })).body.payload).toEqual([
      {
        marketplace: { id: 'A2NODRKZP88ZB9', name: 'Amazon.se', countryCode: 'SE', defaultCurrencyCode: 'SEK', defaultLanguageCode: 'sv_SE', domainName: 'www.amazon.se' },
        storeName: 'Nordic',
        participation: { isParticipating: true, hasSuspendedListings: true },
      },
    ]);
    const bad = await sb.request('PUT', `/_sandbox/sellers/${seller.sellerId}/participations`, { body: { participations: [{ marketplaceId: 'NOPE', isParticipating: 'yes' }] } });
    expect(bad.status).toBe(400);
    expect((await sb.request('GET', PARTICIPATIONS)).status).toBe(403);
  });

  it('limits getMarketplaceParticipations as Amazon does: a burst of 15, then 429 QuotaExceeded', async () => {
    const other = await sb.seedSeller({ sellerId: 'A1BURSTSELLER1', refreshToken: 'Atzr|burst', marketplaceIds: ['A1PA6795UKMFR9'] });
    const token = await sb.accessToken(other);
    for (let i = 0; i < 15; i++) expect((await sb.request('GET', PARTICIPATIONS, { token })).status).toBe(200);
    const throttled = await sb.request('GET', PARTICIPATIONS, { token });
    expect(throttled.status).toBe(429);
    expect(throttled.body.errors[0].code).toBe('QuotaExceeded');
  });
});
