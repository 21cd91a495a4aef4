import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { AmazonEndpoints } from './amazon-endpoints';
import { CallNotStartedError, retryAfterMs, SpApiClient, SpApiClients, SpApiError } from './sp-api-client';

/** A real HTTP server whose every answer the test writes; it records what reached it. */
async function server(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ url: string; received: string[]; close: () => Promise<void> }> {
  const received: string[] = [];
  const http: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push(`${req.method} ${req.url} ${body}`);
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise((resolve) => http.close(() => resolve())) };
}

const SECRET = 'client-secret-never-elsewhere';
const REFRESH = 'Atzr|refresh-never-elsewhere';

describe('SpApiClient: secrets reach only the endpoint named, and errors keep no body', () => {
  let evil: Awaited<ReturnType<typeof server>>;
  beforeEach(async () => {
    evil = await server((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"stolen","expires_in":3600}'));
  });
  afterEach(() => evil.close());

  it('does not follow a redirect of the LWA endpoint (the refresh token stays where it was sent)', async () => {
    const redirecting = await server((_req, res) => res.writeHead(307, { location: `${evil.url}/token` }).end());
    try {
      const client = new SpApiClient({ accountId: 'a', region: 'EU', endpoint: redirecting.url, lwaEndpoint: `${redirecting.url}/token`, clientId: 'id', clientSecret: SECRET, refreshToken: REFRESH });
      const error: SpApiError = await client.accessToken().catch((err) => err);
      expect(error).toBeInstanceOf(SpApiError);
      expect(error.code).toBe('RedirectRefused');
      expect(redirecting.received).toHaveLength(1);
      expect(evil.received).toEqual([]);
    } finally {
      await redirecting.close();
    }
  });

  it('does not follow a redirect of an SP-API call (the access token stays where it was sent), and does not retry it', async () => {
    const redirecting = await server((req, res) => {
      if (req.url === '/token') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"token-1","expires_in":3600}');
      res.writeHead(302, { location: `${evil.url}/orders` }).end();
    });
    try {
      const client = new SpApiClient({ accountId: 'a', region: 'EU', endpoint: redirecting.url, lwaEndpoint: `${redirecting.url}/token`, clientId: 'id', clientSecret: SECRET, refreshToken: REFRESH });
      const error: SpApiError = await client.request('getOrder', 'GET', '/orders/2026-01-01/orders/1').catch((err) => err);
      expect(error.code).toBe('RedirectRefused');
      expect(error.retriable).toBe(false);
      expect(evil.received).toEqual([]);
    } finally {
      await redirecting.close();
    }
  });

  it('keeps none of an error answer but the bounded fields of Amazon\'s error model', async () => {
    const echoing = await server((req, res, body) => {
      if (req.url === '/token') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"token-1","expires_in":3600}');
      // A host that echoes what it was sent: the error must not carry it on.
      if (req.url?.startsWith('/text')) return res.writeHead(400, { 'content-type': 'text/plain' }).end(`you sent ${req.headers['x-amz-access-token']} ${body}`);
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'InvalidInput', message: 'bad', details: 'x'.repeat(5000) }], echo: req.headers['x-amz-access-token'] }));
    });
    try {
      const client = new SpApiClient({ accountId: 'a', region: 'EU', endpoint: echoing.url, lwaEndpoint: `${echoing.url}/token`, clientId: 'id', clientSecret: SECRET, refreshToken: REFRESH });
      const plain: SpApiError = await client.request('getOrder', 'GET', '/text').catch((err) => err);
      expect(plain.message).not.toContain('token-1');
      expect(plain.body).toBeUndefined();
      const json: SpApiError = await client.request('getOrder', 'GET', '/json').catch((err) => err);
      expect(json.code).toBe('InvalidInput');
      expect(JSON.stringify(json.body)).not.toContain('token-1');
      expect(json.body!.errors[0].details!.length).toBeLessThanOrEqual(300);
    } finally {
      await echoing.close();
    }
  });

  it('gives up a call that does not answer within its timeout', async () => {
    const silent = await server(() => undefined);
    try {
      const client = new SpApiClient({ accountId: 'a', region: 'EU', endpoint: silent.url, lwaEndpoint: `${silent.url}/token`, clientId: 'id', clientSecret: SECRET, refreshToken: REFRESH }, { requestTimeoutMs: 200 });
      const error: SpApiError = await client.accessToken().catch((err) => err);
      expect(error.code).toBe('NetworkError');
    } finally {
      await silent.close();
    }
  });

  it('refuses a client for an account that points at a host nobody allowed, before anything is sent', async () => {
    const clients = new SpApiClients({ endpoints: new AmazonEndpoints() });
    expect(() => clients.for({ accountId: 'a', region: 'EU', endpoint: evil.url, lwaEndpoint: `${evil.url}/token`, clientId: 'id', clientSecret: SECRET, refreshToken: REFRESH })).toThrow(/not allowed/);
    const allowed = new SpApiClients({ endpoints: new AmazonEndpoints([evil.url]) });
    expect(allowed.for({ accountId: 'a', region: 'EU', endpoint: evil.url, lwaEndpoint: `${evil.url}/token`, clientId: 'id', clientSecret: SECRET, refreshToken: REFRESH })).toBeInstanceOf(SpApiClient);
    expect(evil.received).toEqual([]);
  });

  it('keeps the path of an endpoint below a path (an allowed stand-in there): calls never leave it', async () => {
    const proxy = await server((req, res) => {
      if (req.url === '/tenant-a/token') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"token-1","expires_in":3600}');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    try {
      const client = new SpApiClient({ accountId: 'a', region: 'EU', endpoint: `${proxy.url}/tenant-a/`, lwaEndpoint: `${proxy.url}/tenant-a/token`, clientId: 'id', clientSecret: SECRET, refreshToken: REFRESH });
      await client.request('getOrder', 'GET', '/orders/2026-01-01/orders/1');
      expect(proxy.received.map((r) => r.split(' ')[1])).toEqual(['/tenant-a/token', '/tenant-a/orders/2026-01-01/orders/1']);
    } finally {
      await proxy.close();
    }
  });
});

