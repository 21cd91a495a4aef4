import { SandboxTestClient, TestSeller } from '../testing/sandbox-test-client';

const SEARCH = '/orders/2026-01-01/orders?createdAfter=2020-01-01T00:00:00Z';
const QUOTA_EXCEEDED = { errors: [{ code: 'QuotaExceeded', message: 'You exceeded your quota for the requested resource.', details: '' }] };
// 0.0056/s × 100: one call back every ~1.79 s, long enough that HTTP polling latency stays far below 5%.
const TIME_SCALE = 100;

describe('rate limits', () => {
  let sb: SandboxTestClient;
  let seller: TestSeller;
  let token: string;

  beforeAll(async () => {
    sb = await SandboxTestClient.start({ timeScale: TIME_SCALE });
    seller = await sb.seedSeller();
    token = await sb.accessToken(seller);
  });
  afterAll(() => sb.close());

  it('allows searchOrders\' burst of 20, answers 429 QuotaExceeded, then restores at 0.0056/s × timeScale (within 5%)', async () => {
    for (let i = 0; i < 20; i++) {
      const res = await sb.request('GET', SEARCH, { token });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-amzn-ratelimit-limit')).toBe('0.0056');
    }
    const throttled = await sb.request('GET', SEARCH, { token });
    expect(throttled.status).toBe(429);
    expect(throttled.body).toEqual(QUOTA_EXCEEDED);

    // Poll until each restored call goes through; the spacing between successes is the restore interval.
    const successes: number[] = [];
    const deadline = Date.now() + 15_000;
    while (successes.length < 4 && Date.now() < deadline) {
      const res = await sb.request('GET', SEARCH, { token });
      if (res.status === 200) successes.push(performance.now());
      else expect(res.status).toBe(429);
      await new Promise((r) => setImmediate(r));
    }
    expect(successes).toHaveLength(4);
    const intervals = successes.slice(1).map((t, i) => t - successes[i]);
    const mean = intervals.reduce((s, x) => s + x, 0) / intervals.length;
    const expected = 1000 / (0.0056 * TIME_SCALE);
    expect(Math.abs(mean - expected) / expected).toBeLessThan(0.05);

    const calls = await sb.request('GET', `/_sandbox/calls?sellerId=${seller.sellerId}`);
    expect(calls.body.operations.searchOrders.calls).toBeGreaterThan(25);
    expect(calls.body.operations.searchOrders.throttled).toBeGreaterThan(0);
  });

  it('meters per seller and per operation', async () => {
    const other = await sb.seedSeller({ sellerId: 'A2OTHER', refreshToken: 'Atzr|other' });
    const otherToken = await sb.accessToken(other);
    expect((await sb.request('GET', SEARCH, { token: otherToken })).status).toBe(200);
    // getOrder has its own bucket (404 here, but not throttled).
    expect((await sb.request('GET', '/orders/2026-01-01/orders/111-0000000-0000000', { token })).status).toBe(404);
  });

  it('confirmShipment allows a burst of 10', async () => {
    // At real speed: 2/s × 200 would refill faster than the test can call.
    await sb.request('POST', '/_sandbox/clock', { body: { timeScale: 1 } });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await sb.request('POST', '/orders/v0/orders/111-0000000-0000000/shipmentConfirmation', { token, body: {} })).status);
    expect(statuses.slice(0, 10).every((s) => s === 404)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  it('can be switched off and on through the control API', async () => {
    await sb.request('POST', '/_sandbox/clock', { body: { rateLimits: false, timeScale: 1 } });
    for (let i = 0; i < 40; i++) expect((await sb.request('GET', SEARCH, { token })).status).toBe(200);
    const clock = await sb.request('GET', '/_sandbox/clock');
    expect(clock.body).toEqual({ now: expect.any(String), timeScale: 1, rateLimits: false });
    await sb.request('POST', '/_sandbox/clock', { body: { rateLimits: true } });
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await sb.request('GET', SEARCH, { token })).status);
    expect(statuses).toContain(429);
  });

  it('advancing the clock refills buckets', async () => {
    await sb.request('POST', '/_sandbox/clock', { body: { advanceSeconds: 3600, rateLimits: true } });
    const token2 = await sb.accessToken(seller); // the old token expired with the hour
    for (let i = 0; i < 20; i++) expect((await sb.request('GET', SEARCH, { token: token2 })).status).toBe(200);
    expect((await sb.request('GET', SEARCH, { token: token2 })).status).toBe(429);
  });
});
