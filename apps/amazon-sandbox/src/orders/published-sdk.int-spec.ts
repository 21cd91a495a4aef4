import { OrdersApi as OrdersApi2026 } from '@sp-api-sdk/orders-api-2026-01-01';
import { OrdersApi as OrdersApiV0 } from '@sp-api-sdk/orders-api-v0';
import axios, { AxiosError } from 'axios';
import { SandboxTestClient, TestSeller } from '../testing/sandbox-test-client';

/** Amazon's published clients (not written by us) must accept the sandbox's answers. */
describe('published @sp-api-sdk clients against the sandbox', () => {
  let sb: SandboxTestClient;
  let seller: TestSeller;
  let orders: OrdersApi2026;
  let ordersV0: OrdersApiV0;

  beforeAll(async () => {
    sb = await SandboxTestClient.start({ rateLimits: false });
    seller = await sb.seedSeller();
    await sb.generate(seller.sellerId, { count: 120, seed: 'sdk', fulfilledBy: 'MIXED' });
    const token = await sb.accessToken(seller);
    const http = axios.create({ headers: { 'x-amz-access-token': token } });
    orders = new OrdersApi2026(undefined, sb.baseUrl, http);
    ordersV0 = new OrdersApiV0(undefined, sb.baseUrl, http);
  });
  afterAll(() => sb.close());

  it('searchOrders pages through every order with nextToken', async () => {
    const seen: string[] = [];
    let paginationToken: string | undefined;
    do {
      const { data, status, headers } = await orders.searchOrders({
        lastUpdatedAfter: '2020-01-01T00:00:00Z',
        marketplaceIds: seller.marketplaceIds,
        includedData: ['BUYER', 'RECIPIENT', 'PROCEEDS', 'PROMOTION', 'CANCELLATION', 'FULFILLMENT', 'PACKAGES'],
        maxResultsPerPage: 40,
        paginationToken,
      });
      expect(status).toBe(200);
      expect(headers['x-amzn-ratelimit-limit']).toBe('0.0056');
      expect(data.lastUpdatedBefore).toBeDefined();
      for (const o of data.orders) {
        seen.push(o.orderId);
        expect(o.salesChannel.marketplaceId).toBeDefined();
        expect(o.orderItems.length).toBeGreaterThan(0);
      }
      paginationToken = data.pagination?.nextToken;
    } while (paginationToken);
    expect(new Set(seen).size).toBe(120);
  });

  it('getOrder returns the order, and a 404 surfaces as an SP-API error list', async () => {
    const { data: list } = await orders.searchOrders({ createdAfter: '2020-01-01T00:00:00Z', fulfillmentStatuses: ['UNSHIPPED'], fulfilledBy: ['MERCHANT'], maxResultsPerPage: 1 });
    const id = list.orders[0].orderId;
    const { data } = await orders.getOrder({ orderId: id, includedData: ['PROCEEDS', 'FULFILLMENT'] });
    expect(data.order.orderId).toBe(id);
    expect(data.order.fulfillment?.fulfillmentStatus).toBe('UNSHIPPED');
    expect(data.order.proceeds?.grandTotal?.amount).toMatch(/^\d+\.\d{2}$/);

    const err = (await orders.getOrder({ orderId: '999-9999999-9999999' }).catch((e) => e)) as AxiosError<{ errors: { code: string }[] }>;
    expect(err.response?.status).toBe(404);
    expect(err.response?.data.errors[0].code).toBe('NotFound');
  });

  it('confirmShipment (v0 client) ships an order the 2026 client then sees as shipped', async () => {
    const { data: list } = await orders.searchOrders({ createdAfter: '2020-01-01T00:00:00Z', fulfillmentStatuses: ['UNSHIPPED'], fulfilledBy: ['MERCHANT'], maxResultsPerPage: 1 });
    const order = (await orders.getOrder({ orderId: list.orders[0].orderId })).data.order;
    const res = await ordersV0.confirmShipment({
      orderId: order.orderId,
      payload: {
        marketplaceId: order.salesChannel.marketplaceId!,
        packageDetail: {
          packageReferenceId: '1',
          carrierCode: 'UPS',
          trackingNumber: '1Z999AA10123456784',
          shipDate: new Date().toISOString(),
          orderItems: order.orderItems.map((i) => ({ orderItemId: i.orderItemId, quantity: i.quantityOrdered })),
        },
      },
    });
    expect(res.status).toBe(204);
    const after = await orders.getOrder({ orderId: order.orderId, includedData: ['FULFILLMENT', 'PACKAGES'] });
    expect(after.data.order.fulfillment?.fulfillmentStatus).toBe('SHIPPED');
    expect(after.data.order.packages?.[0].packageReferenceId).toBe('1');
  });
});
