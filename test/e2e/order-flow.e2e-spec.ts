import { waitFor } from '@connector/testing';
import { amazonOrder, RunningSystem } from '@connector/testing';

/** Visible to the SP-API (older than two minutes) and inside the sync's overlap window. */
const recently = () => new Date(Date.now() - 180_000).toISOString();

const SELLER = { sellerId: 'A2E2ESELLER001', clientId: 'e2e-client', clientSecret: 'e2e-secret-value', refreshToken: 'Atzr|e2e-refresh', marketplaceIds: ['A1PA6795UKMFR9'] };

const fbaOrder = amazonOrder({
  orderId: '302-0000001-0000001',
  lastUpdatedTime: recently(),
  fulfilledBy: 'AMAZON',
  status: 'SHIPPED',
  items: [
    { orderItemId: '10000000000001', sku: 'E2E-MUG', title: 'Enamel mug', quantity: 2, unitPrice: '11.90', tax: '3.80', shipping: '4.99', shippingTax: '0.80' },
    { orderItemId: '10000000000002', sku: 'E2E-SPOON', title: 'Wooden spoon', quantity: 1, unitPrice: '5.00', tax: '0.80' },
  ],
});

const fbmOrder = amazonOrder({
  orderId: '302-0000002-0000002',
  lastUpdatedTime: recently(),
  fulfilledBy: 'MERCHANT',
  status: 'UNSHIPPED',
  buyer: { buyerName: 'Max Muster', buyerEmail: 'maxmuster@marketplace.amazon.de' },
  address: { name: 'Max Muster', addressLine1: 'Hauptstraße 1', city: 'Berlin', postalCode: '10115' },
  items: [
    {
      orderItemId: '20000000000001',
      sku: 'E2E-MUG',
      quantity: 3,
      unitPrice: '11.90',
      tax: '5.70',
      shipping: '4.99',
      shippingTax: '0.80',
      giftWrap: '2.50',
      giftWrapTax: '0.40',
      giftMessage: 'Happy birthday!',
      giftWrapLevel: 'Classic',
      itemDiscount: '3.00',
      promotionId: 'PROMO-E2E',
    },
  ],
});

