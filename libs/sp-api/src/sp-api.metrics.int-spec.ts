import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { register } from 'prom-client';
import { ScrapedMetrics } from '@connector/test-environment';
import { AmazonEndpoints } from './amazon-endpoints';
import { SpApiAccess, SpApiClient, SpApiClients } from './sp-api-client';

/** A stand-in of LWA and the SP-API whose answers the test sets. */
async function amazon(answers: { token: () => [number, object]; call: () => [number, object, Record<string, string>?] }): Promise<{ url: string; close: () => Promise<void> }> {
  const http: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const [status, body, headers] = req.url === '/token' ? answers.token() : answers.call();
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return { url, close: () => new Promise((resolve) => http.close(() => resolve())) };
}

const scrape = async () => new ScrapedMetrics(await register.metrics());
const TOKEN: [number, object] = [200, { access_token: 'token-1', expires_in: 3600 }];
const ORDER: [number, object] = [200, { order: {} }];

describe('SpApiClient metrics: calls by operation and status, rate-limit waits, series of accounts gone', () => {
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

  it("counts LWA token requests in the client's stats as in the metrics (a run's apiCalls), refused ones too", async () => {
    const stub = await amazon({ token: () => [400, { error: 'invalid_grant', error_description: 'The request has an invalid grant parameter' }], call: () => ORDER });
    try {
      const client = new SpApiClient({ accountId: 'acc-refused', region: 'EU', endpoint: stub.url, lwaEndpoint: `${stub.url}/token`, clientId: 'id', clientSecret: 's', refreshToken: 'r' });
      for (const path of ['/orders/2026-01-01/orders/1', '/orders/2026-01-01/orders']) {
        await expect(client.request('getOrder', 'GET', path)).rejects.toMatchObject({ operation: 'lwaToken', status: 400, code: 'invalid_grant' });
      }
      const metrics = await scrape();
      expect(metrics.sum('connector_amazon_requests_total', { account_id: 'acc-refused', operation: 'lwaToken', status: '400' })).toBe(2);
      // Nothing reached the SP-API; the two token requests are the calls.
      expect(client.stats.calls).toEqual({ lwaToken: 2 });
    } finally {
      await stub.close();
    }
  });

  it("observes Amazon's Retry-After waits in the rate-limit histogram too, as the run's stats count them", async () => {
    let throttles = 1;
    const stub = await amazon({
      token: () => TOKEN,
      call: () => (throttles-- > 0 ? [429, { errors: [{ code: 'QuotaExceeded', message: 'slow down' }] }, { 'retry-after': '1' }] : ORDER),
    });
    try {
      const waits = async () => {
        const metrics = await scrape();
        return { count: metrics.histogramCount('connector_amazon_rate_limit_wait_seconds', { operation: 'getOrderItems' }), sum: metrics.sum('connector_amazon_rate_limit_wait_seconds_sum', { operation: 'getOrderItems' }) };
      };
      const before = await waits();
      const client = new SpApiClient({ accountId: 'acc-retry-after', region: 'EU', endpoint: stub.url, lwaEndpoint: `${stub.url}/token`, clientId: 'id', clientSecret: 's', refreshToken: 'r' }, { rateScale: 1000 });
      await client.request('getOrderItems', 'GET', '/orders/2026-01-01/orders/1/orderItems');
      const after = await waits();
      // Two bucket waits (one per try) and Amazon's 1 s.
      expect(after.count - before.count).toBe(3);
      expect(after.sum - before.sum).toBeGreaterThanOrEqual(1);
      expect(client.stats.rateLimitWaitMs).toBeGreaterThanOrEqual(1000);
    } finally {
      await stub.close();
    }
  });

  it('keeps a client per account keyed by its id (never its secrets), made anew when the credentials change, and drops the series of accounts gone', async () => {
    const stub = await amazon({ token: () => TOKEN, call: () => ORDER });
    try {
      const clients = new SpApiClients({ endpoints: new AmazonEndpoints([stub.url]) });
      const access = (accountId: string, refreshToken = 'Atzr|first-token'): SpApiAccess => ({
        accountId,
        region: 'EU',
        endpoint: stub.url,
        lwaEndpoint: `${stub.url}/token`,
        clientId: 'id',
        clientSecret: 'the-client-secret',
        refreshToken,
      });
      const first = clients.for(access('acc-kept'));
      expect(clients.for(access('acc-kept'))).toBe(first);
      expect(clients.for(access('acc-kept', 'Atzr|rotated'))).not.toBe(first);
      // The secrets are nowhere in what the cache keeps beside the clients.
      const kept = JSON.stringify([...(clients as unknown as { clients: Map<string, { fingerprint: string }> }).clients].map(([id, entry]) => [id, entry.fingerprint]));
      for (const secret of ['the-client-secret', 'Atzr|']) expect(kept).not.toContain(secret);

      await clients.for(access('acc-kept')).request('getOrder', 'GET', '/orders/2026-01-01/orders/1');
      await clients.for(access('acc-gone')).request('getOrder', 'GET', '/orders/2026-01-01/orders/1');
      expect((await scrape()).sum('connector_amazon_requests_total', { account_id: 'acc-gone' })).toBeGreaterThan(0);

      await clients.keepOnly(['acc-kept']);
      const metrics = await scrape();
      expect(metrics.samples('connector_amazon_requests_total', { account_id: 'acc-gone' })).toEqual([]);
      expect(metrics.sum('connector_amazon_requests_total', { account_id: 'acc-kept' })).toBeGreaterThan(0);
      expect(clients.accountIds()).toEqual(['acc-kept']);
    } finally {
      await stub.close();
    }
  });
});
