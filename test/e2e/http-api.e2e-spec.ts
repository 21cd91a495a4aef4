import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { request, sandboxAccountBody } from '@connector/local-system';
import { API_KEY, RunningSystem } from '@connector/testing';

const SELLER = { sellerId: 'A2HTTPAPI00001', clientId: 'http-api-client', clientSecret: 'http-api-secret-123', refreshToken: 'Atzr|http-api-refresh-123', marketplaceIds: ['A1PA6795UKMFR9'] };

/** The conventions of the HTTP API on the whole system: versioned paths, Idempotency-Key, DELETE 204, the served document. */
describe('the HTTP API of the running system', () => {
  const running = new RunningSystem();
  const auth = { authorization: `Bearer ${API_KEY}` };

  beforeAll(async () => {
    await running.start();
    expect((await running.sandbox('POST', '/_sandbox/sellers', SELLER)).status).toBe(201);
  });
  afterAll(() => running.stop());

  it('creates an account once for one Idempotency-Key, answers the same again, and refuses the key with another body', async () => {
    const body = { ...sandboxAccountBody(SELLER, running.sandboxUrl, 'EU'), syncEnabled: false };
    const headers = { ...auth, 'idempotency-key': 'create-http-api-account' };
    const first = await request<any>('POST', `${running.gatewayUrl}/api/v1/accounts`, body, headers);
    expect(first.status).toBe(201);
    const again = await request<any>('POST', `${running.gatewayUrl}/api/v1/accounts`, body, headers);
    expect(again).toEqual(first);
    // Without the key, the second is refused by order-ingestion as a duplicate: the first was made once.
    expect((await running.api('POST', '/api/v1/accounts', body)).status).toBe(409);
    expect((await running.api('GET', '/api/v1/accounts')).body.items.map((a: any) => a.id)).toEqual([first.body.id]);
    const other = await request<any>('POST', `${running.gatewayUrl}/api/v1/accounts`, { ...body, name: 'another' }, headers);
    expect(other.status).toBe(422);

    // The unversioned path still works for one release, through its redirect.
    const listed = await request<any>('GET', `${running.gatewayUrl}/api/accounts`, undefined, auth);
    expect(listed.body.items.map((a: any) => a.id)).toEqual([first.body.id]);

    const removed = await running.api('DELETE', `/api/v1/accounts/${first.body.id}`);
    expect(removed).toEqual({ status: 204, body: undefined });
    expect((await running.api('GET', `/api/v1/accounts/${first.body.id}`)).status).toBe(404);
  });

  it('serves the committed OpenAPI document at /docs-json', async () => {
    const served = await request<any>('GET', `${running.gatewayUrl}/docs-json`);
    expect(served.status).toBe(200);
    expect(served.body).toEqual(JSON.parse(readFileSync(resolve(__dirname, '../../apps/gateway/openapi.json'), 'utf8')));
  });
});
