import { SandboxTestClient, TestSeller } from '../testing/sandbox-test-client';

describe('confirmShipment (v0)', () => {
  let sb: SandboxTestClient;
  let seller: TestSeller;
  let token: string;

  beforeAll(async () => {
    sb = await SandboxTestClient.start({ rateLimits: false });
    seller = await sb.seedSeller();
    token = await sb.accessToken(seller);
  });
  afterAll(() => sb.close());

  /** An FBM order with two items (2 and 1 units) in DE. */
  async function fbmOrder(orderId: string, status = 'UNSHIPPED', fulfilledBy = 'MERCHANT') {
    const money = (amount: string) => ({ amount, currencyCode: 'EUR' });
    const order = {
      orderId,
      createdTime: '2026-01-10T10:00:00Z',
      lastUpdatedTime: '2026-01-10T10:05:00Z',
      salesChannel: { channelName: 'AMAZON', marketplaceId: 'A1PA6795UKMFR9', marketplaceName: 'Amazon.de' },
      fulfillment: { fulfillmentStatus: status, fulfilledBy, fulfillmentServiceLevel: 'STANDARD' },
      orderItems: [
        { orderItemId: '11111111111111', quantityOrdered: 2, product: { sellerSku: 'A', price: { unitPrice: money('10.00') } }, fulfillment: { quantityFulfilled: 0, quantityUnfulfilled: 2 } },
        { orderItemId: '22222222222222', quantityOrdered: 1, product: { sellerSku: 'B', price: { unitPrice: money('5.00') } }, fulfillment: { quantityFulfilled: 0, quantityUnfulfilled: 1 } },
      ],
    };
    const res = await sb.request('POST', `/_sandbox/sellers/${seller.sellerId}/orders`, { body: order });
    expect(res.status).toBe(201);
    return orderId;
  }

  const confirm = (orderId: string, packageDetail: Record<string, unknown>, marketplaceId = 'A1PA6795UKMFR9') =>
    sb.request('POST', `/orders/v0/orders/${orderId}/shipmentConfirmation`, { token, body: { marketplaceId, packageDetail } });

  const pkg = (over: Record<string, unknown> = {}) => ({
    packageReferenceId: '1',
    carrierCode: 'DHL',
    shippingMethod: 'DHL Paket',
    trackingNumber: '00340434161234567890',
    shipDate: '2026-01-11T09:00:00Z',
    orderItems: [{ orderItemId: '11111111111111', quantity: 1 }],
    ...over,
  });

  const state = async (orderId: string) => (await sb.request('GET', `/_sandbox/orders/${orderId}`)).body.order;

  it('ships partially, then fully; quantities, packages, status and lastUpdatedTime follow', async () => {
    const id = await fbmOrder('302-0000001-0000001');
    const first = await confirm(id, pkg());
    expect(first.status).toBe(204);
    expect(first.headers.get('x-amzn-ratelimit-limit')).toBe('2');
    expect(first.headers.get('x-amzn-requestid')).toBeTruthy();
    let order = await state(id);
    expect(order.fulfillment.fulfillmentStatus).toBe('PARTIALLY_SHIPPED');
    expect(order.orderItems[0].fulfillment).toEqual(expect.objectContaining({ quantityFulfilled: 1, quantityUnfulfilled: 1 }));
    expect(Date.parse(order.lastUpdatedTime)).toBeGreaterThan(Date.parse('2026-01-10T10:05:00Z'));
    expect(order.packages).toHaveLength(1);
    expect(order.packages[0]).toEqual(expect.objectContaining({ packageReferenceId: '1', carrier: 'DHL', trackingNumber: '00340434161234567890', shippingService: 'DHL Paket' }));

    const second = await confirm(id, pkg({ packageReferenceId: '2', carrierCode: 'Other', carrierName: 'Hermes', orderItems: [{ orderItemId: '11111111111111', quantity: 1 }, { orderItemId: '22222222222222', quantity: 1 }] }));
    expect(second.status).toBe(204);
    order = await state(id);
    expect(order.fulfillment.fulfillmentStatus).toBe('SHIPPED');
    expect(order.packages.map((p: any) => p.packageReferenceId)).toEqual(['1', '2']);
    expect(order.packages[1].carrier).toBe('Hermes');

    // Visible to the client under PACKAGES.
    const seen = await sb.request('GET', `/orders/2026-01-01/orders/${id}?includedData=PACKAGES,FULFILLMENT`, { token });
    expect(seen.body.order.packages).toHaveLength(2);
    expect(seen.body.order.fulfillment.fulfillmentStatus).toBe('SHIPPED');
  });

  it('the same packageReferenceId again updates that package instead of adding one (also after the order is shipped)', async () => {
    const id = await fbmOrder('302-0000002-0000002');
    expect((await confirm(id, pkg({ orderItems: [{ orderItemId: '11111111111111', quantity: 2 }, { orderItemId: '22222222222222', quantity: 1 }] }))).status).toBe(204);
    expect((await state(id)).fulfillment.fulfillmentStatus).toBe('SHIPPED');
    // A retry (e.g. after a timeout) with a corrected tracking number.
    const retry = await confirm(id, pkg({ trackingNumber: 'NEW-TRACKING', orderItems: [{ orderItemId: '11111111111111', quantity: 2 }, { orderItemId: '22222222222222', quantity: 1 }] }));
    expect(retry.status).toBe(204);
    const order = await state(id);
    expect(order.packages).toHaveLength(1);
    expect(order.packages[0].trackingNumber).toBe('NEW-TRACKING');
    expect(order.orderItems.map((i: any) => i.fulfillment.quantityFulfilled)).toEqual([2, 1]);
    const log = await sb.request('GET', `/_sandbox/shipments?sellerId=${seller.sellerId}&orderId=${id}`);
    expect(log.body.shipments).toHaveLength(1);
    expect(log.body.shipments[0]).toEqual(expect.objectContaining({ orderId: id, marketplaceId: 'A1PA6795UKMFR9', count: 2, receivedAt: expect.any(String) }));
    expect(log.body.shipments[0].packageDetail.trackingNumber).toBe('NEW-TRACKING');
  });

  it.each([
    ['missing carrierCode', pkg({ carrierCode: undefined }), 'carrierCode'],
    ['missing trackingNumber', pkg({ trackingNumber: '' }), 'trackingNumber'],
    ['missing shipDate', pkg({ shipDate: undefined }), 'shipDate'],
    ['a non-ISO shipDate', pkg({ shipDate: '02/21/2022' }), 'shipDate'],
    ['missing packageReferenceId', pkg({ packageReferenceId: undefined }), 'packageReferenceId'],
    ['carrierCode Other without carrierName', pkg({ carrierCode: 'Other' }), 'carrierName'],
    ['a carrierCode not on Amazon\'s list', pkg({ carrierCode: 'Kurier Müller' }), 'carrierCode'],
    ['no items', pkg({ orderItems: [] }), 'orderItems'],
    ['an item of another order', pkg({ orderItems: [{ orderItemId: '99999999999999', quantity: 1 }] }), 'orderItemId'],
    ['quantity 0', pkg({ orderItems: [{ orderItemId: '11111111111111', quantity: 0 }] }), 'quantity'],
    ['more than ordered', pkg({ orderItems: [{ orderItemId: '22222222222222', quantity: 2 }] }), 'quantity'],
  ])('400 InvalidInput for %s', async (_label, detail, field) => {
    const id = await fbmOrder('302-0000003-0000003');
    const res = await confirm(id, detail);
    expect(res.status).toBe(400);
    expect(res.body.errors.length).toBeGreaterThan(0);
    expect(res.body.errors[0]).toEqual({ code: 'InvalidInput', message: expect.any(String), details: expect.stringContaining(field) });
    expect((await state(id)).fulfillment.fulfillmentStatus).toBe('UNSHIPPED');
  });

  it('400 for a wrong marketplace, more than is left, FBA orders and orders not awaiting shipment; 404 for unknown orders', async () => {
    const id = await fbmOrder('302-0000004-0000004');
    expect((await confirm(id, pkg(), 'ATVPDKIKX0DER')).status).toBe(400);
    expect((await confirm(id, pkg({ orderItems: [{ orderItemId: '11111111111111', quantity: 2 }] }))).status).toBe(204);
    const over = await confirm(id, pkg({ packageReferenceId: '2', orderItems: [{ orderItemId: '11111111111111', quantity: 1 }] }));
    expect(over.status).toBe(400);
    expect(over.body.errors[0].message).toMatch(/exceeds the unshipped quantity 0/);

    const fba = await fbmOrder('302-0000005-0000005', 'SHIPPED', 'AMAZON');
    expect((await confirm(fba, pkg())).status).toBe(400);
    for (const status of ['CANCELLED', 'PENDING']) {
      const other = await fbmOrder(`302-0000006-000000${status.length}`, status);
      const res = await confirm(other, pkg());
      expect(res.status).toBe(400);
      expect(res.body.errors[0].message).toContain(status);
    }
    const missing = await confirm('302-9999999-9999999', pkg());
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0].code).toBe('NotFound');
  });
});
