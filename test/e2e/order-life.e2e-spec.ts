import { randomUUID } from 'node:crypto';
import { request } from '@connector/local-system';
import { amazonOrder, API_KEY, RunningSystem, waitFor } from '@connector/testing';

/**
 * Issue 14 all together on one FBM order, on each Orders API version: several items (more than one
 * unit each, a promotion, gift wrap and a message, Prime, a ship-by window) at an account shipping
 * from a warehouse made through the API, with its own carrier mapping. Part of it is validated (a
 * backorder), units of the backorder are cancelled, an item is shipped from Seller Central, the buyer
 * asks to cancel the rest (held, released) and the rest ships. After every step the order reconciles
 * to Amazon's total to the cent, each line's units add up (ordered = shipped + cancelled + open), the
 * warehouse's stock fell by what shipped, nothing is confirmed twice and Amazon got one feed.
 */

const DE = 'A1PA6795UKMFR9';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const now = Date.now();
const iso = (time: string) => new Date(time).toISOString();
const SHIP_BY = { earliestDateTime: new Date(now - HOUR).toISOString(), latestDateTime: new Date(now + 20 * HOUR).toISOString() };
const WAREHOUSE = { name: 'Lager Bremen GmbH', addressLine1: 'Überseetor 20', city: 'Bremen', postalCode: '28217', countryCode: 'DE' };
const SUPPLY_SOURCE = 'SS-E2E-ORDER-LIFE';
const STOCK = 10;

interface Case {
  api: 'v2026-01-01' | 'v0';
  seller: { sellerId: string; clientId: string; clientSecret: string; refreshToken: string; marketplaceIds: string[] };
  /** Tells the cases' orders, items and SKUs apart (the sandbox keeps an order id under one seller; SKUs are products). */
  prefix: string;
  accountId?: string;
  orderId?: string;
  products?: Record<string, string>;
}

const CASES: Case[] = [
  { api: 'v2026-01-01', prefix: '1', seller: { sellerId: 'A2ORDERLIFE2026', clientId: 'life-2026', clientSecret: 'life-2026-secret', refreshToken: 'Atzr|life-2026', marketplaceIds: [DE] } },
  { api: 'v0', prefix: '2', seller: { sellerId: 'A2ORDERLIFEV0', clientId: 'life-v0', clientSecret: 'life-v0-secret', refreshToken: 'Atzr|life-v0', marketplaceIds: [DE] } },
];

const itemsOf = (c: Case) => ({ A: `${c.prefix}4100000000001`, B: `${c.prefix}4100000000002`, C: `${c.prefix}4100000000003` });
const skusOf = (c: Case) => ({ A: `LIFE${c.prefix}-MUG`, B: `LIFE${c.prefix}-VASE`, C: `LIFE${c.prefix}-PLATE` });
const amazonOrderIdOf = (c: Case) => `40${c.prefix}-1400000-0000001`;

function orderOf(c: Case) {
  const item = itemsOf(c);
  const sku = skusOf(c);
  return amazonOrder({
    orderId: amazonOrderIdOf(c),
    createdTime: new Date(now - 2 * HOUR).toISOString(),
    lastUpdatedTime: new Date(now - 3 * MINUTE).toISOString(),
    programs: ['PRIME'],
    shipByWindow: SHIP_BY,
    items: [
      // Amounts that do not divide evenly by 4 or 3: Amazon's reduced figures must still add up.
      { orderItemId: item.A, sku: sku.A, quantity: 4, unitPrice: '12.90', tax: '8.24', shipping: '4.99', shippingTax: '0.80', itemDiscount: '3.33', promotionId: 'PROMO-LIFE' },
      { orderItemId: item.B, sku: sku.B, quantity: 2, unitPrice: '19.95', tax: '6.37', giftWrap: '2.50', giftWrapTax: '0.40', giftMessage: 'Alles Gute!', giftWrapLevel: 'Classic' },
      { orderItemId: item.C, sku: sku.C, quantity: 3, unitPrice: '7.77', tax: '3.72' },
    ],
  });
}

