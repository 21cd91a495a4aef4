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

/** The calls counted so far, by operation and status (the counter is the process's: tests compare before and after). */
const calls = async (operation: string, status: string) => (await scrape()).sum('connector_amazon_requests_total', { operation, status });

describe('SpApiClient metrics: calls by operation and status, rate-limit waits, as many series for 200 accounts as for 2', () => {
  it('counts each try with its status (429s too) and the wait for the token bucket', async () => {
    let throttles = 2;
    const stub = await amazon({ token: () => TOKEN, call: () => (throttles-- > 0 ? [429, { errors: [{ code: 'QuotaExceeded', message: 'slow down' }] }] : ORDER) });
    try {
      const client = new SpApiClient(
        { accountId: 'acc-calls', region: 'EU', endpoint: stub.url, lwaEndpoint: `${stub.url}/token`, clientId: 'id', clientSecret: 's', refreshToken: 'r' },
        // getOrder at 0.5/s, 50 times faster: a drained bucket refills in 40 ms.
        { rateScale: 50 },
      );
      const before = { throttled: await calls('getOrder', '429'), ok: await calls('getOrder', '200'), token: await calls('lwaToken', '200') };
      await client.request('getOrder', 'GET', '/orders/2026-01-01/orders/1');
      const metrics = await scrape();
      expect((await calls('getOrder', '429')) - before.throttled).toBe(2);
      expect((await calls('getOrder', '200')) - before.ok).toBe(1);
      expect((await calls('lwaToken', '200')) - before.token).toBe(1);
      expect(metrics.samples('connector_amazon_requests_total').every((sample) => !('account_id' in sample.labels))).toBe(true);
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
      const before = await calls('lwaToken', '400');
      for (const path of ['/orders/2026-01-01/orders/1', '/orders/2026-01-01/orders']) {
        await expect(client.request('getOrder', 'GET', path)).rejects.toMatchObject({ operation: 'lwaToken', status: 400, code: 'invalid_grant' });
      }
      expect((await calls('lwaToken', '400')) - before).toBe(2);
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

  it('keeps a client per account keyed by its id (never its secrets), made anew when the credentials change, dropped when its account is gone', async () => {
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

      clients.for(access('acc-gone'));
      clients.keepOnly(['acc-kept']);
      expect(clients.accountIds()).toEqual(['acc-kept']);
      clients.forget('acc-kept');
      expect(clients.accountIds()).toEqual([]);
    } finally {
      await stub.close();
    }
  });

  it('has as many series of Amazon calls after calls of 200 accounts as after calls of 2', async () => {
    const stub = await amazon({ token: () => TOKEN, call: () => ORDER });
    try {
      const clients = new SpApiClients({ endpoints: new AmazonEndpoints([stub.url]) });
      const callsOf = async (accounts: number) => {
        for (let i = 0; i < accounts; i++) {
          const access: SpApiAccess = { accountId: `acc-many-${i}`, region: 'EU', endpoint: stub.url, lwaEndpoint: `${stub.url}/token`, clientId: 'id', clientSecret: 's', refreshToken: 'r' };
          await clients.for(access).request('getOrder', 'GET', '/orders/2026-01-01/orders/1');
        }
        return scrape();
      };
      const seriesOf = (metrics: ScrapedMetrics) => metrics.samples('connector_amazon_requests_total').length;
      const afterTwo = await callsOf(2);
      const twoCalls = afterTwo.sum('connector_amazon_requests_total', { operation: 'getOrder', status: '200' });
      const afterMany = await callsOf(200);
      expect(afterMany.sum('connector_amazon_requests_total', { operation: 'getOrder', status: '200' }) - twoCalls).toBe(200);
      expect(seriesOf(afterMany)).toBe(seriesOf(afterTwo));
      expect(afterMany.text.split('\n').length).toBe(afterTwo.text.split('\n').length);
    } finally {
      await stub.close();
    }
  });
});
