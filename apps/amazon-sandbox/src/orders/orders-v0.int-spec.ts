import { OrdersApi as OrdersApiV0 } from '@sp-api-sdk/orders-api-v0';
import axios from 'axios';
import { parseCents } from '../generator/money';
import { findMarketplace } from '../store/marketplaces';
import { SandboxTestClient, TestSeller } from '../testing/sandbox-test-client';

describe('Orders v0 and restricted data tokens', () => {
  let sb: SandboxTestClient;
  let seller: TestSeller;
  let token: string;
  let ids: string[];

  beforeAll(async () => {
    sb = await SandboxTestClient.start({ rateLimits: false });
    seller = await sb.seedSeller({ marketplaceIds: ['A1PA6795UKMFR9', 'ATVPDKIKX0DER'] });
    token = await sb.accessToken(seller);
    ids = await sb.generate(seller.sellerId, { count: 150, seed: 'v0' });
  });
  afterAll(() => sb.close());

  const rdt = async (restrictedResources: unknown[]) => {
    const res = await sb.request('POST', '/tokens/2021-03-01/restrictedDataToken', { token, body: { restrictedResources } });
    expect(res.status).toBe(200);
    expect(res.body.expiresIn).toBe(3600);
    return res.body.restrictedDataToken as string;
  };

  it('getOrders pages with NextToken through every order, in v0 shapes, without PII by default', async () => {
    const seen: any[] = [];
    let next: string | undefined;
    do {
      const q = next ? `NextToken=${encodeURIComponent(next)}&MarketplaceIds=${seller.marketplaceIds.join(',')}` : `LastUpdatedAfter=2020-01-01T00:00:00Z&MarketplaceIds=${seller.marketplaceIds.join(',')}&MaxResultsPerPage=40`;
      const res = await sb.request('GET', `/orders/v0/orders?${q}`, { token });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-amzn-ratelimit-limit')).toBe('0.0167');
      expect(res.body.payload.LastUpdatedBefore).toBeDefined();
      seen.push(...res.body.payload.Orders);
      next = res.body.payload.NextToken;
    } while (next);
    expect(seen.map((o) => o.AmazonOrderId).sort()).toEqual([...ids].sort());
    for (const o of seen) {
      expect(o).toEqual(expect.objectContaining({ AmazonOrderId: expect.any(String), PurchaseDate: expect.any(String), LastUpdateDate: expect.any(String), OrderStatus: expect.any(String), FulfillmentChannel: expect.stringMatching(/^(AFN|MFN)$/), MarketplaceId: expect.any(String) }));
      expect(o.BuyerInfo).toEqual({});
      expect(o.ShippingAddress.Name).toBeUndefined();
      expect(o.ShippingAddress.AddressLine1).toBeUndefined();
      expect(o.ShippingAddress.PostalCode).toBeDefined();
      if (o.OrderStatus === 'Pending') expect(o.OrderTotal).toBeUndefined();
      else expect(o.OrderTotal.Amount).toMatch(/^\d+\.\d{2}$/);
    }
    expect(new Set(seen.map((o) => o.OrderStatus))).toEqual(new Set(['Pending', 'Unshipped', 'PartiallyShipped', 'Shipped', 'Canceled']));
  });

  it('filters with v0 names and validates them', async () => {
    const res = await sb.request('GET', `/orders/v0/orders?CreatedAfter=2020-01-01T00:00:00Z&MarketplaceIds=A1PA6795UKMFR9&OrderStatuses=Unshipped,PartiallyShipped&FulfillmentChannels=MFN`, { token });
    expect(res.status).toBe(200);
    expect(res.body.payload.CreatedBefore).toBeDefined();
    expect(res.body.payload.Orders.length).toBeGreaterThan(0);
    for (const o of res.body.payload.Orders) {
      expect(['Unshipped', 'PartiallyShipped']).toContain(o.OrderStatus);
      expect(o.FulfillmentChannel).toBe('MFN');
      expect(o.MarketplaceId).toBe('A1PA6795UKMFR9');
    }
    for (const q of ['CreatedAfter=2020-01-01T00:00:00Z', 'MarketplaceIds=A1PA6795UKMFR9', 'CreatedAfter=2020-01-01T00:00:00Z&MarketplaceIds=A1PA6795UKMFR9&OrderStatuses=Lost', 'CreatedAfter=2020-01-01T00:00:00Z&MarketplaceIds=A1PA6795UKMFR9&MaxResultsPerPage=500']) {
      const bad = await sb.request('GET', `/orders/v0/orders?${q}`, { token });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].code).toBe('InvalidInput');
    }
  });

  it('getOrderItems amounts add up to the OrderTotal (both tax modes)', async () => {
    const all = (await sb.request('GET', `/_sandbox/sellers/${seller.sellerId}/orders`)).body.orders.filter((o: any) => o.fulfillmentStatus !== 'PENDING');
    let checked = 0;
    for (const { orderId } of all.slice(0, 60)) {
      const order = (await sb.request('GET', `/orders/v0/orders/${orderId}`, { token })).body.payload;
      const items = (await sb.request('GET', `/orders/v0/orders/${orderId}/orderItems`, { token })).body.payload;
      expect(items.AmazonOrderId).toBe(orderId);
      const excluded = findMarketplace(order.MarketplaceId)!.taxMode === 'EXCLUDED';
      const c = (m?: { Amount: string }) => (m ? parseCents(m.Amount) : 0);
      let sum = 0;
      for (const i of items.OrderItems) {
        expect(i).toEqual(expect.objectContaining({ ASIN: expect.any(String), OrderItemId: expect.stringMatching(/^\d{14}$/), QuantityOrdered: expect.any(Number), SellerSKU: expect.any(String) }));
        sum += c(i.ItemPrice) + c(i.ShippingPrice) + c(i.BuyerInfo?.GiftWrapPrice) - c(i.PromotionDiscount) - c(i.ShippingDiscount);
        if (excluded) sum += c(i.ItemTax) + c(i.ShippingTax) + c(i.BuyerInfo?.GiftWrapTax) - c(i.PromotionDiscountTax) - c(i.ShippingDiscountTax);
        expect(i.BuyerInfo?.GiftMessageText).toBeUndefined();
      }
      expect(sum).toBe(c(order.OrderTotal));
      checked++;
    }
    expect(checked).toBeGreaterThan(30);
  });

  it('a restricted data token unlocks buyer and address data, only for its resources', async () => {
    const id = ids[0];
    const noPii = await sb.request('GET', `/orders/v0/orders/${id}/buyerInfo`, { token });
    expect(noPii.body.payload).toEqual({ AmazonOrderId: id });
    const rdtToken = await rdt([
      { method: 'GET', path: '/orders/v0/orders', dataElements: ['buyerInfo', 'shippingAddress'] },
      { method: 'GET', path: '/orders/v0/orders/{orderId}/address' },
      { method: 'GET', path: `/orders/v0/orders/${id}/buyerInfo` },
    ]);
    const list = await sb.request('GET', `/orders/v0/orders?CreatedAfter=2020-01-01T00:00:00Z&MarketplaceIds=${seller.marketplaceIds.join(',')}&MaxResultsPerPage=5`, { token: rdtToken });
    expect(list.status).toBe(200);
    for (const o of list.body.payload.Orders) {
      expect(o.BuyerInfo.BuyerEmail).toMatch(/@marketplace\.amazon\./);
      expect(o.ShippingAddress.Name).toBeDefined();
      expect(o.ShippingAddress.AddressLine1).toBeDefined();
    }
    const address = await sb.request('GET', `/orders/v0/orders/${ids[3]}/address`, { token: rdtToken });
    expect(address.body.payload.ShippingAddress.AddressLine1).toBeDefined();
    const buyer = await sb.request('GET', `/orders/v0/orders/${id}/buyerInfo`, { token: rdtToken });
    expect(buyer.body.payload.BuyerEmail).toBeDefined();
    // Not covered: another order's buyerInfo, and non-restricted operations.
    expect((await sb.request('GET', `/orders/v0/orders/${ids[1]}/buyerInfo`, { token: rdtToken })).status).toBe(403);
    expect((await sb.request('GET', `/orders/2026-01-01/orders/${id}`, { token: rdtToken })).status).toBe(403);
    // Bad requests for a token.
    const bad = await sb.request('POST', '/tokens/2021-03-01/restrictedDataToken', { token, body: { restrictedResources: [{ method: 'GET', path: '/feeds/2021-06-30/feeds' }] } });
    expect(bad.status).toBe(400);
  });

  it('the published v0 client reads orders, items and (with an RDT) the address', async () => {
    const api = new OrdersApiV0(undefined, sb.baseUrl, axios.create({ headers: { 'x-amz-access-token': token } }));
    const { data } = await api.getOrders({ marketplaceIds: seller.marketplaceIds, createdAfter: '2020-01-01T00:00:00Z', maxResultsPerPage: 10 });
    expect(data.payload!.Orders).toHaveLength(10);
    expect(data.payload!.NextToken).toBeDefined();
    const items = await api.getOrderItems({ orderId: data.payload!.Orders[0].AmazonOrderId });
    expect(items.data.payload!.OrderItems.length).toBeGreaterThan(0);
    const rdtToken = await rdt([{ method: 'GET', path: '/orders/v0/orders/{orderId}/address' }]);
    const rdtApi = new OrdersApiV0(undefined, sb.baseUrl, axios.create({ headers: { 'x-amz-access-token': rdtToken } }));
    const address = await rdtApi.getOrderAddress({ orderId: data.payload!.Orders[0].AmazonOrderId });
    expect(address.data.payload!.ShippingAddress!.Name).toBeDefined();
  });
});
