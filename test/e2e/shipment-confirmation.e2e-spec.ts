import { waitFor } from '@connector/testing';
import { amazonOrder, RunningSystem } from '@connector/testing';

const SELLER = { sellerId: 'A2SHIPCONF0001', clientId: 'ship-client', clientSecret: 'ship-secret', refreshToken: 'Atzr|ship', marketplaceIds: ['A1PA6795UKMFR9'] };
const recently = () => new Date(Date.now() - 180_000).toISOString();
const ORDERS = ['304-0000001-0000001', '304-0000002-0000002', '304-0000003-0000003'].map((orderId, i) =>
  amazonOrder({ orderId, lastUpdatedTime: recently(), items: [{ orderItemId: `6${i}000000000001`, sku: 'SHIP-SKU', quantity: 1, unitPrice: '10.00', tax: '1.60' }] }),
);

describe('shipment confirmations: never lost, never doubled', () => {
  const running = new RunningSystem();
  const deliveryOf = async (amazonOrderId: string) => {
    const order = (await running.api('GET', `/api/v1/orders?amazonOrderId=${amazonOrderId}`)).body.items[0];
    return { order, delivery: (await running.api('GET', `/api/v1/deliveries?orderId=${order.id}`)).body.items[0] };
  };
  const shipmentsOf = async (amazonOrderId: string) => (await running.sandbox('GET', `/_sandbox/shipments?orderId=${amazonOrderId}`)).body.shipments as any[];
  const notificationOf = async (orderId: string) => (await running.api('GET', `/api/v1/notifications?orderId=${orderId}`)).body.items?.[0];

  beforeAll(async () => {
    await running.start({ SANDBOX_TIME_SCALE: '20', SPAPI_RATE_SCALE: '20', NOTIFY_CLAIM_SECONDS: '5' });
    await running.sandbox('POST', '/_sandbox/sellers', SELLER);
    for (const o of ORDERS) await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders`, o);
    expect((await running.createAccount(SELLER)).status).toBe(201);
    for (const o of ORDERS) await waitFor(async () => (await deliveryOf(o.orderId).catch(() => ({ delivery: undefined }))).delivery, { timeoutMs: 60_000, what: `the delivery of ${o.orderId}` });
  }, 180_000);

  afterAll(() => running.stop(), 60_000);

  it('gets through a 429 storm on confirmShipment', async () => {
    await running.sandbox('POST', '/_sandbox/faults', { operation: 'confirmShipment', sellerId: SELLER.sellerId, throttleStorm: { count: 4 } });
    const { order, delivery } = await deliveryOf(ORDERS[0].orderId);
    expect((await running.api('POST', `/api/v1/deliveries/${delivery.id}/validate`, { carrierCode: 'DHL', trackingNumber: 'STORM-1' })).status).toBe(200);
    await waitFor(async () => (await notificationOf(order.id))?.state === 'sent', { timeoutMs: 60_000, what: 'the confirmation through the storm' });
    const calls = (await running.sandbox('GET', `/_sandbox/calls?sellerId=${SELLER.sellerId}`)).body.operations.confirmShipment;
    expect(calls.throttled).toBeGreaterThanOrEqual(1);
    expect(await shipmentsOf(ORDERS[0].orderId)).toEqual([expect.objectContaining({ packageReferenceId: '1', count: 1 })]);
    await running.sandbox('DELETE', '/_sandbox/faults');
  });

  it('amazon-notifications killed between Amazon\'s answer and recording it: sent again, one shipment at Amazon', async () => {
    // Amazon answers slowly; the process dies while its call is in flight.
    await running.sandbox('POST', '/_sandbox/faults', { operation: 'confirmShipment', sellerId: SELLER.sellerId, latencyMs: 1500 });
    const { order, delivery } = await deliveryOf(ORDERS[1].orderId);
    const received = async () => (await running.sandbox('GET', `/_sandbox/calls?sellerId=${SELLER.sellerId}`)).body.operations.confirmShipment?.received ?? 0;
    const receivedBefore = await received();
    expect((await running.api('POST', `/api/v1/deliveries/${delivery.id}/validate`, { carrierCode: 'UPS', trackingNumber: '1Z-CRASH' })).status).toBe(200);
    await waitFor(async () => (await notificationOf(order.id))?.attempts >= 1, { what: 'the confirmation to be claimed' });
    // Claimed is not yet sent (the call may still wait for its quota token): kill once Amazon has it.
    await waitFor(async () => (await received()) > receivedBefore, { timeoutMs: 30_000, what: 'the confirmation to reach Amazon' });
    await running.system.process('amazon-notifications').stop('SIGKILL');
    // Amazon got the call; we never recorded its answer.
    await waitFor(async () => (await shipmentsOf(ORDERS[1].orderId))?.length === 1, { timeoutMs: 10_000, what: 'Amazon to hold the shipment' });
    await running.sandbox('DELETE', '/_sandbox/faults');

    await running.system.process('amazon-notifications').start();
    await waitFor(async () => (await notificationOf(order.id))?.state === 'sent', { timeoutMs: 60_000, what: 'the confirmation after the restart' });
    const shipments = await shipmentsOf(ORDERS[1].orderId);
    expect(shipments).toHaveLength(1);
    expect(shipments[0]).toMatchObject({ packageReferenceId: '1', count: 2 });
    expect(shipments[0].packageDetail).toMatchObject({ carrierCode: 'UPS', trackingNumber: '1Z-CRASH' });
  });

  it('a confirmation Amazon refuses is failed with Amazon\'s message, and can be retried by hand', async () => {
    const { order, delivery } = await deliveryOf(ORDERS[2].orderId);
    // The order was cancelled at Amazon meanwhile: Amazon refuses the confirmation with a 400.
    await running.sandbox('POST', `/_sandbox/orders/${ORDERS[2].orderId}/status`, { status: 'CANCELLED', cancelledBy: 'BUYER' });
    expect((await running.api('POST', `/api/v1/deliveries/${delivery.id}/validate`, { carrierCode: 'DHL', trackingNumber: 'REFUSED-1' })).status).toBe(200);
    const failed = await waitFor(async () => {
      const n = await notificationOf(order.id);
      return n?.state === 'failed' ? n : undefined;
    }, { what: 'the refusal' });
    expect(failed.lastError).toMatch(/400/);
    expect((await running.api('GET', `/api/v1/orders/${order.id}`)).body).toMatchObject({ amazonNotificationState: 'shipment_confirmation:failed', amazonNotificationError: expect.stringMatching(/400/) });
    const retried = await running.api('POST', `/api/v1/notifications/${failed.id}/retry`, {});
    expect(retried.status).toBe(202);
    await waitFor(async () => (await notificationOf(order.id))?.attempts >= 1 && (await notificationOf(order.id))?.state === 'failed', { what: 'the retry to fail again' });
    expect((await running.api('POST', `/api/v1/notifications/${failed.id}/retry`, {})).status).toBe(202);
    expect((await running.api('POST', `/api/v1/notifications/00000000-0000-4000-8000-000000000000/retry`, {})).status).toBe(404);
  });

  it('retries failed notifications in bulk through the API, by filter, audited', async () => {
    const { order } = await deliveryOf(ORDERS[2].orderId);
    const failed = await waitFor(async () => {
      const n = await notificationOf(order.id);
      return n?.state === 'failed' ? n : undefined;
    }, { what: 'the refused confirmation to be failed again' });
    const refused = await running.api('POST', '/api/v1/notifications/retry', { accountId: order.accountId, kind: 'nope' });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body.details)).toMatch(/kind/);
    expect((await running.api('POST', '/api/v1/notifications/retry', { accountId: order.accountId, kind: 'cancellation' })).body).toEqual({ retried: 0, ids: [] });
    const retried = await running.api('POST', '/api/v1/notifications/retry', { accountId: order.accountId, kind: 'shipment_confirmation' });
    expect(retried.status).toBe(202);
    expect(retried.body).toEqual({ retried: 1, ids: [failed.id] });
    // Amazon still refuses it (the order is cancelled there): failed again, after one more try.
    await waitFor(async () => {
      const n = await notificationOf(order.id);
      return n?.state === 'failed' && n.attempts === 1 ? n : undefined;
    }, { what: 'the bulk retry to be tried' });
    const audit = await running.api('GET', '/api/v1/audit?method=POST');
    expect(audit.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/api/v1/notifications/retry', status: 202 })]));
  });
});
