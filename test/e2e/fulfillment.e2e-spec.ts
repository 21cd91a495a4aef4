import { waitFor } from '@connector/testing';
import { amazonOrder, RunningSystem } from '@connector/testing';

const SELLER = { sellerId: 'A2FULFIL000001', clientId: 'ful-client', clientSecret: 'ful-secret', refreshToken: 'Atzr|ful', marketplaceIds: ['A1PA6795UKMFR9'] };
const recently = () => new Date(Date.now() - 180_000).toISOString();

const partial = amazonOrder({
  orderId: '303-0000001-0000001',
  lastUpdatedTime: recently(),
  items: [
    { orderItemId: '51000000000001', sku: 'FUL-PLATE', quantity: 3, unitPrice: '8.00', tax: '3.83' },
    { orderItemId: '51000000000002', sku: 'FUL-BOWL', quantity: 1, unitPrice: '6.00', tax: '0.96' },
  ],
});
const toCancel = amazonOrder({ orderId: '303-0000002-0000002', lastUpdatedTime: recently(), items: [{ orderItemId: '52000000000001', sku: 'FUL-PLATE', quantity: 2, unitPrice: '8.00', tax: '2.55' }] });
const toShipThenCancel = amazonOrder({ orderId: '303-0000003-0000003', lastUpdatedTime: recently(), items: [{ orderItemId: '53000000000001', sku: 'FUL-BOWL', quantity: 1, unitPrice: '6.00', tax: '0.96' }] });
const fbaLater = amazonOrder({ orderId: '303-0000004-0000004', lastUpdatedTime: recently(), fulfilledBy: 'AMAZON', status: 'SHIPPED', items: [{ orderItemId: '54000000000001', sku: 'FUL-PLATE', quantity: 5, unitPrice: '8.00', tax: '6.39' }] });