describe('an FBA and an FBM order, end to end through separate processes', () => {
  const running = new RunningSystem();
  let accountId: string;

  beforeAll(async () => {
    await running.start();
    expect((await running.sandbox('POST', '/_sandbox/sellers', SELLER)).status).toBe(201);
    for (const order of [fbaOrder, fbmOrder]) {
      expect((await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders`, order)).status).toBe(201);
    }
  }, 180_000);

  afterAll(() => running.stop(), 60_000);

  it('rejects a malformed account with 400 naming the fields, and writes nothing', async () => {
    const bad = await running.api('POST', '/api/v1/accounts', { name: '', sellerId: 'x', region: 'MARS', marketplaceIds: [], surprise: true });
    expect(bad.status).toBe(400);
    const fields = bad.body.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'sellerId', 'region', 'marketplaceIds', 'surprise', 'lwaClientId']));
    expect((await running.api('POST', '/api/v1/accounts', '{"name": ')).status).toBe(400);
    expect((await running.api('GET', '/api/v1/accounts', undefined, null)).status).toBe(401);
    expect((await running.api('GET', '/api/v1/accounts')).body.items).toEqual([]);
  });

  it('creates an account on the sandbox and syncs both orders with partners and products', async () => {
    const created = await running.createAccount(SELLER);
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain(SELLER.clientSecret);
    expect(JSON.stringify(created.body)).not.toContain(SELLER.refreshToken);
    accountId = created.body.id;

    const orders = await waitFor(async () => {
      const page = await running.api('GET', `/api/v1/orders?accountId=${accountId}`);
      return page.body.items?.length === 2 ? page.body.items : undefined;
    }, { timeoutMs: 60_000, what: 'two synced orders' });
    const fba = orders.find((o: any) => o.amazonOrderId === fbaOrder.orderId);
    const fbm = orders.find((o: any) => o.amazonOrderId === fbmOrder.orderId);
    expect(fba).toMatchObject({ channel: 'FBA', status: 'shipped', reconciled: true, amazonTotal: '33.79', linesTotal: '33.79' });
    expect(fba.lines.map((l: any) => l.kind)).toEqual(['product', 'product', 'shipping']);
    expect(fbm).toMatchObject({ channel: 'FBM', status: 'confirmed', reconciled: true, giftMessage: 'Happy birthday!' });
    expect(fbm.lines.map((l: any) => l.kind)).toEqual(['product', 'gift_wrap', 'shipping']);
    expect(fbm.lines[0]).toMatchObject({ quantity: 3, amountTaxIncluded: '35.70', discountTaxIncluded: '3.00', totalTaxIncluded: '32.70', taxAmount: '5.70', promotionIds: ['PROMO-E2E'] });
    expect(fbm.lines[1]).toMatchObject({ giftWrapLevel: 'Classic', giftMessage: 'Happy birthday!', totalTaxIncluded: '2.50' });

    const partner = await running.api('GET', `/api/v1/partners/${fbm.contactId}`);
    expect(partner.status).toBe(200);
    expect(partner.body).toMatchObject({ name: 'Max Muster', email: 'maxmuster@marketplace.amazon.de' });
    expect(partner.body.deliveryAddresses.map((a: any) => a.id)).toContain(fbm.deliveryAddressId);
    expect(fbm.lines[0].productId).toBe(fba.lines[0].productId); // same SKU, same product
  });

  it('records one done stock move per FBA product line and one ready delivery for the FBM order', async () => {
    const fba = (await running.api('GET', `/api/v1/orders?amazonOrderId=${fbaOrder.orderId}`)).body.items[0];
    const moves = await waitFor(async () => {
      const page = await running.api('GET', `/api/v1/stock-moves?orderId=${fba.id}`);
      return page.body.items?.length === 2 ? page.body.items : undefined;
    }, { what: 'FBA stock moves' });
    expect(moves.every((m: any) => m.state === 'done' && m.reason === 'fba_sale')).toBe(true);
    expect(moves.map((m: any) => m.quantity).sort()).toEqual([1, 2]);

    const fbm = (await running.api('GET', `/api/v1/orders?amazonOrderId=${fbmOrder.orderId}`)).body.items[0];
    const delivery = await waitFor(async () => (await running.api('GET', `/api/v1/deliveries?orderId=${fbm.id}`)).body.items?.[0], { what: 'FBM delivery' });
    expect(delivery).toMatchObject({ state: 'ready', packageReferenceId: '1', giftMessage: 'Happy birthday!' });
    expect(delivery.moves).toHaveLength(1);
    expect(delivery.moves[0]).toMatchObject({ quantity: 3, state: 'ready', orderItemId: '20000000000001' });
  });

  it('syncing the same orders again changes nothing: same rows, no new events', async () => {
    const before = await running.env.query<{ n: string }>(`select count(*) as n from ingestion.outbox`);
    const ordersBefore = await running.env.query(`select id, version, content_hash from ingestion.sales_orders order by id`);
    const runsBefore = (await running.api('GET', `/api/v1/accounts/${accountId}/sync-runs?limit=500`)).body.items.length;
    expect((await running.api('POST', `/api/v1/accounts/${accountId}/sync`, {})).status).toBe(202);
    const run = await waitFor(async () => {
      const runs = (await running.api('GET', `/api/v1/accounts/${accountId}/sync-runs?limit=500`)).body.items;
      const [last] = runs; // newest first
      return runs.length > runsBefore && !['queued', 'running'].includes(last.status) ? last : undefined;
    }, { what: 'a new sync run' });
    expect(run).toMatchObject({ status: 'succeeded', ordersCreated: 0, ordersUpdated: 0, ordersUnchanged: 2 });
    expect(run.apiCalls).toBeGreaterThanOrEqual(1);
    expect(await running.env.query(`select id, version, content_hash from ingestion.sales_orders order by id`)).toEqual(ordersBefore);
    expect(await running.env.query<{ n: string }>(`select count(*) as n from ingestion.outbox`)).toEqual(before);
  });

  it('rejects an invalid carrier code with 400 and leaves the delivery ready', async () => {
    const fbm = (await running.api('GET', `/api/v1/orders?amazonOrderId=${fbmOrder.orderId}`)).body.items[0];
    const delivery = (await running.api('GET', `/api/v1/deliveries?orderId=${fbm.id}`)).body.items[0];
    const bad = await running.api('POST', `/api/v1/deliveries/${delivery.id}/validate`, { carrierCode: 'Pigeon Post', trackingNumber: 'X1' });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: any) => d.field)).toContain('carrierCode');
    expect((await running.api('GET', `/api/v1/deliveries/${delivery.id}`)).body.state).toBe('ready');
  });

  it('validating the FBM delivery confirms the shipment to Amazon, and the order shows it sent', async () => {
    const fbm = (await running.api('GET', `/api/v1/orders?amazonOrderId=${fbmOrder.orderId}`)).body.items[0];
    const delivery = (await running.api('GET', `/api/v1/deliveries?orderId=${fbm.id}`)).body.items[0];
    const validated = await running.api('POST', `/api/v1/deliveries/${delivery.id}/validate`, {
      carrierCode: 'DHL',
      trackingNumber: '00340434161094042557',
      shippingMethod: 'Paket',
    });
    expect(validated.status).toBe(200);
    expect(validated.body.state).toBe('done');

    const shipments = await waitFor(async () => {
      const answer = await running.sandbox('GET', `/_sandbox/shipments?orderId=${fbmOrder.orderId}`);
      const list = Array.isArray(answer.body) ? answer.body : answer.body.shipments;
      return list?.length ? list : undefined;
    }, { timeoutMs: 30_000, what: 'the shipment confirmation at the sandbox' });
    expect(shipments).toHaveLength(1);
    expect(shipments[0].packageDetail).toMatchObject({ packageReferenceId: '1', carrierCode: 'DHL', trackingNumber: '00340434161094042557' });
    expect(shipments[0].packageDetail.orderItems).toEqual([{ orderItemId: '20000000000001', quantity: 3 }]);

    const order = await waitFor(async () => {
      const answer = await running.api('GET', `/api/v1/orders/${fbm.id}`);
      return answer.body.amazonNotificationState === 'shipment_confirmation:sent' ? answer.body : undefined;
    }, { what: 'the order to show the notification sent' });
    expect(order.deliveryState).toBe('done');
    const notifications = await running.api('GET', `/api/v1/notifications?orderId=${fbm.id}`);
    expect(notifications.body.items).toEqual([expect.objectContaining({ kind: 'shipment_confirmation', state: 'sent' })]);

    const again = await running.api('POST', `/api/v1/deliveries/${delivery.id}/validate`, { carrierCode: 'DHL', trackingNumber: 'X' });
    expect(again.status).toBe(409);
  });

  it('events wait in JetStream while inventory is down, and are handled when it is back', async () => {
    await running.system.process('inventory').stop('SIGKILL');
    // Known SKUs: order-ingestion needs nothing from inventory to sync these.
    const laterFba = amazonOrder({ orderId: '302-0000003-0000003', lastUpdatedTime: recently(), fulfilledBy: 'AMAZON', status: 'SHIPPED', items: [{ orderItemId: '30000000000001', sku: 'E2E-SPOON', quantity: 4, unitPrice: '5.00', tax: '3.20' }] });
    const laterFbm = amazonOrder({ orderId: '302-0000004-0000004', lastUpdatedTime: recently(), fulfilledBy: 'MERCHANT', status: 'UNSHIPPED', items: [{ orderItemId: '40000000000001', sku: 'E2E-MUG', quantity: 1, unitPrice: '11.90', tax: '1.90' }] });
    for (const order of [laterFba, laterFbm]) expect((await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders`, order)).status).toBe(201);
    await running.api('POST', `/api/v1/accounts/${accountId}/sync`, {});
    const fba = await waitFor(async () => (await running.api('GET', `/api/v1/orders?amazonOrderId=${laterFba.orderId}`)).body.items?.[0], { timeoutMs: 60_000, what: 'the later FBA order' });
    const fbm = await waitFor(async () => (await running.api('GET', `/api/v1/orders?amazonOrderId=${laterFbm.orderId}`)).body.items?.[0], { what: 'the later FBM order' });
    expect((await running.api('GET', `/api/v1/stock-moves?orderId=${fba.id}`)).status).toBe(503);

    await running.system.process('inventory').start();
    const moves = await waitFor(async () => (await running.api('GET', `/api/v1/stock-moves?orderId=${fba.id}`)).body.items?.length === 1 ? true : undefined, { what: 'the later FBA move' });
    expect(moves).toBe(true);
    const deliveries = await waitFor(async () => {
      const items = (await running.api('GET', `/api/v1/deliveries?orderId=${fbm.id}`)).body.items;
      return items?.length ? items : undefined;
    }, { what: 'the later FBM delivery' });
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0].state).toBe('ready');
  });
});
