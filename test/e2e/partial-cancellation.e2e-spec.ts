import { randomUUID } from 'node:crypto';
import { request } from '@connector/local-system';
import { amazonOrder, API_KEY, RunningSystem, waitFor } from '@connector/testing';

/**
 * Partial cancellation by the seller (issue 14): some units of an FBM order are cancelled
 * through the API; Amazon is told per item (whole items in the acknowledgement feed, units in
 * the adjustment feed), the delivery shrinks, the lines show what was cancelled, and after
 * Amazon's reduced figures come back with the next sync the order still reconciles to the cent.
 */
const SELLER = { sellerId: 'A2PARTCANCEL01', clientId: 'partial-client', clientSecret: 'partial-secret', refreshToken: 'Atzr|partial', marketplaceIds: ['A1PA6795UKMFR9'] };
const recently = () => new Date(Date.now() - 180_000).toISOString();

const [A, B] = ['81000000000001', '81000000000002'];
// Amounts that do not divide evenly by 3: Amazon's reduced figures must still add up.
const mixed = amazonOrder({
  orderId: '307-0000001-0000001',
  lastUpdatedTime: recently(),
  items: [
    { orderItemId: A, sku: 'PART-MUG', quantity: 3, unitPrice: '11.90', tax: '5.70', shipping: '4.99', shippingTax: '0.80' },
    { orderItemId: B, sku: 'PART-CUP', quantity: 1, unitPrice: '5.00', tax: '0.80' },
  ],
});
const [C, D] = ['82000000000001', '82000000000002'];
const backordered = amazonOrder({
  orderId: '307-0000002-0000002',
  lastUpdatedTime: recently(),
  items: [
    { orderItemId: C, sku: 'PART-MUG', quantity: 3, unitPrice: '9.00', tax: '4.31', shipping: '2.99', shippingTax: '0.48' },
    { orderItemId: D, sku: 'PART-CUP', quantity: 1, unitPrice: '5.00', tax: '0.80' },
  ],
});

interface SandboxFeed {
  feedType: string;
  messages: { amazonOrderId: string; statusCode?: string; items?: { amazonOrderItemCode: string; cancelReason: string }[]; adjustedItems?: { amazonOrderItemCode: string; adjustmentReason: string; quantityCancelled: string }[] }[];
}

