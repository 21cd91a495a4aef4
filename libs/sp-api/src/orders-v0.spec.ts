import { getOrderItems, getOrders, V0_RESTRICTED_RESOURCES } from './orders-v0';
import { SpApiClient } from './sp-api-client';

interface Seen {
  method: string;
  url: URL;
  token: string | null;
  body: any;
}

/** A fake Amazon behind `fetch`: LWA, Tokens and Orders v0, answering from `routes`. */
function fakeAmazon(routes: (req: Seen) => { status?: number; body?: unknown } | undefined) {
  const seen: Seen[] = [];
  let rdts = 0;
  const fetchMock = jest.spyOn(globalThis, 'fetch').mockImplementation(async (input: any, init: any = {}) => {
    const url = new URL(String(input));
    const headers = init.headers ?? {};
    const req: Seen = { method: init.method ?? 'GET', url, token: headers['x-amz-access-token'] ?? null, body: typeof init.body === 'string' ? JSON.parse(init.body) : init.body };
    seen.push(req);
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    if (url.pathname === '/auth/o2/token') return json(200, { access_token: 'Atza|lwa', expires_in: 3600 });
    if (url.pathname === '/tokens/2021-03-01/restrictedDataToken') {
      rdts++;
      return json(200, { restrictedDataToken: `Atz.sprdt|${rdts}`, expiresIn: 3600 });
    }
    const answer = routes(req);
    if (!answer) return json(404, { errors: [{ code: 'NotFound', message: `no route for ${url.pathname}` }] });
    return json(answer.status ?? 200, answer.body);
  });
  return { seen, fetchMock, calls: (path: string) => seen.filter((r) => r.url.pathname === path) };
}

const client = () =>
  new SpApiClient({ accountId: 'acc-1', endpoint: 'https://sp.example.test', lwaEndpoint: 'https://sp.example.test/auth/o2/token', clientId: 'c', clientSecret: 's', refreshToken: 'r' }, { maxRetries: 0 });

const item = (id: string) => ({ ASIN: 'B000TEST01', OrderItemId: id, SellerSKU: `SKU-${id}`, QuantityOrdered: 1 });