describe('SpApiClient: a call withdrawn before it went out', () => {
  it('gives its quota token back: nobody waits for a call that is not made', async () => {
    const amazon = await server((req, res) => {
      if (req.url === '/token') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"token-1","expires_in":3600}');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    try {
      const client = new SpApiClient({ accountId: 'a', region: 'EU', endpoint: amazon.url, lwaEndpoint: `${amazon.url}/token`, clientId: 'id', clientSecret: SECRET, refreshToken: REFRESH });
      // searchOrders: burst 20 (19 kept), a token a minute. 19 withdrawn calls leave the burst whole.
      for (let i = 0; i < 19; i++) {
        await expect(client.request('searchOrders', 'GET', '/orders/2026-01-01/orders', { mayStart: () => false })).rejects.toBeInstanceOf(CallNotStartedError);
      }
      expect(await client.quotaWaitMs('searchOrders', 19)).toBe(0);
      expect(amazon.received.filter((r) => !r.includes('/token'))).toEqual([]);
    } finally {
      await amazon.close();
    }
  });
});

describe('SpApiClient: retries', () => {
  it('waits at least its back-off after a 5xx, whatever Retry-After says (0 from a proxy), and makes one call without retries', async () => {
    const seen: number[] = [];
    const amazon = await server((req, res) => {
      if (req.url === '/token') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"token-1","expires_in":3600}');
      seen.push(Date.now());
      if (seen.length === 1) return res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' }).end('{"errors":[{"code":"ServiceUnavailable","message":"later"}]}');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    // The jitter's draw at its top: the first back-off is then its whole ceiling of 250 ms.
    const random = jest.spyOn(Math, 'random').mockReturnValue(1);
    try {
      const access = { accountId: 'a', region: 'EU' as const, endpoint: amazon.url, lwaEndpoint: `${amazon.url}/token`, clientId: 'id', clientSecret: SECRET, refreshToken: REFRESH };
      const client = new SpApiClient(access);
      expect(await client.request('getOrder', 'GET', '/orders/2026-01-01/orders/1')).toEqual({ ok: true });
      expect(seen).toHaveLength(2);
      expect(seen[1] - seen[0]).toBeGreaterThanOrEqual(240);

      seen.length = 0;
      const once = new SpApiClient({ ...access, accountId: 'b' }, { maxRetries: 0 });
      await expect(once.request('getOrder', 'GET', '/orders/2026-01-01/orders/1')).rejects.toMatchObject({ status: 503 });
      expect(seen).toHaveLength(1);
      expect(once.stats.retried).toBe(0);
    } finally {
      random.mockRestore();
      await amazon.close();
    }
  });

  it('waits as long as Amazon\'s Retry-After says after a 429 and a 503, and counts the 429 wait as a rate-limit wait', async () => {
    const seen: number[] = [];
    let calls = 0;
    const amazon = await server((req, res) => {
      if (req.url === '/token') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"token-1","expires_in":3600}');
      seen.push(Date.now());
      calls++;
      if (calls === 1) return res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' }).end('{"errors":[{"code":"QuotaExceeded","message":"slow down"}]}');
      if (calls === 2) return res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' }).end('{"errors":[{"code":"ServiceUnavailable","message":"later"}]}');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    try {
      // getOrder's bucket (0.5/s) restores a token in about 2 s after the 429 drained it; the
      // scale makes that 20 ms, so the waits seen here are Amazon's Retry-After of 1 s.
      const client = new SpApiClient({ accountId: 'a', region: 'EU', endpoint: amazon.url, lwaEndpoint: `${amazon.url}/token`, clientId: 'id', clientSecret: SECRET, refreshToken: REFRESH }, { rateScale: 100 });
      expect(await client.request('getOrder', 'GET', '/orders/2026-01-01/orders/1')).toEqual({ ok: true });
      expect(seen).toHaveLength(3);
      expect(seen[1] - seen[0]).toBeGreaterThanOrEqual(990);
      expect(seen[2] - seen[1]).toBeGreaterThanOrEqual(990);
      expect(client.stats.throttled).toBe(1);
      expect(client.stats.retried).toBe(2);
      expect(client.stats.rateLimitWaits).toBeGreaterThanOrEqual(1);
      expect(client.stats.rateLimitWaitMs).toBeGreaterThanOrEqual(1000);
    } finally {
      await amazon.close();
    }
  });

  it('reads Retry-After as seconds or an HTTP date, bounded, and ignores what it cannot read', () => {
    const now = Date.parse('2026-12-07T05:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Mon, 07 Dec 2026 05:00:10 GMT', now)).toBe(10_000);
    expect(retryAfterMs('Mon, 07 Dec 2026 04:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('999999', now)).toBe(15 * 60_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