describe('fulfillment: FBM deliveries, partial shipments, cancellations, FBA moves and stock', () => {
  const running = new RunningSystem();
  let accountId: string;
  const order = async (amazonOrderId: string) => (await running.api('GET', `/api/v1/orders?amazonOrderId=${amazonOrderId}`)).body.items[0];
  const deliveriesOf = async (orderId: string) => (await running.api('GET', `/api/v1/deliveries?orderId=${orderId}`)).body.items as any[];
  const shipmentsAt = async (amazonOrderId: string) => (await running.sandbox('GET', `/_sandbox/shipments?orderId=${amazonOrderId}`)).body.shipments as any[];

  beforeAll(async () => {
    await running.start({ SANDBOX_TIME_SCALE: '60', SPAPI_RATE_SCALE: '60' });
    await running.sandbox('POST', '/_sandbox/sellers', SELLER);
    for (const o of [partial, toCancel, toShipThenCancel, fbaLater]) expect((await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders`, o)).status).toBe(201);
    const created = await running.createAccount(SELLER);
    accountId = created.body.id;
    await waitFor(async () => (await running.api('GET', `/api/v1/orders?accountId=${accountId}`)).body.items?.length === 4, { timeoutMs: 60_000, what: 'four synced orders' });
    for (const id of [partial.orderId, toCancel.orderId, toShipThenCancel.orderId]) {
      const o = await order(id);
      await waitFor(async () => (await deliveriesOf(o.id)).length === 1, { what: `the delivery of ${id}` });
    }
  }, 180_000);

  afterAll(() => running.stop(), 60_000);

  it('a partial validation ships what it says and leaves a backorder; each package is confirmed once', async () => {
    const o = await order(partial.orderId);
    const [delivery] = await deliveriesOf(o.id);
    const tooMany = await running.api('POST', `/api/v1/deliveries/${delivery.id}/validate`, { carrierCode: 'DHL', trackingNumber: 'T1', lines: [{ orderItemId: '51000000000001', quantity: 9 }] });
    expect(tooMany.status).toBe(400);
    const other = await running.api('POST', `/api/v1/deliveries/${delivery.id}/validate`, { carrierCode: 'Other', trackingNumber: 'T1' });
    expect(other.status).toBe(400);
    expect(other.body.details.map((d: any) => d.field)).toContain('carrierName');
    const nextMonth = await running.api('POST', `/api/v1/deliveries/${delivery.id}/validate`, { carrierCode: 'DHL', trackingNumber: 'T1', shipDate: new Date(Date.now() + 30 * 86400_000).toISOString() });
    expect(nextMonth.status).toBe(400);
    expect(nextMonth.body.details).toEqual([{ field: 'shipDate', errors: ['shipDate must not be more than a day ahead'] }]);

    const first = await running.api('POST', `/api/v1/deliveries/${delivery.id}/validate`, {
      carrierCode: 'Other', carrierName: 'Kurier Schmidt', trackingNumber: 'KS-1', shipDate: new Date().toISOString(), lines: [{ orderItemId: '51000000000001', quantity: 2 }],
    });
    expect(first.status).toBe(200);
    expect(first.body.moves).toEqual([expect.objectContaining({ orderItemId: '51000000000001', quantity: 2, state: 'done' })]);
    const all = await deliveriesOf(o.id);
    const backorder = all.find((d) => d.backorderOfId === delivery.id);
    expect(backorder).toMatchObject({ state: 'ready', packageReferenceId: '2' });
    expect(backorder.moves.map((m: any) => [m.orderItemId, m.quantity]).sort()).toEqual([['51000000000001', 1], ['51000000000002', 1]]);

    await waitFor(async () => (await shipmentsAt(partial.orderId))?.length === 1, { what: 'package 1 at Amazon' });
    expect((await shipmentsAt(partial.orderId))[0].packageDetail).toMatchObject({ packageReferenceId: '1', carrierCode: 'Other', carrierName: 'Kurier Schmidt', orderItems: [{ orderItemId: '51000000000001', quantity: 2 }] });

    expect((await running.api('POST', `/api/v1/deliveries/${backorder.id}/validate`, { carrierCode: 'UPS', trackingNumber: '1Z-2' })).status).toBe(200);
    const shipments = await waitFor(async () => {
      const list = await shipmentsAt(partial.orderId);
      return list?.length === 2 ? list : undefined;
    }, { what: 'package 2 at Amazon' });
    expect(shipments.map((s: any) => s.packageReferenceId).sort()).toEqual(['1', '2']);
    expect((await running.sandbox('GET', `/_sandbox/orders/${partial.orderId}`)).body.order.fulfillment.fulfillmentStatus).toBe('SHIPPED');
    await waitFor(async () => (await running.api('GET', `/api/v1/orders/${o.id}`)).body.deliveryState === 'done', { what: 'the order to show it delivered' });
  });

  it('a cancel by hand cancels the open delivery and its moves; a bad reason is a 400', async () => {
    const o = await order(toCancel.orderId);
    expect((await running.api('POST', `/api/v1/orders/${o.id}/cancel`, { reason: 'ChangedMyMind' })).status).toBe(400);
    const canceled = await running.api('POST', `/api/v1/orders/${o.id}/cancel`, { reason: 'NoInventory' });
    expect(canceled.status).toBe(200);
    expect(canceled.body).toMatchObject({ status: 'canceled', canceledBy: 'seller', cancelReason: 'NoInventory' });
    const [delivery] = await waitFor(async () => {
      const list = await deliveriesOf(o.id);
      return list[0]?.state === 'canceled' ? list : undefined;
    }, { what: 'the cancelled delivery' });
    expect(delivery.moves.every((m: any) => m.state === 'canceled')).toBe(true);
    expect((await running.api('POST', `/api/v1/deliveries/${delivery.id}/validate`, { carrierCode: 'DHL', trackingNumber: 'X' })).status).toBe(409);
    expect((await running.api('POST', `/api/v1/orders/${o.id}/cancel`, { reason: 'NoInventory' })).status).toBe(409);
    const notification = await waitFor(async () => (await running.api('GET', `/api/v1/notifications?orderId=${o.id}`)).body.items?.[0], { what: 'the cancellation notification' });
    expect(notification.kind).toBe('cancellation');
  });

  it('a shipped delivery cannot be cancelled: 409, and the order says why', async () => {
    const o = await order(toShipThenCancel.orderId);
    const [delivery] = await deliveriesOf(o.id);
    expect((await running.api('POST', `/api/v1/deliveries/${delivery.id}/validate`, { carrierCode: 'DHL', trackingNumber: 'D-3' })).status).toBe(200);
    await waitFor(async () => (await running.api('GET', `/api/v1/orders/${o.id}`)).body.deliveryState === 'done', { what: 'the delivery state on the order' });
    const refused = await running.api('POST', `/api/v1/orders/${o.id}/cancel`, { reason: 'NoInventory' });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('shipped');
    expect((await running.api('GET', `/api/v1/orders/${o.id}`)).body).toMatchObject({ status: 'confirmed', cancelError: expect.stringContaining('shipped') });
  });

  it('FBA: a done move per line, reversed when Amazon cancels; stock shows it and can be set', async () => {
    const o = await order(fbaLater.orderId);
    const [move] = await waitFor(async () => {
      const list = (await running.api('GET', `/api/v1/stock-moves?orderId=${o.id}`)).body.items;
      return list?.length === 1 ? list : undefined;
    }, { what: 'the FBA move' });
    expect(move).toMatchObject({ quantity: 5, state: 'done', reason: 'fba_sale' });
    const locations = (await running.api('GET', '/api/v1/locations')).body.items as any[];
    const fba = locations.find((l) => l.kind === 'fba' && l.accountId === accountId);
    expect(fba.id).toBe(move.fromLocationId);
    // Locations page like every list: one at a time, each once.
    const paged: any[] = [];
    let cursor: string | undefined;
    do {
      const page = (await running.api('GET', `/api/v1/locations?limit=1${cursor ? `&cursor=${cursor}` : ''}`)).body;
      expect(page.items).toHaveLength(1);
      paged.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged.map((l) => l.id)).toEqual(locations.map((l) => l.id));
    const stockAt = async () => (await running.api('GET', `/api/v1/stock?productId=${move.productId}&locationId=${fba.id}`)).body.items[0]?.quantity ?? 0;
    expect(await stockAt()).toBe(-5);
    expect((await running.api('POST', '/api/v1/stock/adjustments', { productId: move.productId, locationId: fba.id, quantity: 20 })).status).toBe(201);
    expect(await stockAt()).toBe(20);

    await running.sandbox('POST', `/_sandbox/orders/${fbaLater.orderId}/status`, { status: 'CANCELLED', cancelledBy: 'AMAZON' });
    await running.sandbox('POST', '/_sandbox/clock', { advanceSeconds: 125 });
    await running.api('POST', `/api/v1/accounts/${accountId}/sync`, {});
    await waitFor(async () => (await running.api('GET', `/api/v1/orders/${o.id}`)).body.status === 'canceled', { timeoutMs: 60_000, what: 'the Amazon-side cancellation' });
    const moves = await waitFor(async () => {
      const list = (await running.api('GET', `/api/v1/stock-moves?orderId=${o.id}`)).body.items as any[];
      return list.length === 2 ? list : undefined;
    }, { what: 'the reversal move' });
    expect(moves.find((m) => m.reason === 'fba_sale_reversal')).toMatchObject({ quantity: 5, fromLocationId: move.toLocationId, toLocationId: fba.id, state: 'done' });
    expect(await stockAt()).toBe(25);
    expect((await running.api('GET', `/api/v1/notifications?orderId=${o.id}`)).body.items).toEqual([]);
  });
});
