import { scrapeMetrics } from '@connector/test-environment';
import { amazonOrder, RunningSystem, waitFor } from '@connector/testing';

/**
 * Orders the seller shipped from Seller Central or with Buy Shipping: Amazon reports them
 * shipped, the connector never confirmed them. Their deliveries close (stock goes out), no
 * confirmation is ever sent for them, and validating them is refused.
 */
const SELLER = { sellerId: 'A2SHIPOUT00001', clientId: 'out-client', clientSecret: 'out-secret', refreshToken: 'Atzr|out', marketplaceIds: ['A1PA6795UKMFR9'] };
const recently = () => new Date(Date.now() - 180_000).toISOString();

const whole = amazonOrder({ orderId: '306-0000001-0000001', lastUpdatedTime: recently(), items: [{ orderItemId: '71000000000001', sku: 'OUT-MUG', quantity: 2, unitPrice: '9.00', tax: '2.87' }] });
const partial = amazonOrder({
  orderId: '306-0000002-0000002',
  lastUpdatedTime: recently(),
  items: [
    { orderItemId: '72000000000001', sku: 'OUT-MUG', quantity: 3, unitPrice: '9.00', tax: '4.31' },
    { orderItemId: '72000000000002', sku: 'OUT-CUP', quantity: 1, unitPrice: '5.00', tax: '0.80' },
  ],
});
// Validated through the connector: its confirmation is the bound of the wait for any other.
const barrier = amazonOrder({ orderId: '306-0000003-0000003', lastUpdatedTime: recently(), items: [{ orderItemId: '73000000000001', sku: 'OUT-CUP', quantity: 1, unitPrice: '5.00', tax: '0.80' }] });
// First seen already shipped (a backfill): wholly, and one of two units.
const backfilled = amazonOrder({ orderId: '306-0000004-0000004', lastUpdatedTime: recently(), status: 'SHIPPED', items: [{ orderItemId: '74000000000001', sku: 'OUT-MUG', quantity: 2, unitPrice: '9.00', tax: '2.87' }] });
const backfilledPartly = amazonOrder({
  orderId: '306-0000005-0000005',
  lastUpdatedTime: recently(),
  status: 'PARTIALLY_SHIPPED',
  items: [{ orderItemId: '75000000000001', sku: 'OUT-CUP', quantity: 2, quantityShipped: 1, unitPrice: '5.00', tax: '1.60' }],
});