describe('order life: issue 14 all together on one FBM order with a backorder', () => {
  const running = new RunningSystem();
  let warehouse: { id: string };

  const orderDetails = async (c: Case) => (await running.api('GET', `/api/v1/orders/${c.orderId}`)).body;
  const deliveriesOf = async (c: Case) =>
    ((await running.api('GET', `/api/v1/deliveries?orderId=${c.orderId}`)).body.items as any[]).sort((a, b) => Number(a.packageReferenceId) - Number(b.packageReferenceId));
  const movesOf = async (c: Case) => (await running.api('GET', `/api/v1/stock-moves?orderId=${c.orderId}&limit=500`)).body.items as any[];
  const atAmazon = async (c: Case) => (await running.sandbox('GET', `/_sandbox/orders/${amazonOrderIdOf(c)}`)).body.order;
  const shipmentsAt = async (c: Case) => (await running.sandbox('GET', `/_sandbox/shipments?orderId=${amazonOrderIdOf(c)}`)).body.shipments as any[];
  const feedsAt = async (c: Case) =>
    ((await running.sandbox('GET', `/_sandbox/feeds?sellerId=${c.seller.sellerId}`)).body.feeds as { feedType: string; messages: any[] }[]).filter((f) =>
      f.messages.some((m) => m.amazonOrderId === amazonOrderIdOf(c)),
    );
  const notificationsOf = async (c: Case) => (await running.api('GET', `/api/v1/notifications?orderId=${c.orderId}`)).body.items as any[];
  const allSent = (c: Case, count: number) =>
    waitFor(async () => {
      const list = await notificationsOf(c);
      return list.length === count && list.every((n) => n.state === 'sent') ? list : undefined;
    }, { timeoutMs: 60_000, what: `${count} sent notification(s) of ${c.api}` });
  const moves = (list: any[], state: string, orderItemId: string) => list.filter((m) => m.state === state && m.orderItemId === orderItemId).reduce((sum, m) => sum + m.quantity, 0);
  const summary = (d: any) => d.moves.filter((m: any) => m.state !== 'canceled').map((m: any) => [m.orderItemId, m.quantity, m.state]).sort();

  /**
   * The next sync reads what changed at Amazon (its cursor trails by a couple of minutes): waits until the
   * order shows Amazon's last update and inventory applied it, then checks everything that must always hold.
   */
  const syncAndReconcile = async (c: Case, settled: (deliveries: any[]) => boolean, what: string) => {
    const amazon = await atAmazon(c);
    await running.sandbox('POST', '/_sandbox/clock', { advanceSeconds: 125 });
    expect((await running.api('POST', `/api/v1/accounts/${c.accountId}/sync`, {})).status).toBe(202);
    const order = await waitFor(async () => {
      const o = await orderDetails(c);
      return o.amazonUpdatedAt === iso(amazon.lastUpdatedTime) ? o : undefined;
    }, { timeoutMs: 60_000, what: `${c.api}: Amazon's update synced (${what})` });
    const deliveries = await waitFor(async () => {
      const list = await deliveriesOf(c);
      return settled(list) ? list : undefined;
    }, { timeoutMs: 60_000, what: `${c.api}: the deliveries (${what})` });

    // Reconciled to Amazon's total, to the cent.
    expect([order.reconciled, order.linesTotal]).toEqual([true, amazon.proceeds.grandTotal.amount]);
    expect(order.amazonTotal).toBe(amazon.proceeds.grandTotal.amount);
    // Each line: what was ordered is shipped, cancelled or still open, and what shipped is what Amazon says.
    const all = await movesOf(c);
    for (const orderItemId of Object.values(itemsOf(c))) {
      const line = order.lines.find((l: any) => l.kind === 'product' && l.orderItemId === orderItemId);
      const [shipped, cancelled, open] = ['done', 'canceled', 'ready'].map((state) => moves(all, state, orderItemId));
      expect([orderItemId, line.quantity]).toEqual([orderItemId, shipped + cancelled + open]);
      expect([orderItemId, line.quantityShipped, line.quantityCancelled]).toEqual([orderItemId, shipped, cancelled]);
    }
    // The warehouse's stock fell by the units shipped (by the connector and outside it), per product.
    const levels = (await running.api('GET', `/api/v1/stock?locationId=${warehouse.id}&limit=500`)).body.items as { productId: string; quantity: number }[];
    for (const [key, orderItemId] of Object.entries(itemsOf(c))) {
      const productId = c.products![key];
      const out = all.filter((m) => m.state === 'done' && m.productId === productId && m.fromLocationId === warehouse.id).reduce((sum, m) => sum + m.quantity, 0);
      expect([key, out]).toEqual([key, moves(all, 'done', orderItemId)]);
      expect([key, levels.find((l) => l.productId === productId)?.quantity]).toEqual([key, STOCK - out]);
    }
    // Nothing confirmed twice.
    for (const shipment of await shipmentsAt(c)) expect([shipment.packageReferenceId, shipment.count]).toEqual([shipment.packageReferenceId, 1]);
    return { order, deliveries, amazon: await atAmazon(c) };
  };

  beforeAll(async () => {
    await running.start({ SANDBOX_TIME_SCALE: '60', SPAPI_RATE_SCALE: '60', CANCEL_BATCH_WINDOW_MS: '500', FEED_POLL_MS: '200' });
    const made = await running.api('POST', '/api/v1/locations', { name: 'Lager Bremen', address: WAREHOUSE, supplySourceId: SUPPLY_SOURCE });
    expect(made.status).toBe(201);
    warehouse = made.body;
    for (const c of CASES) {
      expect((await running.sandbox('POST', '/_sandbox/sellers', c.seller)).status).toBe(201);
      expect((await running.sandbox('POST', `/_sandbox/sellers/${c.seller.sellerId}/orders`, orderOf(c))).status).toBe(201);
      // Not synced before its warehouse, carrier mapping and products are in place.
      const account = await running.createAccount(c.seller, 'EU', { ordersApi: c.api, syncEnabled: false });
      expect(account.status).toBe(201);
      c.accountId = account.body.id;
      expect((await running.api('PUT', `/api/v1/accounts/${c.accountId}/ship-from`, { marketplaceId: DE, locationId: warehouse.id })).status).toBe(200);
      // The global mapping of the name says Hermes; the account's own says DPD, and wins.
      expect((await running.api('PUT', '/api/v1/carrier-mappings/lagerkurier', { carrierCode: 'Hermes' })).status).toBe(200);
      expect((await running.api('PUT', `/api/v1/accounts/${c.accountId}/carrier-mappings/Lagerkurier`, { carrierCode: 'DPD' })).status).toBe(200);
      c.products = {};
      for (const [key, sku] of Object.entries(skusOf(c))) {
        const product = await running.api('POST', '/api/v1/products', { name: `Order life ${sku}`, internalReference: sku });
        expect(product.status).toBe(201);
        c.products[key] = product.body.id;
        expect((await running.api('POST', '/api/v1/stock/adjustments', { productId: product.body.id, locationId: warehouse.id, quantity: STOCK })).status).toBe(201);
      }
      expect((await running.api('POST', `/api/v1/accounts/${c.accountId}/sync`, {})).status).toBe(202);
    }
    for (const c of CASES) {
      const listed = await waitFor(async () => (await running.api('GET', `/api/v1/orders?amazonOrderId=${amazonOrderIdOf(c)}`)).body.items?.[0], { timeoutMs: 90_000, what: `the order of ${c.api}` });
      c.orderId = listed.id;
      await waitFor(async () => (await deliveriesOf(c)).length === 1, { timeoutMs: 60_000, what: `the delivery of ${c.api}` });
    }
  }, 240_000);

  afterAll(() => running.stop(), 60_000);

  describe.each(CASES.map((c) => [c.api, c] as const))('%s', (_api, c) => {
    it('synced: Prime, the ship-by window, the gift message, the promotion; one delivery from the warehouse; reconciled', async () => {
      const item = itemsOf(c);
      const { order, deliveries } = await syncAndReconcile(c, (list) => list.length === 1, 'the first sync');
      expect(order).toMatchObject({ isPrime: true, latestShipDate: iso(SHIP_BY.latestDateTime), giftMessage: 'Alles Gute!', status: 'confirmed' });
      expect(order.lines.filter((l: any) => l.kind === 'product').map((l: any) => l.productId).sort()).toEqual(Object.values(c.products!).sort());
      const line = (orderItemId: string, kind = 'product') => order.lines.find((l: any) => l.kind === kind && l.orderItemId === orderItemId);
      expect(line(item.A)).toMatchObject({ promotionIds: ['PROMO-LIFE'], discountTaxIncluded: '3.33' });
      expect(line(item.B, 'gift_wrap')).toMatchObject({ name: 'Gift wrap (Classic)', totalTaxIncluded: '2.50' });
      const [delivery] = deliveries;
      expect(delivery).toMatchObject({ state: 'ready', isPrime: true, latestShipDate: iso(SHIP_BY.latestDateTime), giftMessage: 'Alles Gute!', onHold: false });
      expect(delivery.shipFrom).toEqual({ locationId: warehouse.id, name: 'Lager Bremen', address: WAREHOUSE, supplySourceId: SUPPLY_SOURCE });
      expect(summary(delivery)).toEqual([[item.A, 4, 'ready'], [item.B, 2, 'ready'], [item.C, 3, 'ready']]);
      expect(delivery.moves.every((m: any) => m.fromLocationId === warehouse.id)).toBe(true);
    });

    it("part validated with the seller's carrier name: a backorder; Amazon's confirmation names the mapped carrier, the warehouse and only the shipped units", async () => {
      const item = itemsOf(c);
      const [first] = await deliveriesOf(c);
      const validated = await running.api('POST', `/api/v1/deliveries/${first.id}/validate`, {
        carrier: 'lagerkurier',
        trackingNumber: `DPD-${c.prefix}-1`,
        shippingMethod: 'Standard',
        lines: [{ orderItemId: item.A, quantity: 2 }, { orderItemId: item.B, quantity: 1 }],
      });
      expect(validated.status).toBe(200);
      expect(validated.body).toMatchObject({ state: 'done', carrierCode: 'DPD', carrierName: null, packageReferenceId: '1', shipFrom: { locationId: warehouse.id, supplySourceId: SUPPLY_SOURCE } });
      await allSent(c, 1);
      const [confirmation] = await shipmentsAt(c);
      expect(confirmation.packageDetail).toMatchObject({ packageReferenceId: '1', carrierCode: 'DPD', shippingMethod: 'Standard', trackingNumber: `DPD-${c.prefix}-1`, shipFromSupplySourceId: SUPPLY_SOURCE });
      expect(confirmation.packageDetail.orderItems).toEqual([{ orderItemId: item.A, quantity: 2 }, { orderItemId: item.B, quantity: 1 }]);

      const { order, deliveries } = await syncAndReconcile(c, (list) => list.length === 2, 'the partial shipment');
      expect(order.status).toBe('partially_shipped');
      const [, backorder] = deliveries;
      expect(backorder).toMatchObject({ state: 'ready', packageReferenceId: '2', backorderOfId: first.id });
      expect(summary(backorder)).toEqual([[item.A, 2, 'ready'], [item.B, 1, 'ready'], [item.C, 3, 'ready']]);
    });

    it('1 of the 2 open units of A cancelled with items: the backorder shrinks, Amazon gets the adjustment and lowers its total', async () => {
      const item = itemsOf(c);
      const before = await orderDetails(c);
      // A partial cancellation needs an Idempotency-Key (units are "N more": a retry must not cancel more).
      const answer = await request<any>('POST', `${running.gatewayUrl}/api/v1/orders/${c.orderId}/cancel`, { reason: 'NoInventory', items: [{ orderItemId: item.A, quantity: 1 }] }, { authorization: `Bearer ${API_KEY}`, 'idempotency-key': randomUUID() });
      expect(answer.status).toBe(200);
      expect(answer.body.lines.find((l: any) => l.kind === 'product' && l.orderItemId === item.A).quantityCancelled).toBe(1);
      const notifications = await allSent(c, 2);
      expect(notifications.map((n) => n.kind).sort()).toEqual(['shipment_confirmation', 'unit_cancellation']);
      const [adjustment] = await feedsAt(c);
      expect(adjustment.feedType).toBe('POST_PAYMENT_ADJUSTMENT_DATA');
      expect(adjustment.messages[0].adjustedItems).toEqual([{ amazonOrderItemCode: item.A, adjustmentReason: 'NoInventory', quantityCancelled: '1' }]);
      expect((await atAmazon(c)).orderItems.find((i: any) => i.orderItemId === item.A).quantityOrdered).toBe(3);

      const { order, deliveries } = await syncAndReconcile(c, (list) => list[1]?.moves.some((m: any) => m.state === 'canceled'), 'the unit cancellation');
      expect(order.amazonTotal).not.toBe(before.amazonTotal);
      expect(deliveries).toHaveLength(2);
      expect(summary(deliveries[1])).toEqual([[item.A, 1, 'ready'], [item.B, 1, 'ready'], [item.C, 3, 'ready']]);
      expect(await feedsAt(c)).toHaveLength(1);
    });

    it('C shipped from Seller Central: the backorder closes those units without a confirmation, the rest goes to a new backorder', async () => {
      const item = itemsOf(c);
      expect((await running.sandbox('POST', `/_sandbox/orders/${amazonOrderIdOf(c)}/ship-outside`, { items: [{ orderItemId: item.C, quantity: 3 }], carrier: 'Buy Shipping DHL' })).status).toBe(200);
      const { deliveries } = await syncAndReconcile(c, (list) => list.length === 3, 'shipped outside');
      const [, closed, rest] = deliveries;
      expect(closed).toMatchObject({ packageReferenceId: '2', state: 'done', shippedOutsideAt: expect.any(String) });
      expect(summary(closed)).toEqual([[item.C, 3, 'done']]);
      expect(rest).toMatchObject({ packageReferenceId: '3', state: 'ready', backorderOfId: closed.id, shippedOutsideAt: null, onHold: false });
      expect(summary(rest)).toEqual([[item.A, 1, 'ready'], [item.B, 1, 'ready']]);
      expect(rest.shipFrom).toMatchObject({ locationId: warehouse.id, supplySourceId: SUPPLY_SOURCE });
      expect((await running.api('POST', `/api/v1/deliveries/${closed.id}/validate`, { carrierCode: 'DHL', trackingNumber: 'LATE' })).status).toBe(409);
      expect(await shipmentsAt(c)).toHaveLength(1);
      expect(await notificationsOf(c)).toHaveLength(2);
    });

    it("the buyer asks to cancel what is left: the backorder is held (409); released, it ships as its own package", async () => {
      const item = itemsOf(c);
      expect((await running.sandbox('POST', `/_sandbox/orders/${amazonOrderIdOf(c)}/buyer-cancel-request`, { reason: 'Zu spät', orderItemIds: [item.A, item.B] })).status).toBe(200);
      const { deliveries } = await syncAndReconcile(c, (list) => list[2]?.onHold === true, 'the buyer\'s request');
      const rest = deliveries[2];
      expect(rest).toMatchObject({ state: 'ready', onHold: true, holdReason: 'buyer-cancel-request' });
      const refused = await running.api('POST', `/api/v1/deliveries/${rest.id}/validate`, { carrierCode: 'UPS', trackingNumber: `UPS-${c.prefix}-3` });
      expect(refused.status).toBe(409);
      expect(refused.body.message).toContain('is on hold');

      expect((await running.api('POST', `/api/v1/deliveries/${rest.id}/release`, {})).status).toBe(200);
      const validated = await running.api('POST', `/api/v1/deliveries/${rest.id}/validate`, { carrierCode: 'UPS', trackingNumber: `UPS-${c.prefix}-3`, shippingMethod: 'Express' });
      expect(validated.status).toBe(200);
      expect(validated.body).toMatchObject({ state: 'done', packageReferenceId: '3', carrierCode: 'UPS' });
      await allSent(c, 3);
      const packages = (await shipmentsAt(c)).map((s) => s.packageDetail).sort((a, b) => Number(a.packageReferenceId) - Number(b.packageReferenceId));
      expect(packages.map((p) => [p.packageReferenceId, p.carrierCode, p.shippingMethod, p.shipFromSupplySourceId])).toEqual([
        ['1', 'DPD', 'Standard', SUPPLY_SOURCE],
        ['3', 'UPS', 'Express', SUPPLY_SOURCE],
      ]);
      expect(packages[1].orderItems).toEqual([{ orderItemId: item.A, quantity: 1 }, { orderItemId: item.B, quantity: 1 }]);
      expect((await atAmazon(c)).fulfillment.fulfillmentStatus).toBe('SHIPPED');

      // The end: shipped, reconciled, every unit accounted for, one feed, two confirmations.
      const { order, deliveries: end } = await syncAndReconcile(c, (list) => list.length === 3 && list.every((d) => d.state === 'done'), 'the end');
      expect(order).toMatchObject({ status: 'shipped', reconciled: true, buyerCancelRequested: true });
      await waitFor(async () => (await orderDetails(c)).deliveryState === 'done', { what: `${c.api}: the order to show it delivered` });
      expect(order.lines.filter((l: any) => l.kind === 'product').map((l: any) => [l.orderItemId, l.quantity, l.quantityShipped, l.quantityCancelled])).toEqual(
        expect.arrayContaining([[item.A, 4, 3, 1], [item.B, 2, 2, 0], [item.C, 3, 3, 0]]),
      );
      expect(end.map((d) => [d.packageReferenceId, d.state, d.shippedOutsideAt === null])).toEqual([['1', 'done', true], ['2', 'done', false], ['3', 'done', true]]);
      expect(await feedsAt(c)).toHaveLength(1);
      expect(await shipmentsAt(c)).toHaveLength(2);
    });
  });
});
