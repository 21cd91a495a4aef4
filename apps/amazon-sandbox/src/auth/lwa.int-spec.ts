import { SandboxTestClient, TestSeller } from '../testing/sandbox-test-client';

describe('LWA token endpoint and SP-API authorization', () => {
  let sb: SandboxTestClient;
  let seller: TestSeller;

  beforeAll(async () => {
    sb = await SandboxTestClient.start();
    seller = await sb.seedSeller();
  });
  afterAll(() => sb.close());

  const form = (over: Record<string, string> = {}) => ({
    grant_type: 'refresh_token',
    refresh_token: seller.refreshToken,
    client_id: seller.clientId,
    client_secret: seller.clientSecret,
    ...over,
  });

  it('issues a bearer access token for form-encoded refresh_token grants', async () => {
    const res = await sb.request('POST', '/auth/o2/token', { form: form() });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ access_token: expect.stringMatching(/^Atza\|/), refresh_token: seller.refreshToken, token_type: 'bearer', expires_in: 3600 });
  });

  it('accepts a JSON body too', async () => {
    const res = await sb.request('POST', '/auth/o2/token', { body: form() });
    expect(res.status).toBe(200);
    expect(res.body.access_token).toMatch(/^Atza\|/);
  });

  it.each([
    ['wrong secret', { client_secret: 'nope' }],
    ['wrong client id', { client_id: 'other' }],
    ['unknown refresh token', { refresh_token: 'Atzr|unknown' }],
  ])('answers 401 invalid_client for %s', async (_label, over) => {
    const res = await sb.request('POST', '/auth/o2/token', { form: form(over) });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
  });

  it('answers 400 for a bad grant or missing fields', async () => {
    const bad = await sb.request('POST', '/auth/o2/token', { form: form({ grant_type: 'password' }) });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('unsupported_grant_type');
    const { client_secret: _omit, ...withoutSecret } = form();
    const missing = await sb.request('POST', '/auth/o2/token', { form: withoutSecret });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: 'invalid_request', error_description: expect.stringContaining('client_secret') });
    const noGrant = await sb.request('POST', '/auth/o2/token', { body: {} });
    expect(noGrant.status).toBe(400);
    expect(noGrant.body.error).toBe('invalid_request');
  });

  it('refuses SP-API calls without a valid, unexpired token with 403 Unauthorized', async () => {
    const expected = { errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.', details: '' }] };
    const none = await sb.request('GET', '/orders/2026-01-01/orders?createdAfter=2020-01-01T00:00:00Z');
    expect(none.status).toBe(403);
    expect(none.body).toEqual(expected);
    expect(none.headers.get('x-amzn-requestid')).toBeTruthy();
    const bogus = await sb.request('GET', '/orders/2026-01-01/orders?createdAfter=2020-01-01T00:00:00Z', { token: 'Atza|bogus' });
    expect(bogus.status).toBe(403);
    const ship = await sb.request('POST', '/orders/v0/orders/111-1111111-1111111/shipmentConfirmation', { body: {} });
    expect(ship.status).toBe(403);

    const token = await sb.accessToken(seller);
    const ok = await sb.request('GET', '/orders/2026-01-01/orders?createdAfter=2020-01-01T00:00:00Z', { token });
    expect(ok.status).toBe(200);
    // An hour later (sandbox clock) the token has expired.
    await sb.request('POST', '/_sandbox/clock', { body: { advanceSeconds: 3601 } });
    const expired = await sb.request('GET', '/orders/2026-01-01/orders?createdAfter=2020-01-01T00:00:00Z', { token });
    expect(expired.status).toBe(403);
    expect(expired.body).toEqual(expected);
  });
});