describe('partial cancellation of FBM orders', () => {
  const running = new RunningSystem();
  let accountId: string;
  const order = async (amazonOrderId: string) => (await running.api('GET', `/api/v1/orders?amazonOrderId=${amazonOrderId}`)).body.items[0];
  const deliveriesOf = async (orderId: string) => ((await running.api('GET', `/api/v1/deliveries?orderId=${orderId}`)).body.items as any[]).sort((a, b) => Number(a.packageReferenceId) - Number(b.packageReferenceId));
  const notificationsOf = async (orderId: string) => (await running.api('GET', `/api/v1/notifications?orderId=${orderId}`)).body.items as any[];
  const atAmazon = async (amazonOrderId: string) => (await running.sandbox('GET', `/_sandbox/orders/${amazonOrderId}`)).body.order;
  const feedsFor = async (amazonOrderId: string): Promise<SandboxFeed[]> =>
    ((await running.sandbox('GET', `/_sandbox/feeds?sellerId=${SELLER.sellerId}`)).body.feeds as SandboxFeed[]).filter((f) => f.messages.some((m) => m.amazonOrderId === amazonOrderId));
  /** `key`: a fresh Idempotency-Key unless given; null sends none. */
  const cancel = (orderId: string, body: unknown, key: string | null = randomUUID()) =>
    request<any>('POST', `${running.gatewayUrl}/api/v1/orders/${orderId}/cancel`, body, { authorization: `Bearer ${API_KEY}`, ...(key ? { 'idempotency-key': key } : {}) });
  const fields = (body: any) => (body.details ?? []).map((d: any) => d.field).sort();
  const line = (o: any, orderItemId: string) => o.lines.find((l: any) => l.orderItemId === orderItemId && l.kind === 'product');
  /** Every notification of the order sent. */
  const allSent = (orderId: string, count: number) =>
    waitFor(async () => {
      const list = await notificationsOf(orderId);
      return list.length === count && list.every((n) => n.state === 'sent') ? list : undefined;
    }, { timeoutMs: 60_000, what: `${count} sent notification(s)` });
  /** The next sync reads what changed at Amazon (its cursor trails by a couple of minutes); waits for the order to show Amazon's update. */
  const syncUntil = async (amazonOrderId: string, done: (o: any) => boolean, what: string) => {
    await running.sandbox('POST', '/_sandbox/clock', { advanceSeconds: 125 });
    await running.api('POST', `/api/v1/accounts/${accountId}/sync`, {});
    return waitFor(async () => {
      const o = await order(amazonOrderId);
      return done(o) ? o : undefined;
    }, { timeoutMs: 60_000, what });
  };

  beforeAll(async () => {
    await running.start({ SANDBOX_TIME_SCALE: '60', SPAPI_RATE_SCALE: '60', CANCEL_BATCH_WINDOW_MS: '500', FEED_POLL_MS: '200' });
    await running.sandbox('POST', '/_sandbox/sellers', SELLER);
    for (const o of [mixed, backordered]) expect((await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders`, o)).status).toBe(201);
    accountId = (await running.createAccount(SELLER)).body.id;
    await waitFor(async () => (await running.api('GET', `/api/v1/orders?accountId=${accountId}`)).body.items?.length === 2, { timeoutMs: 60_000, what: 'two synced orders' });
    for (const id of [mixed.orderId, backordered.orderId]) {
      const o = await order(id);
      expect(o.reconciled).toBe(true);
      await waitFor(async () => (await deliveriesOf(o.id)).length === 1, { what: `the delivery of ${id}` });
    }
  }, 180_000);

  afterAll(() => running.stop(), 60_000);

  it('refuses bad items with their fields, and changes nothing', async () => {
    const o = await order(mixed.orderId);
    const zero = await cancel(o.id, { reason: 'NoInventory', items: [{ orderItemId: A, quantity: 0 }] });
    expect(zero.status).toBe(400);
    expect(fields(zero.body)).toEqual(['items.0.quantity']);
    const empty = await cancel(o.id, { reason: 'NoInventory', items: [] });
    expect(empty.status).toBe(400);
    expect(fields(empty.body)).toEqual(['items']);
    const unknown = await cancel(o.id, { reason: 'NoInventory', items: [{ orderItemId: 'nope', quantity: 1 }, { orderItemId: A, quantity: 2 }, { orderItemId: A, quantity: 2 }] });
    expect(unknown.status).toBe(400);
    // The second A asks 4 in all, of 3.
    expect(fields(unknown.body)).toEqual(['items.0.orderItemId', 'items.2.quantity']);
    // Units are "N more": without an Idempotency-Key a retry would cancel more, so the key is required.
    const keyless = await cancel(o.id, { reason: 'NoInventory', items: [{ orderItemId: A, quantity: 1 }] }, null);
    expect(keyless.status).toBe(400);
    expect(fields(keyless.body)).toEqual(['Idempotency-Key']);
    const after = await order(mixed.orderId);
    expect(after.lines.map((l: any) => l.quantityCancelled)).toEqual(after.lines.map(() => 0));
    expect(await notificationsOf(o.id)).toEqual([]);
  });

  it('1 of 3 units of A and all of B: Amazon gets an adjustment and an item-level cancellation, the delivery shrinks, the lines show it, the sync reconciles, the rest ships', async () => {
    const o = await order(mixed.orderId);
    const [delivery] = await deliveriesOf(o.id);
    const body = { reason: 'NoInventory', items: [{ orderItemId: A, quantity: 1 }, { orderItemId: B, quantity: 1 }] };
    const answer = await cancel(o.id, body, 'partial-cancel-mixed');
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('confirmed');
    expect([line(answer.body, A), line(answer.body, B)].map((l) => [l.quantity, l.quantityCancelled])).toEqual([[3, 1], [1, 1]]);
    // A retry with the same key answers the same, and cancels nothing more.
    const again = await cancel(o.id, body, 'partial-cancel-mixed');
    expect(again.status).toBe(200);
    expect(again.body).toEqual(answer.body);

    // Amazon is told per item: the unit of A in an adjustment, B whole in an acknowledgement.
    const notifications = await allSent(o.id, 2);
    expect(notifications.map((n) => n.kind).sort()).toEqual(['cancellation', 'unit_cancellation']);
    const feeds = await feedsFor(mixed.orderId);
    const adjustment = feeds.find((f) => f.feedType === 'POST_PAYMENT_ADJUSTMENT_DATA')!;
    expect(adjustment.messages[0].adjustedItems).toEqual([{ amazonOrderItemCode: A, adjustmentReason: 'NoInventory', quantityCancelled: '1' }]);
    const acknowledgement = feeds.find((f) => f.feedType === 'POST_ORDER_ACKNOWLEDGEMENT_DATA')!;
    expect(acknowledgement.messages[0]).toMatchObject({ statusCode: 'Failure', items: [{ amazonOrderItemCode: B, cancelReason: 'NoInventory' }] });
    expect(feeds).toHaveLength(2);
    const amazon = await atAmazon(mixed.orderId);
    expect(amazon.fulfillment.fulfillmentStatus).toBe('UNSHIPPED');
    const [amazonA, amazonB] = [A, B].map((id) => amazon.orderItems.find((i: any) => i.orderItemId === id));
    expect(amazonA.quantityOrdered).toBe(2);
    expect(amazonB.cancellation.cancellationExecution).toMatchObject({ cancelledBy: 'MERCHANT', cancelReason: 'NoInventory' });

    // The delivery shrank: 2 of A left to ship, the rest cancelled moves.
    const shrunk = await waitFor(async () => {
      const [d] = await deliveriesOf(o.id);
      return d.moves.some((m: any) => m.state === 'canceled') ? d : undefined;
    }, { what: 'the delivery to shrink' });
    expect(shrunk).toMatchObject({ id: delivery.id, state: 'ready' });
    expect(shrunk.moves.map((m: any) => [m.orderItemId, m.quantity, m.state]).sort()).toEqual([[A, 1, 'canceled'], [A, 2, 'ready'], [B, 1, 'canceled']]);

    // The next sync brings Amazon's reduced figures: still reconciled to the cent, the cancellation counted once.
    const synced = await syncUntil(mixed.orderId, (x) => x.amazonTotal !== o.amazonTotal, 'Amazon\'s reduced total synced');
    expect(synced.reconciled).toBe(true);
    expect(synced.linesTotal).toBe(synced.amazonTotal);
    expect(synced.amazonTotal).toBe(amazon.proceeds.grandTotal.amount);
    expect([line(synced, A), line(synced, B)].map((l) => [l.quantity, l.quantityCancelled, l.quantityShipped])).toEqual([[3, 1, 0], [1, 1, 0]]);
    expect(line(synced, A).unitPriceTaxIncluded).toBe('11.90');

    // The rest ships: its confirmation reaches Amazon, which then has the order shipped.
    const validated = await running.api('POST', `/api/v1/deliveries/${delivery.id}/validate`, { carrierCode: 'DHL', trackingNumber: 'PART-1' });
    expect(validated.status).toBe(200);
    await allSent(o.id, 3);
    const shipments = (await running.sandbox('GET', `/_sandbox/shipments?orderId=${mixed.orderId}`)).body.shipments as any[];
    expect(shipments).toHaveLength(1);
    expect(shipments[0].packageDetail.orderItems).toEqual([{ orderItemId: A, quantity: 2 }]);
    expect((await atAmazon(mixed.orderId)).fulfillment.fulfillmentStatus).toBe('SHIPPED');
    const shipped = await syncUntil(mixed.orderId, (x) => x.status === 'shipped', 'the order synced as shipped');
    expect(shipped.reconciled).toBe(true);
    expect(shipped.linesTotal).toBe(shipped.amazonTotal);
    expect([line(shipped, A), line(shipped, B)].map((l) => [l.quantity, l.quantityCancelled, l.quantityShipped])).toEqual([[3, 1, 2], [1, 1, 0]]);

    // Shipped: nothing more can be cancelled.
    expect((await cancel(o.id, { reason: 'NoInventory', items: [{ orderItemId: A, quantity: 1 }] })).status).toBe(409);
    const audit = (await running.api('GET', '/api/v1/audit?limit=500')).body.items as any[];
    expect(audit.filter((e) => e.path === `/api/v1/orders/${o.id}/cancel` && e.method === 'POST' && e.status === 200).length).toBeGreaterThanOrEqual(1);
  });

  it('a partial shipment leaves a backorder; cancelling part of it shrinks the backorder only, then the rest of it; totals reconcile', async () => {
    const o = await order(backordered.orderId);
    const [first] = await deliveriesOf(o.id);
    expect((await running.api('POST', `/api/v1/deliveries/${first.id}/validate`, { carrierCode: 'DHL', trackingNumber: 'PART-2', lines: [{ orderItemId: C, quantity: 1 }, { orderItemId: D, quantity: 1 }] })).status).toBe(200);
    await allSent(o.id, 1);
    const [, backorder] = await waitFor(async () => {
      const list = await deliveriesOf(o.id);
      return list.length === 2 ? list : undefined;
    }, { what: 'the backorder' });
    expect(backorder.moves.map((m: any) => [m.orderItemId, m.quantity, m.state])).toEqual([[C, 2, 'ready']]);

    // What is validated can no longer be cancelled: 1 of C shipped, 2 open; D shipped whole.
    const tooMany = await cancel(o.id, { reason: 'BuyerCanceled', items: [{ orderItemId: C, quantity: 3 }, { orderItemId: D, quantity: 1 }] });
    expect(tooMany.status).toBe(400);
    expect(fields(tooMany.body)).toEqual(['items.0.quantity', 'items.1.quantity']);

    const answer = await cancel(o.id, { reason: 'BuyerCanceled', items: [{ orderItemId: C, quantity: 1 }] });
    expect(answer.status).toBe(200);
    expect(line(answer.body, C).quantityCancelled).toBe(1);
    await allSent(o.id, 2);
    // Part of the order shipped: Amazon takes units only, so it went in the adjustment feed.
    const kinds = (await notificationsOf(o.id)).map((n) => n.kind).sort();
    expect(kinds).toEqual(['shipment_confirmation', 'unit_cancellation']);
    expect((await atAmazon(backordered.orderId)).orderItems.find((i: any) => i.orderItemId === C).quantityOrdered).toBe(2);
    await waitFor(async () => {
      const [, b] = await deliveriesOf(o.id);
      return b.moves.some((m: any) => m.state === 'canceled') ? b : undefined;
    }, { what: 'the backorder to shrink' });
    const [done, shrunk] = await deliveriesOf(o.id);
    expect(done.moves.map((m: any) => [m.orderItemId, m.quantity, m.state]).sort()).toEqual([[C, 1, 'done'], [D, 1, 'done']]);
    expect(shrunk.moves.map((m: any) => [m.orderItemId, m.quantity, m.state]).sort()).toEqual([[C, 1, 'canceled'], [C, 1, 'ready']]);

    const synced = await syncUntil(backordered.orderId, (x) => x.amazonTotal !== o.amazonTotal, 'Amazon\'s reduced total synced');
    expect(synced.reconciled).toBe(true);
    expect(synced.linesTotal).toBe(synced.amazonTotal);
    expect(synced.status).toBe('partially_shipped');
    expect(line(synced, C)).toMatchObject({ quantity: 3, quantityCancelled: 1, quantityShipped: 1 });

    // The last unit of the backorder cancelled too: the backorder is cancelled, the order is done (all else shipped).
    expect((await cancel(o.id, { reason: 'BuyerCanceled', items: [{ orderItemId: C, quantity: 1 }] })).status).toBe(200);
    await allSent(o.id, 3);
    await waitFor(async () => (await deliveriesOf(o.id))[1].state === 'canceled', { what: 'the emptied backorder cancelled' });
    await waitFor(async () => (await order(backordered.orderId)).deliveryState === 'done', { what: 'the order to show it delivered' });
    expect((await atAmazon(backordered.orderId)).fulfillment.fulfillmentStatus).toBe('SHIPPED');
    const shipped = await syncUntil(backordered.orderId, (x) => x.status === 'shipped', 'the order synced as shipped');
    expect(shipped.reconciled).toBe(true);
    expect(shipped.linesTotal).toBe(shipped.amazonTotal);
    expect(line(shipped, C)).toMatchObject({ quantity: 3, quantityCancelled: 2, quantityShipped: 1 });
  });
});
