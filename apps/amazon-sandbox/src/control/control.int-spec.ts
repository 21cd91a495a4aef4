import { SandboxTestClient, TestSeller } from '../testing/sandbox-test-client';

const SEARCH = '/orders/2026-01-01/orders?createdAfter=2020-01-01T00:00:00Z';

describe('control API (/_sandbox)', () => {
  let sb: SandboxTestClient;
  let seller: TestSeller;
  let token: string;

  beforeAll(async () => {
    sb = await SandboxTestClient.start({ rateLimits: false });
  });
  beforeEach(async () => {
    await sb.request('POST', '/_sandbox/reset');
    seller = await sb.seedSeller();
    token = await sb.accessToken(seller);
  });
  afterAll(() => sb.close());

  it('upserts sellers idempotently and never returns secrets', async () => {
    const res = await sb.request('POST', '/_sandbox/sellers', { body: { ...seller, marketplaceIds: ['A1F83G8C2ARO7P'] } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ sellerId: seller.sellerId, clientId: seller.clientId, marketplaceIds: ['A1F83G8C2ARO7P'], createdAt: expect.any(String) });
    expect(JSON.stringify(res.body)).not.toContain(seller.clientSecret);
    expect(JSON.stringify(res.body)).not.toContain(seller.refreshToken);
    const list = await sb.request('GET', '/_sandbox/sellers');
    expect(list.body.sellers).toHaveLength(1);
  });

  it('rejects invalid bodies with 400 naming each failing field', async () => {
    const res = await sb.request('POST', '/_sandbox/sellers', { body: { sellerId: '', marketplaceIds: 'DE' } });
    expect(res.status).toBe(400);
    const text = res.body.message.join(' | ');
    for (const field of ['sellerId', 'clientId', 'clientSecret', 'refreshToken', 'marketplaceIds']) expect(text).toContain(field);
    const gen = await sb.request('POST', `/_sandbox/sellers/${seller.sellerId}/orders/generate`, { body: { count: 0, fulfilledBy: 'ROBOTS', statuses: ['LOST'], marketplaceIds: ['XX'] } });
    expect(gen.status).toBe(400);
    const genText = gen.body.message.join(' | ');
    for (const field of ['count', 'fulfilledBy', 'statuses', 'marketplaceIds']) expect(genText).toContain(field);
    expect((await sb.request('POST', '/_sandbox/clock', { body: { timeScale: -1 } })).status).toBe(400);
    expect((await sb.request('POST', '/_sandbox/faults', { body: { status: 418 } })).status).toBe(400);
    expect((await sb.request('POST', '/_sandbox/sellers/nobody/orders/generate', { body: { count: 1 } })).status).toBe(404);
  });

  it('generates deterministically: same seed and params give the same orders', async () => {
    const body = { count: 30, seed: 'fixed', fulfilledBy: 'MERCHANT' };
    const first = await sb.generate(seller.sellerId, body);
    const a = (await sb.request('GET', `/_sandbox/orders/${first[7]}`)).body.order;
    await sb.request('POST', '/_sandbox/reset');
    await sb.seedSeller();
    const second = await sb.generate(seller.sellerId, body);
    expect(second).toEqual(first);
    const b = (await sb.request('GET', `/_sandbox/orders/${first[7]}`)).body.order;
    const strip = (o: any) => JSON.stringify(o, (k, v) => (/Time$|DateTime$/.test(k) ? undefined : v));
    expect(strip(b)).toEqual(strip(a));
    const list = await sb.request('GET', `/_sandbox/sellers/${seller.sellerId}/orders`);
    expect(list.body.orders).toHaveLength(30);
    expect(list.body.orders[0]).toEqual(expect.objectContaining({ orderId: expect.any(String), fulfillmentStatus: expect.any(String) }));
  });

  it('moves orders through their life and stamps lastUpdatedTime with sandbox now', async () => {
    const [id] = await sb.generate(seller.sellerId, { count: 1, seed: 'life', fulfilledBy: 'MERCHANT', statuses: ['PENDING'] });
    const pending = await sb.request('GET', `/orders/2026-01-01/orders/${id}?includedData=PROCEEDS`, { token });
    expect(pending.body.order.proceeds).toBeUndefined();
    await sb.request('POST', '/_sandbox/clock', { body: { advanceSeconds: 600 } });
    const moved = await sb.request('POST', `/_sandbox/orders/${id}/status`, { body: { status: 'UNSHIPPED' } });
    expect(moved.status).toBe(200);
    const clock = (await sb.request('GET', '/_sandbox/clock')).body;
    expect(Math.abs(Date.parse(moved.body.order.lastUpdatedTime) - Date.parse(clock.now))).toBeLessThan(2000);
    expect(Date.parse(clock.now) - Date.now()).toBeGreaterThan(599_000);
    const unshipped = await sb.request('GET', `/orders/2026-01-01/orders/${id}?includedData=PROCEEDS,FULFILLMENT`, { token });
    expect(unshipped.body.order.proceeds.grandTotal).toBeDefined();
    await sb.request('POST', `/_sandbox/orders/${id}/status`, { body: { status: 'SHIPPED' } });
    const shipped = (await sb.request('GET', `/_sandbox/orders/${id}`)).body.order;
    expect(shipped.fulfillment.fulfillmentStatus).toBe('SHIPPED');
    expect(shipped.packages.length).toBe(1);
    await sb.request('POST', `/_sandbox/orders/${id}/status`, { body: { status: 'CANCELLED', cancelledBy: 'MERCHANT' } });
    const cancelled = await sb.request('GET', `/orders/2026-01-01/orders/${id}?includedData=CANCELLATION,FULFILLMENT`, { token });
    expect(cancelled.body.order.fulfillment.fulfillmentStatus).toBe('CANCELLED');
    expect(cancelled.body.order.orderItems[0].cancellation.cancellationExecution.cancelledBy).toBe('MERCHANT');
    expect((await sb.request('POST', '/_sandbox/orders/000-0000000-0000000/status', { body: { status: 'SHIPPED' } })).status).toBe(404);
  });

  it('ships an FBM order outside any client (Seller Central): quantities, status and lastUpdatedTime change, no confirmation is logged', async () => {
    const [id] = await sb.generate(seller.sellerId, { count: 1, seed: 'outside', fulfilledBy: 'MERCHANT', statuses: ['UNSHIPPED'] });
    const before = (await sb.request('GET', `/_sandbox/orders/${id}`)).body.order;
    const [first] = before.orderItems;
    await sb.request('POST', '/_sandbox/clock', { body: { advanceSeconds: 60 } });
    const one = await sb.request('POST', `/_sandbox/orders/${id}/ship-outside`, { body: { items: [{ orderItemId: first.orderItemId, quantity: 1 }] } });
    expect(one.status).toBe(200);
    const shippedOne = one.body.order;
    expect(shippedOne.orderItems[0].fulfillment).toMatchObject({ quantityFulfilled: 1, quantityUnfulfilled: first.quantityOrdered - 1 });
    const units = before.orderItems.reduce((sum: number, item: any) => sum + item.quantityOrdered, 0);
    expect(shippedOne.fulfillment.fulfillmentStatus).toBe(units === 1 ? 'SHIPPED' : 'PARTIALLY_SHIPPED');
    expect(Date.parse(shippedOne.lastUpdatedTime)).toBeGreaterThan(Date.parse(before.lastUpdatedTime));
    if (units > 1) expect((await sb.request('POST', `/_sandbox/orders/${id}/ship-outside`, { body: {} })).body.order.fulfillment.fulfillmentStatus).toBe('SHIPPED');
    const again = await sb.request('POST', `/_sandbox/orders/${id}/ship-outside`, { body: {} });
    expect(again.status).toBe(400);
    expect((await sb.request('GET', `/_sandbox/shipments?orderId=${id}`)).body.shipments).toEqual([]);
    const bad = await sb.request('POST', `/_sandbox/orders/${id}/ship-outside`, { body: { items: [{ quantity: -1 }], extra: true } });
    expect(bad.status).toBe(400);
    expect(bad.body.message.join(' | ')).toMatch(/orderItemId/);
  });

  it('injects server errors a given number of times, then recovers', async () => {
    const res = await sb.request('POST', '/_sandbox/faults', { body: { operation: 'searchOrders', status: 503, count: 2 } });
    expect(res.status).toBe(201);
    const a = await sb.request('GET', SEARCH, { token });
    const b = await sb.request('GET', SEARCH, { token });
    const c = await sb.request('GET', SEARCH, { token });
    expect([a.status, b.status, c.status]).toEqual([503, 503, 200]);
    expect(a.body.errors[0].code).toBe('ServiceUnavailable');
    // Other operations are untouched.
    await sb.request('POST', '/_sandbox/faults', { body: { status: 500, sellerId: 'someone-else' } });
    expect((await sb.request('GET', SEARCH, { token })).status).toBe(200);
    const calls = (await sb.request('GET', `/_sandbox/calls?sellerId=${seller.sellerId}`)).body;
    expect(calls.operations.searchOrders).toEqual({ received: 4, calls: 4, throttled: 0, errors: 2 });
  });

  it('sends an injected 5xx without Retry-After, as Amazon does; DELETE /faults/:id ends that rule alone', async () => {
    const away = (await sb.request('POST', '/_sandbox/faults', { body: { operation: 'searchOrders', status: 503 } })).body.rule;
    await sb.request('POST', '/_sandbox/faults', { body: { status: 500, sellerId: 'someone-else' } });
    const refused = await sb.request('GET', SEARCH, { token });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBeNull();
    expect((await sb.request('DELETE', `/_sandbox/faults/${away.id}`)).body.rules).toEqual([expect.objectContaining({ sellerId: 'someone-else' })]);
    expect((await sb.request('GET', SEARCH, { token })).status).toBe(200);
    expect((await sb.request('DELETE', `/_sandbox/faults/${away.id}`)).status).toBe(404);
    await sb.request('DELETE', '/_sandbox/faults');
  });

  it('injects 429 storms and latency; DELETE clears faults', async () => {
    await sb.request('POST', '/_sandbox/faults', { body: { throttleStorm: { count: 3 } } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await sb.request('GET', SEARCH, { token })).status);
    expect(statuses).toEqual([429, 429, 429, 200]);
    await sb.request('POST', '/_sandbox/faults', { body: { operation: '*', latencyMs: 300 } });
    const t0 = performance.now();
    expect((await sb.request('GET', SEARCH, { token })).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    await sb.request('DELETE', '/_sandbox/faults');
    const t1 = performance.now();
    await sb.request('GET', SEARCH, { token });
    expect(performance.now() - t1).toBeLessThan(250);
    expect((await sb.request('GET', '/_sandbox/faults')).body).toEqual({ rules: [], malformedOrderIds: [] });
  });

  it('serves malformed records for chosen orders', async () => {
    const ids = await sb.generate(seller.sellerId, { count: 3, seed: 'broken', statuses: ['SHIPPED'] });
    await sb.request('POST', '/_sandbox/faults', { body: { malformedOrderIds: [ids[1]] } });
    const res = await sb.request('GET', `${SEARCH}&includedData=PROCEEDS`, { token });
    const broken = res.body.orders.find((o: any) => o.orderId === ids[1]);
    const fine = res.body.orders.find((o: any) => o.orderId === ids[0]);
    expect(broken.salesChannel).toBeUndefined();
    expect(Number.isNaN(Number(broken.proceeds.grandTotal.amount))).toBe(true);
    expect(fine.salesChannel).toBeDefined();
  });

  it('reset clears sellers, orders and tokens', async () => {
    await sb.generate(seller.sellerId, { count: 5, seed: 'r' });
    await sb.request('POST', '/_sandbox/reset');
    expect((await sb.request('GET', '/_sandbox/sellers')).body.sellers).toHaveLength(0);
    expect((await sb.request('GET', SEARCH, { token })).status).toBe(403);
  });
});