describe('shipped outside the connector (Seller Central, Buy Shipping)', () => {
  const running = new RunningSystem();
  let accountId: string;
  const order = async (amazonOrderId: string) => (await running.api('GET', `/api/v1/orders?amazonOrderId=${amazonOrderId}`)).body.items[0];
  const deliveriesOf = async (orderId: string) => ((await running.api('GET', `/api/v1/deliveries?orderId=${orderId}`)).body.items as any[]).sort((a, b) => Number(a.packageReferenceId) - Number(b.packageReferenceId));
  const movesOf = async (orderId: string) => (await running.api('GET', `/api/v1/stock-moves?orderId=${orderId}`)).body.items as any[];
  const shipmentsAt = async (amazonOrderId: string) => (await running.sandbox('GET', `/_sandbox/shipments?orderId=${amazonOrderId}`)).body.shipments as any[];
  const notificationsOf = async (orderId: string) => (await running.api('GET', `/api/v1/notifications?orderId=${orderId}`)).body.items as any[];
  /** The next sync sees what changed at Amazon (its cursor trails by a couple of minutes). */
  const syncAgain = async () => {
    await running.sandbox('POST', '/_sandbox/clock', { advanceSeconds: 125 });
    await running.api('POST', `/api/v1/accounts/${accountId}/sync`, {});
  };
  const sum = (moves: any[], state: string, orderItemId?: string) =>
    moves.filter((m) => m.state === state && (!orderItemId || m.orderItemId === orderItemId)).reduce((total, m) => total + m.quantity, 0);

  beforeAll(async () => {
    await running.start({ SANDBOX_TIME_SCALE: '60', SPAPI_RATE_SCALE: '60' });
    await running.sandbox('POST', '/_sandbox/sellers', SELLER);
    for (const o of [whole, partial, barrier, backfilled, backfilledPartly]) expect((await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders`, o)).status).toBe(201);
    const created = await running.createAccount(SELLER);
    accountId = created.body.id;
    await waitFor(async () => (await running.api('GET', `/api/v1/orders?accountId=${accountId}`)).body.items?.length === 5, { timeoutMs: 60_000, what: 'five synced orders' });
    for (const id of [whole.orderId, partial.orderId, barrier.orderId]) {
      const o = await order(id);
      await waitFor(async () => (await deliveriesOf(o.id)).length === 1, { what: `the delivery of ${id}` });
    }
  }, 180_000);

  afterAll(() => running.stop(), 60_000);

  it('the sandbox ships at Amazon without a confirmation, and refuses what cannot ship', async () => {
    const tooMany = await running.sandbox('POST', `/_sandbox/orders/${partial.orderId}/ship-outside`, { items: [{ orderItemId: '72000000000001', quantity: 9 }, { orderItemId: 'nope', quantity: 1 }] });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message.join(' | ')).toMatch(/items\.0\.quantity.*items\.1\.orderItemId/);
    const bad = await running.sandbox('POST', `/_sandbox/orders/${partial.orderId}/ship-outside`, { items: [{ orderItemId: '', quantity: 0 }] });
    expect(bad.status).toBe(400);
    expect((await running.sandbox('POST', `/_sandbox/orders/${backfilled.orderId}/ship-outside`, {})).status).toBe(400);
    expect((await running.sandbox('POST', '/_sandbox/orders/306-9999999-9999999/ship-outside', {})).status).toBe(404);
    // Nothing changed at Amazon by the refused calls.
    expect((await running.sandbox('GET', `/_sandbox/orders/${partial.orderId}`)).body.order.fulfillment.fulfillmentStatus).toBe('UNSHIPPED');
  });

  it('a whole order shipped at Amazon: its delivery is done with its stock moves, validating it is a 409, nothing is confirmed', async () => {
    const o = await order(whole.orderId);
    const [open] = await deliveriesOf(o.id);
    const shippedAt = await running.sandbox('POST', `/_sandbox/orders/${whole.orderId}/ship-outside`, { carrier: 'Buy Shipping UPS' });
    expect(shippedAt.status).toBe(200);
    expect(shippedAt.body.order.fulfillment.fulfillmentStatus).toBe('SHIPPED');
    await syncAgain();

    const [closed] = await waitFor(async () => {
      const list = await deliveriesOf(o.id);
      return list[0]?.state === 'done' ? list : undefined;
    }, { timeoutMs: 60_000, what: 'the delivery closed as shipped outside' });
    expect(closed).toMatchObject({ id: open.id, state: 'done', shippedOutsideAt: expect.any(String), trackingNumber: null });
    expect(closed.shippedOutsideAt).toBe(new Date(shippedAt.body.order.lastUpdatedTime).toISOString());
    expect(closed.moves).toEqual([expect.objectContaining({ orderItemId: '71000000000001', quantity: 2, state: 'done', reason: 'fbm_sale' })]);
    expect((await deliveriesOf(o.id))).toHaveLength(1);
    await waitFor(async () => (await running.api('GET', `/api/v1/orders/${o.id}`)).body.deliveryState === 'done', { what: 'the order to show it delivered' });

    const refused = await running.api('POST', `/api/v1/deliveries/${open.id}/validate`, { carrierCode: 'DHL', trackingNumber: 'LATE-1' });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain(`shipped outside the connector on ${closed.shippedOutsideAt}`);

    // A confirmation the connector does send, validated after the closing: once it is sent,
    // the closed order's would have been too (one stream, in order). None was.
    const b = await order(barrier.orderId);
    const [barrierDelivery] = await deliveriesOf(b.id);
    expect((await running.api('POST', `/api/v1/deliveries/${barrierDelivery.id}/validate`, { carrierCode: 'DHL', trackingNumber: 'BARRIER-1' })).status).toBe(200);
    await waitFor(async () => (await notificationsOf(b.id))[0]?.state === 'sent', { timeoutMs: 60_000, what: 'the barrier order\'s confirmation' });
    expect(await shipmentsAt(barrier.orderId)).toHaveLength(1);
    expect(await shipmentsAt(whole.orderId)).toEqual([]);
    expect(await notificationsOf(o.id)).toEqual([]);
  });

  it('some items shipped at Amazon: the delivery closes for them, a backorder keeps the rest and is confirmed alone; totals reconcile', async () => {
    const o = await order(partial.orderId);
    const [open] = await deliveriesOf(o.id);
    expect((await running.sandbox('POST', `/_sandbox/orders/${partial.orderId}/ship-outside`, { items: [{ orderItemId: '72000000000001', quantity: 2 }] })).status).toBe(200);
    await syncAgain();

    const [closed, backorder] = await waitFor(async () => {
      const list = await deliveriesOf(o.id);
      return list.length === 2 ? list : undefined;
    }, { timeoutMs: 60_000, what: 'the delivery split' });
    expect(closed).toMatchObject({ id: open.id, state: 'done', packageReferenceId: '1', shippedOutsideAt: expect.any(String) });
    expect(closed.moves).toEqual([expect.objectContaining({ orderItemId: '72000000000001', quantity: 2, state: 'done' })]);
    expect(backorder).toMatchObject({ state: 'ready', packageReferenceId: '2', backorderOfId: open.id, shippedOutsideAt: null });
    expect(backorder.moves.map((m: any) => [m.orderItemId, m.quantity]).sort()).toEqual([['72000000000001', 1], ['72000000000002', 1]]);
    await waitFor(async () => (await running.api('GET', `/api/v1/orders/${o.id}`)).body.deliveryState === 'partially_done', { what: 'the order to show it partly delivered' });
    expect((await running.api('POST', `/api/v1/deliveries/${closed.id}/validate`, { carrierCode: 'DHL', trackingNumber: 'LATE-2' })).status).toBe(409);

    // The rest ships through the connector: only that package is confirmed at Amazon.
    expect((await running.api('POST', `/api/v1/deliveries/${backorder.id}/validate`, { carrierCode: 'UPS', trackingNumber: '1Z-REST' })).status).toBe(200);
    await waitFor(async () => (await notificationsOf(o.id))[0]?.state === 'sent', { timeoutMs: 60_000, what: 'the backorder\'s confirmation' });
    const shipments = await shipmentsAt(partial.orderId);
    expect(shipments).toHaveLength(1);
    expect(shipments[0]).toMatchObject({ packageReferenceId: '2', count: 1 });
    expect(shipments[0].packageDetail.orderItems).toEqual([{ orderItemId: '72000000000001', quantity: 1 }, { orderItemId: '72000000000002', quantity: 1 }]);
    expect(await notificationsOf(o.id)).toHaveLength(1);
    expect((await running.sandbox('GET', `/_sandbox/orders/${partial.orderId}`)).body.order.fulfillment.fulfillmentStatus).toBe('SHIPPED');

    // Amazon now reports all of it shipped, the connector's package included: nothing more closes.
    await syncAgain();
    await waitFor(async () => (await running.api('GET', `/api/v1/orders/${o.id}`)).body.status === 'shipped', { timeoutMs: 60_000, what: 'the order synced as shipped' });
    await waitFor(async () => (await running.api('GET', `/api/v1/orders/${o.id}`)).body.deliveryState === 'done', { what: 'the order to show it delivered' });
    const moves = await movesOf(o.id);
    expect(sum(moves, 'done', '72000000000001')).toBe(3);
    expect(sum(moves, 'done', '72000000000002')).toBe(1);
    expect(sum(moves, 'ready')).toBe(0);
    expect((await deliveriesOf(o.id)).map((d) => [d.packageReferenceId, d.state, d.shippedOutsideAt === null])).toEqual([
      ['1', 'done', false],
      ['2', 'done', true],
    ]);
  });

  it('an order first seen shipped (a backfill) gets a done delivery; first seen partly shipped, a done one and a ready backorder', async () => {
    const o = await order(backfilled.orderId);
    const [done] = await waitFor(async () => {
      const list = await deliveriesOf(o.id);
      return list.length === 1 ? list : undefined;
    }, { what: 'the backfilled delivery' });
    expect(done).toMatchObject({ state: 'done', packageReferenceId: '1', shippedOutsideAt: expect.any(String) });
    expect(done.moves).toEqual([expect.objectContaining({ orderItemId: '74000000000001', quantity: 2, state: 'done' })]);
    await waitFor(async () => (await running.api('GET', `/api/v1/orders/${o.id}`)).body.deliveryState === 'done', { what: 'the backfilled order to show it delivered' });
    expect((await running.api('POST', `/api/v1/deliveries/${done.id}/validate`, { carrierCode: 'DHL', trackingNumber: 'LATE-3' })).status).toBe(409);

    const p = await order(backfilledPartly.orderId);
    const [shipped, rest] = await waitFor(async () => {
      const list = await deliveriesOf(p.id);
      return list.length === 2 ? list : undefined;
    }, { what: 'the partly backfilled deliveries' });
    expect(shipped).toMatchObject({ state: 'done', packageReferenceId: '1', shippedOutsideAt: expect.any(String) });
    expect(shipped.moves).toEqual([expect.objectContaining({ quantity: 1, state: 'done' })]);
    expect(rest).toMatchObject({ state: 'ready', packageReferenceId: '2', backorderOfId: shipped.id, shippedOutsideAt: null });
    expect(rest.moves).toEqual([expect.objectContaining({ quantity: 1, state: 'ready' })]);
    expect(await shipmentsAt(backfilled.orderId)).toEqual([]);
    expect(await notificationsOf(o.id)).toEqual([]);
  });

  it('inventory counts the deliveries shipped outside the connector in the last day, and the accounts they are of', async () => {
    // The whole one, the partial one's first, and the two backfilled ones: all of the one account.
    const metrics = await waitFor(
      async () => {
        const scraped = await scrapeMetrics(`${running.system.managementUrl('inventory')}/metrics`);
        return scraped.sum('connector_deliveries_shipped_outside_24h') === 4 ? scraped : undefined;
      },
      { what: 'four deliveries shipped outside in the metric' },
    );
    expect(metrics.sum('connector_deliveries_shipped_outside_24h_accounts')).toBe(1);
    const shippedOutside = (await running.api('GET', `/api/v1/deliveries?accountId=${accountId}&state=done&limit=50`)).body.items.filter((d: { shippedOutsideAt: string | null }) => d.shippedOutsideAt);
    expect(shippedOutside).toHaveLength(4);
  });
});