describe('Orders v0 client', () => {
  afterEach(() => jest.restoreAllMocks());

  it('getOrders asks with Amazon v0 names, through the restricted data token, and repeats the filters with NextToken', async () => {
    const amazon = fakeAmazon((req) =>
      req.url.pathname === '/orders/v0/orders' ? { body: { payload: { Orders: [{ AmazonOrderId: '028-0000001-0000001' }], NextToken: 'page-2', LastUpdatedBefore: '2026-11-27T10:00:00Z' } } } : undefined,
    );
    const c = client();
    const page = await getOrders(c, { lastUpdatedAfter: '2026-11-20T00:00:00.000Z', marketplaceIds: ['A1PA6795UKMFR9', 'A1F83G8C2ARO7P'] });
    expect(page).toMatchObject({ NextToken: 'page-2', LastUpdatedBefore: '2026-11-27T10:00:00Z' });
    await getOrders(c, { lastUpdatedAfter: '2026-11-20T00:00:00.000Z', marketplaceIds: ['A1PA6795UKMFR9'], nextToken: 'page-2' });

    const [first, second] = amazon.calls('/orders/v0/orders');
    expect(Object.fromEntries(first.url.searchParams)).toEqual({ MarketplaceIds: 'A1PA6795UKMFR9,A1F83G8C2ARO7P', LastUpdatedAfter: '2026-11-20T00:00:00.000Z', MaxResultsPerPage: '100' });
    expect(second.url.searchParams.get('NextToken')).toBe('page-2');
    expect(second.url.searchParams.get('LastUpdatedAfter')).toBe('2026-11-20T00:00:00.000Z');
    expect(first.token).toBe('Atz.sprdt|1');
    expect(second.token).toBe('Atz.sprdt|1');
    // One RDT, for buyer and address on getOrders and getOrder and the gift message on getOrderItems.
    const rdt = amazon.calls('/tokens/2021-03-01/restrictedDataToken');
    expect(rdt).toHaveLength(1);
    expect(rdt[0].token).toBe('Atza|lwa');
    expect(rdt[0].body).toEqual({ restrictedResources: V0_RESTRICTED_RESOURCES });
    expect(V0_RESTRICTED_RESOURCES).toEqual([
      { method: 'GET', path: '/orders/v0/orders', dataElements: ['buyerInfo', 'shippingAddress'] },
      { method: 'GET', path: '/orders/v0/orders/{orderId}', dataElements: ['buyerInfo', 'shippingAddress'] },
      { method: 'GET', path: '/orders/v0/orders/{orderId}/orderItems', dataElements: ['buyerInfo'] },
    ]);
    expect(c.stats.calls).toEqual({ lwaToken: 1, createRestrictedDataToken: 1, getOrders: 2 });
  });

  it('getOrders by order ids sends no time window and no page size', async () => {
    const amazon = fakeAmazon(() => ({ body: { payload: { Orders: [] } } }));
    await getOrders(client(), { marketplaceIds: ['ATVPDKIKX0DER'], amazonOrderIds: ['111-0000001-0000001', '111-0000002-0000002'], lastUpdatedAfter: '2026-01-01T00:00:00Z' });
    expect(Object.fromEntries(amazon.calls('/orders/v0/orders')[0].url.searchParams)).toEqual({ MarketplaceIds: 'ATVPDKIKX0DER', AmazonOrderIds: '111-0000001-0000001,111-0000002-0000002' });
  });

  it('getOrderItems follows NextToken and returns every item', async () => {
    const amazon = fakeAmazon((req) => {
      if (req.url.pathname !== '/orders/v0/orders/028-0000001-0000001/orderItems') return undefined;
      const token = req.url.searchParams.get('NextToken');
      if (!token) return { body: { payload: { AmazonOrderId: '028-0000001-0000001', OrderItems: [item('1'), item('2')], NextToken: 'items-2' } } };
      if (token === 'items-2') return { body: { payload: { AmazonOrderId: '028-0000001-0000001', OrderItems: [item('3')], NextToken: 'items-3' } } };
      return { body: { payload: { AmazonOrderId: '028-0000001-0000001', OrderItems: [item('4')], NextToken: '' } } };
    });
    const c = client();
    const items = await getOrderItems(c, '028-0000001-0000001');
    expect(items.map((i) => i.OrderItemId)).toEqual(['1', '2', '3', '4']);
    const calls = amazon.calls('/orders/v0/orders/028-0000001-0000001/orderItems');
    expect(calls.map((r) => r.url.searchParams.get('NextToken'))).toEqual([null, 'items-2', 'items-3']);
    expect(calls.every((r) => r.token === 'Atz.sprdt|1')).toBe(true);
    expect(c.stats.calls).toEqual({ lwaToken: 1, createRestrictedDataToken: 1, getOrderItems: 3 });
  });

  it('keeps the RDT while it is valid and makes a new one a minute before it expires', async () => {
    let now = Date.parse('2026-11-27T10:00:00Z');
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    const amazon = fakeAmazon(() => ({ body: { payload: { AmazonOrderId: 'x', OrderItems: [] } } }));
    const c = client();
    await getOrderItems(c, 'a');
    now += 3_530_000; // 58 min 50 s later: still valid for over a minute
    await getOrderItems(c, 'b');
    now += 20_000; // less than a minute left
    await getOrderItems(c, 'c');
    expect(amazon.calls('/tokens/2021-03-01/restrictedDataToken')).toHaveLength(2);
    expect(amazon.seen.filter((r) => r.url.pathname.endsWith('/orderItems')).map((r) => r.token)).toEqual(['Atz.sprdt|1', 'Atz.sprdt|1', 'Atz.sprdt|2']);
  });

  it('each client (account) has its own RDT', async () => {
    const amazon = fakeAmazon(() => ({ body: { payload: { AmazonOrderId: 'x', OrderItems: [] } } }));
    await getOrderItems(client(), 'a');
    await getOrderItems(client(), 'a');
    expect(amazon.calls('/tokens/2021-03-01/restrictedDataToken')).toHaveLength(2);
  });

  it('when Amazon refuses the RDT (403), makes a new one and tries once more', async () => {
    const amazon = fakeAmazon((req) =>
      req.token === 'Atz.sprdt|1' ? { status: 403, body: { errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.' }] } } : { body: { payload: { Orders: [] } } },
    );
    const c = client();
    await expect(getOrders(c, { marketplaceIds: ['A1PA6795UKMFR9'], lastUpdatedAfter: '2026-11-20T00:00:00Z' })).resolves.toEqual({ Orders: [] });
    expect(amazon.calls('/orders/v0/orders').map((r) => r.token)).toEqual(['Atz.sprdt|1', 'Atz.sprdt|2']);
  });

  it('a second 403 is an error, not a loop', async () => {
    fakeAmazon(() => ({ status: 403, body: { errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.' }] } }));
    await expect(getOrderItems(client(), 'a')).rejects.toMatchObject({ status: 403, code: 'Unauthorized' });
  });

  it('an answer without payload is an error', async () => {
    fakeAmazon(() => ({ body: {} }));
    await expect(getOrders(client(), { marketplaceIds: ['A1PA6795UKMFR9'], lastUpdatedAfter: '2026-11-20T00:00:00Z' })).rejects.toMatchObject({ code: 'InvalidResponse' });
  });
});
