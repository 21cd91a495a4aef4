import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { register } from 'prom-client';
import { ScrapedMetrics } from '@connector/test-environment';
import { SpApiClient } from './sp-api-client';

/** A stand-in of LWA and the SP-API whose answers the test sets. */
async function amazon(answers: { token: () => [number, object]; call: () => [number, object] }): Promise<{ url: string; close: () => Promise<void> }> {
  const http: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const [status, body] = req.url === '/token' ? answers.token() : answers.call();
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return { url, close: () => new Promise((resolve) => http.close(() => resolve())) };
}

const scrape = async () => new ScrapedMetrics(await register.metrics());
const TOKEN: [number, object] = [200, { access_token: 'token-1', expires_in: 3600 }];
const ORDER: [number, object] = [200, { order: {} }];

describe('SpApiClient metrics: calls by operation and status, quota waits, refused credentials', () => {
  it('counts each try with its status (429s too) and the wait for the token bucket', async () => {
    let throttles = 2;
    const stub = await amazon({ token: () => TOKEN, call: () => (throttles-- > 0 ? [429, { errors: [{ code: 'QuotaExceeded', message: 'slow down' }] }] : ORDER) });
    try {
      const client = new SpApiClient(
        { accountId: 'acc-calls', region: 'EU', endpoint: stub.url, lwaEndpoint: `${stub.url}/token`, clientId: 'id', clientSecret: 's', refreshToken: 'r' },
        // getOrder at 0.5/s, 50 times faster: a drained bucket refills in 40 ms.
        { rateScale: 50 },
      );
      await client.request('getOrder', 'GET', '/orders/2026-01-01/orders/1');
      const metrics = await scrape();
      expect(metrics.sum('connector_amazon_requests_total', { account_id: 'acc-calls', operation: 'getOrder', status: '429' })).toBe(2);
      expect(metrics.sum('connector_amazon_requests_total', { account_id: 'acc-calls', operation: 'getOrder', status: '200' })).toBe(1);
      expect(metrics.sum('connector_amazon_requests_total', { account_id: 'acc-calls', operation: 'lwaToken', status: '200' })).toBe(1);
      expect(metrics.histogramCount('connector_amazon_rate_limit_wait_seconds', { operation: 'getOrder' })).toBe(3);
      expect(metrics.histogramCount('connector_amazon_request_duration_seconds', { operation: 'getOrder' })).toBe(3);
    } finally {
      await stub.close();
    }
  });

  it('says 1 while LWA refuses the credentials and 0 once a call succeeds again', async () => {
    let token: [number, object] = [401, { error: 'invalid_client', error_description: 'Client authentication failed' }];
    const stub = await amazon({ token: () => token, call: () => ORDER });
    try {
      const client = new SpApiClient({ accountId: 'acc-refused', region: 'EU', endpoint: stub.url, lwaEndpoint: `${stub.url}/token`, clientId: 'id', clientSecret: 'wrong', refreshToken: 'r' });
      await expect(client.request('getOrder', 'GET', '/orders/2026-01-01/orders/1')).rejects.toThrow(/invalid_client/);
      expect((await scrape()).sum('connector_amazon_credentials_refused', { account_id: 'acc-refused' })).toBe(1);

      token = TOKEN;
      await client.request('getOrder', 'GET', '/orders/2026-01-01/orders/1');
      expect((await scrape()).sum('connector_amazon_credentials_refused', { account_id: 'acc-refused' })).toBe(0);
    } finally {
      await stub.close();
    }
  });

  it('says 1 when the SP-API answers 403 Unauthorized with a token in hand', async () => {
    const stub = await amazon({ token: () => TOKEN, call: () => [403, { errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.' }] }] });
    try {
      const client = new SpApiClient({ accountId: 'acc-denied', region: 'EU', endpoint: stub.url, lwaEndpoint: `${stub.url}/token`, clientId: 'id', clientSecret: 's', refreshToken: 'r' });
      await expect(client.request('getOrder', 'GET', '/orders/2026-01-01/orders/1')).rejects.toThrow(/Unauthorized/);
      const metrics = await scrape();
      expect(metrics.sum('connector_amazon_credentials_refused', { account_id: 'acc-denied' })).toBe(1);
      expect(metrics.sum('connector_amazon_requests_total', { account_id: 'acc-denied', operation: 'getOrder', status: '403' })).toBe(1);
    } finally {
      await stub.close();
    }
  });
});
