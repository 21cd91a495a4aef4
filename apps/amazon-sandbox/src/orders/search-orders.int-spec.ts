import { SandboxTestClient, TestSeller } from '../testing/sandbox-test-client';

const SEARCH = '/orders/2026-01-01/orders';

describe('searchOrders / getOrder (v2026-01-01)', () => {
  let sb: SandboxTestClient;
  let seller: TestSeller;
  let token: string;
  let orderIds: string[];

  beforeAll(async () => {
    sb = await SandboxTestClient.start({ rateLimits: false });
    seller = await sb.seedSeller({ marketplaceIds: ['A1PA6795UKMFR9', 'A1F83G8C2ARO7P', 'ATVPDKIKX0DER'] });
    token = await sb.accessToken(seller);
    orderIds = await sb.generate(seller.sellerId, { count: 250, seed: 'paging' });
    // Another seller's orders must never show up.
    const other = await sb.seedSeller({ sellerId: 'A2OTHER', refreshToken: 'Atzr|other' });
    await sb.generate(other.sellerId, { count: 20, seed: 'paging' });
  });
  afterAll(() => sb.close());

  async function searchAll(query: string, between?: (page: number, ids: string[]) => Promise<void>) {
    const seen: string[] = [];
    let next: string | undefined;
    let page = 0;
    let first: any;
    do {
      const res = await sb.request('GET', `${SEARCH}?${query}${next ? `&paginationToken=${encodeURIComponent(next)}` : ''}`, { token });
      expect(res.status).toBe(200);
      first ??= res.body;
      seen.push(...res.body.orders.map((o: any) => o.orderId));
      next = res.body.pagination?.nextToken;
      if (next && between) await between(page, seen);
      page++;
    } while (next);
    return { seen, first, pages: page };
  }

  it('returns every order exactly once across pages, sorted by lastUpdatedTime, and echoes the before-bound', async () => {
    const before = Date.now();
    const { seen, first, pages } = await searchAll('lastUpdatedAfter=2000-01-01T00:00:00Z&maxResultsPerPage=37');
    expect(pages).toBe(Math.ceil(250 / 37));
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...orderIds].sort());
    const bound = Date.parse(first.lastUpdatedBefore);
    expect(bound).toBeGreaterThanOrEqual(before - 120_000 - 1000);
    expect(bound).toBeLessThanOrEqual(Date.now() - 120_000);
    expect(first.createdBefore).toBeUndefined();
    const times = first.orders.map((o: any) => Date.parse(o.lastUpdatedTime));
    expect(times).toEqual([...times].sort((a: number, b: number) => a - b));
  });

  it('still returns each order exactly once while orders change between pages, with their current data', async () => {
    const all = await sb.request('GET', `/_sandbox/sellers/${seller.sellerId}/orders`);
    const unshipped = all.body.orders.filter((o: any) => o.fulfillmentStatus === 'UNSHIPPED').map((o: any) => o.orderId);
    const changed: string[] = [];
    const { seen } = await searchAll('lastUpdatedAfter=2000-01-01T00:00:00Z&maxResultsPerPage=50&includedData=FULFILLMENT', async (_page, seenSoFar) => {
      // Touch orders both already seen and not yet seen; each moves to the end of the update order.
      for (const id of unshipped.filter((x: string) => !changed.includes(x)).slice(0, 3)) {
        const res = await sb.request('POST', `/_sandbox/orders/${id}/status`, { body: { status: 'CANCELLED', cancelledBy: 'BUYER' } });
        expect(res.status).toBe(200);
        changed.push(id);
      }
      const seenChanged = changed.filter((id) => seenSoFar.includes(id));
      expect(seenChanged.length).toBeLessThanOrEqual(changed.length);
    });
    expect(changed.length).toBeGreaterThan(3);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...orderIds].sort());
  });

  it('pages show current data: an order changed after the first page comes back changed', async () => {
    const first = await sb.request('GET', `${SEARCH}?createdAfter=2000-01-01T00:00:00Z&maxResultsPerPage=1&includedData=FULFILLMENT`, { token });
    expect(first.body.createdBefore).toBeDefined();
    const second = await sb.request('GET', `${SEARCH}?paginationToken=${encodeURIComponent(first.body.pagination.nextToken)}`, { token });
    const id = second.body.orders[0].orderId;
    await sb.request('POST', `/_sandbox/orders/${id}/status`, { body: { status: 'UNSHIPPED' } });
    // The same token again returns the same page (retry-safe), now with the new status.
    const again = await sb.request('GET', `${SEARCH}?paginationToken=${encodeURIComponent(first.body.pagination.nextToken)}&includedData=FULFILLMENT`, { token });
    expect(again.body.orders[0].orderId).toBe(id);
    expect(again.body.orders[0].fulfillment.fulfillmentStatus).toBe('UNSHIPPED');
  });

  it('filters by marketplace, status and fulfilledBy (lists comma-separated or repeated)', async () => {
    const comma = await searchAll('lastUpdatedAfter=2000-01-01T00:00:00Z&marketplaceIds=A1PA6795UKMFR9,A1F83G8C2ARO7P&fulfilledBy=MERCHANT&fulfillmentStatuses=UNSHIPPED,PARTIALLY_SHIPPED&includedData=FULFILLMENT');
    const repeated = await searchAll('lastUpdatedAfter=2000-01-01T00:00:00Z&marketplaceIds=A1PA6795UKMFR9&marketplaceIds=A1F83G8C2ARO7P&fulfilledBy=MERCHANT&fulfillmentStatuses=UNSHIPPED&fulfillmentStatuses=PARTIALLY_SHIPPED');
    expect(repeated.seen.sort()).toEqual(comma.seen.sort());
    expect(comma.seen.length).toBeGreaterThan(5);
    for (const o of comma.first.orders) {
      expect(['A1PA6795UKMFR9', 'A1F83G8C2ARO7P']).toContain(o.salesChannel.marketplaceId);
      expect(o.fulfillment.fulfilledBy).toBe('MERCHANT');
      expect(['UNSHIPPED', 'PARTIALLY_SHIPPED']).toContain(o.fulfillment.fulfillmentStatus);
    }
  });

  it('includedData decides which sections appear; orderItems always carry id, quantity and product', async () => {
    const bare = await sb.request('GET', `${SEARCH}?lastUpdatedAfter=2000-01-01T00:00:00Z&maxResultsPerPage=5`, { token });
    for (const o of bare.body.orders) {
      expect(o.buyer).toBeUndefined();
      expect(o.recipient).toBeUndefined();
      expect(o.proceeds).toBeUndefined();
      expect(o.fulfillment).toBeUndefined();
      expect(o.salesChannel).toBeDefined();
      for (const i of o.orderItems) {
        expect(i).toEqual(expect.objectContaining({ orderItemId: expect.any(String), quantityOrdered: expect.any(Number), product: expect.any(Object) }));
        expect(i.proceeds).toBeUndefined();
      }
    }
    const full = await sb.request('GET', `${SEARCH}?lastUpdatedAfter=2000-01-01T00:00:00Z&fulfillmentStatuses=SHIPPED&fulfilledBy=MERCHANT&includedData=BUYER,RECIPIENT,PROCEEDS,FULFILLMENT,PACKAGES`, { token });
    const o = full.body.orders[0];
    expect(o.buyer.buyerEmail).toBeDefined();
    expect(o.recipient.deliveryAddress.countryCode).toBeDefined();
    expect(o.proceeds.grandTotal.amount).toMatch(/^\d+\.\d{2}$/);
    expect(o.packages.length).toBeGreaterThan(0);
  });

  it('getOrder returns one order with includedData and 404s for unknown or foreign orders', async () => {
    const id = orderIds[0];
    const res = await sb.request('GET', `${SEARCH}/${id}?includedData=BUYER,PROCEEDS`, { token });
    expect(res.status).toBe(200);
    expect(res.body.order.orderId).toBe(id);
    expect(res.body.order.buyer).toBeDefined();
    expect(res.headers.get('x-amzn-ratelimit-limit')).toBe('0.5');
    const missing = await sb.request('GET', `${SEARCH}/999-0000000-0000000`, { token });
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0].code).toBe('NotFound');
    const foreign = (await sb.request('GET', '/_sandbox/sellers/A2OTHER/orders')).body.orders[0].orderId;
    expect((await sb.request('GET', `${SEARCH}/${foreign}`, { token })).status).toBe(404);
  });

  it.each([
    ['neither createdAfter nor lastUpdatedAfter', ''],
    ['both createdAfter and lastUpdatedAfter', 'createdAfter=2020-01-01T00:00:00Z&lastUpdatedAfter=2020-01-01T00:00:00Z'],
    ['createdAfter with lastUpdatedBefore', 'createdAfter=2020-01-01T00:00:00Z&lastUpdatedBefore=2021-01-01T00:00:00Z'],
    ['a non-ISO date', 'createdAfter=yesterday'],
    ['a before-bound less than 2 minutes ago', `lastUpdatedAfter=2020-01-01T00:00:00Z&lastUpdatedBefore=${new Date(Date.now() - 30_000).toISOString()}`],
    ['after later than before', 'createdAfter=2021-01-01T00:00:00Z&createdBefore=2020-01-01T00:00:00Z'],
    ['maxResultsPerPage 0', 'createdAfter=2020-01-01T00:00:00Z&maxResultsPerPage=0'],
    ['maxResultsPerPage 101', 'createdAfter=2020-01-01T00:00:00Z&maxResultsPerPage=101'],
    ['an unknown fulfillment status', 'createdAfter=2020-01-01T00:00:00Z&fulfillmentStatuses=LOST'],
    ['an unknown fulfilledBy', 'createdAfter=2020-01-01T00:00:00Z&fulfilledBy=BOTH'],
    ['an unknown includedData', 'createdAfter=2020-01-01T00:00:00Z&includedData=EVERYTHING'],
    ['a made-up paginationToken', 'paginationToken=bm9wZTox'],
  ])('answers 400 InvalidInput for %s', async (_label, query) => {
    const res = await sb.request('GET', `${SEARCH}?${query}`, { token });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errors: [{ code: 'InvalidInput', message: expect.any(String), details: expect.any(String) }] });
  });

  it('does not show orders updated within the last two minutes until the clock moves on', async () => {
    const id = orderIds[5];
    await sb.request('POST', `/_sandbox/orders/${id}/status`, { body: { status: 'SHIPPED' } });
    const since = new Date(Date.now() - 60 * 60_000).toISOString();
    const now = await searchAll(`lastUpdatedAfter=${since}`);
    expect(now.seen).not.toContain(id);
    await sb.request('POST', '/_sandbox/clock', { body: { advanceSeconds: 121 } });
    const later = await searchAll(`lastUpdatedAfter=${since}`);
    expect(later.seen).toContain(id);
  });
});
