import { amazonOrder, RunningSystem, waitFor } from '@connector/testing';

/**
 * What the warehouse needs on orders and deliveries, against the sandbox, for an account on each
 * Orders API version: ship-by and deliver-by windows, Prime, business and replacement orders, the
 * gift message and the full shipping address reach the sales order and its delivery; the buyer's
 * request to cancel holds the delivery (validating it is a 409) until the seller releases the hold
 * (then it ships) or cancels the order (then it is cancelled); the most urgent delivery lists first.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const now = Date.now();
const recently = new Date(now - 3 * MINUTE).toISOString();
const at = (offsetMs: number) => new Date(now + offsetMs).toISOString();
/** As the connector answers times (Date#toISOString). */
const iso = (time: string) => new Date(time).toISOString();

interface Case {
  api: 'v2026-01-01' | 'v0';
  seller: { sellerId: string; clientId: string; clientSecret: string; refreshToken: string; marketplaceIds: string[] };
  /** Its first digit tells the cases' orders apart (the sandbox keeps an order id under one seller). */
  prefix: string;
  accountId?: string;
}

const CASES: Case[] = [
  { api: 'v2026-01-01', prefix: '5', seller: { sellerId: 'A2WAREHOUSE2026', clientId: 'wh-2026', clientSecret: 'wh-2026-secret', refreshToken: 'Atzr|wh-2026', marketplaceIds: ['A1PA6795UKMFR9'] } },
  { api: 'v0', prefix: '6', seller: { sellerId: 'A2WAREHOUSEV0', clientId: 'wh-v0', clientSecret: 'wh-v0-secret', refreshToken: 'Atzr|wh-v0', marketplaceIds: ['A1PA6795UKMFR9'] } },
];

const ids = (c: Case) => ({
  /** Prime, business, a replacement, gift-wrapped with a message: everything the warehouse reads. */
  prime: `${c.prefix}03-7000001-0000001`,
  /** The buyer asks to cancel; the seller ships after all (releases the hold). */
  shipped: `${c.prefix}03-7000002-0000002`,
  /** The buyer asks to cancel; the seller cancels. */
  canceled: `${c.prefix}03-7000003-0000003`,
  /** Must leave first: the earliest latest ship date. */
  urgent: `${c.prefix}03-7000004-0000004`,
  replaced: `${c.prefix}03-6999999-0000009`,
});

const WINDOWS = {
  prime: { ship: [at(-HOUR), at(20 * HOUR)], deliver: [at(24 * HOUR), at(30 * HOUR)] },
  shipped: { ship: [at(-HOUR), at(47 * HOUR)], deliver: [at(72 * HOUR), at(120 * HOUR)] },
  canceled: { ship: [at(-HOUR), at(46 * HOUR)], deliver: [at(72 * HOUR), at(120 * HOUR)] },
  urgent: { ship: [at(-HOUR), at(2 * HOUR)], deliver: [at(24 * HOUR), at(48 * HOUR)] },
};

function ordersOf(c: Case) {
  const id = ids(c);
  const order = (orderId: string, windows: { ship: string[]; deliver: string[] }, extra: Partial<Parameters<typeof amazonOrder>[0]> = {}, itemExtra: object = {}) =>
    amazonOrder({
      orderId,
      createdTime: new Date(now - 2 * HOUR).toISOString(),
      lastUpdatedTime: recently,
      fulfilledBy: 'MERCHANT',
      status: 'UNSHIPPED',
      shipByWindow: { earliestDateTime: windows.ship[0], latestDateTime: windows.ship[1] },
      deliverByWindow: { earliestDateTime: windows.deliver[0], latestDateTime: windows.deliver[1] },
      address: { name: 'Lena Lager', addressLine1: 'Speicherstraße 5', city: 'Bremen', postalCode: '28195' },
      items: [{ orderItemId: `${orderId.replace(/-/g, '').slice(-14)}`, sku: 'WH-MUG', quantity: 1, unitPrice: '11.90', tax: '1.90', ...itemExtra }],
      ...extra,
    });
  return [
    order(
      id.prime,
      WINDOWS.prime,
      { programs: ['PRIME', 'AMAZON_BUSINESS'], replacedOrderId: id.replaced, buyer: { buyerName: 'Lena Lager', buyerEmail: 'lena@marketplace.amazon.de', buyerCompanyName: 'Lager GmbH' } },
      { giftMessage: 'Frohe Weihnachten!', giftWrapLevel: 'Classic' },
    ),
    order(id.shipped, WINDOWS.shipped),
    order(id.canceled, WINDOWS.canceled),
    order(id.urgent, WINDOWS.urgent),
  ];
}

describe('what the warehouse needs on orders and deliveries', () => {
  const running = new RunningSystem();
  const orderOf = async (amazonOrderId: string) => (await running.api('GET', `/api/v1/orders?amazonOrderId=${amazonOrderId}`)).body.items[0];
  const deliveryOf = async (orderId: string) => (await running.api('GET', `/api/v1/deliveries?orderId=${orderId}`)).body.items[0];
  /** The next sync sees what changed at Amazon (its cursor trails by a couple of minutes). */
  const syncAgain = async (c: Case) => {
    await running.sandbox('POST', '/_sandbox/clock', { advanceSeconds: 125 });
    expect((await running.api('POST', `/api/v1/accounts/${c.accountId}/sync`, {})).status).toBe(202);
  };

  beforeAll(async () => {
    await running.start({ SANDBOX_TIME_SCALE: '60', SPAPI_RATE_SCALE: '60' });
    for (const c of CASES) {
      expect((await running.sandbox('POST', '/_sandbox/sellers', c.seller)).status).toBe(201);
      for (const o of ordersOf(c)) expect((await running.sandbox('POST', `/_sandbox/sellers/${c.seller.sellerId}/orders`, o)).status).toBe(201);
      const account = await running.createAccount(c.seller, 'EU', { ordersApi: c.api });
      expect(account.status).toBe(201);
      c.accountId = account.body.id;
    }
    for (const c of CASES) {
      await waitFor(async () => (await running.api('GET', `/api/v1/orders?accountId=${c.accountId}`)).body.items?.length === 4, { timeoutMs: 90_000, what: `the four orders of ${c.api}` });
      await waitFor(async () => (await running.api('GET', `/api/v1/deliveries?accountId=${c.accountId}`)).body.items?.length === 4, { timeoutMs: 60_000, what: `the four deliveries of ${c.api}` });
    }
  }, 240_000);

  afterAll(() => running.stop(), 60_000);

  it.each(CASES.map((c) => [c.api, c] as const))('%s: windows, Prime, business, replacement and gift message on the order and on its delivery, with the full address', async (_api, c) => {
    const id = ids(c);
    const summary = await orderOf(id.prime);
    const order = (await running.api('GET', `/api/v1/orders/${summary.id}`)).body;
    expect(order).toMatchObject({
      isPrime: true,
      isBusinessOrder: true,
      isReplacementOrder: true,
      replacedOrderId: id.replaced,
      earliestShipDate: iso(WINDOWS.prime.ship[0]),
      latestShipDate: iso(WINDOWS.prime.ship[1]),
      earliestDeliveryDate: iso(WINDOWS.prime.deliver[0]),
      latestDeliveryDate: iso(WINDOWS.prime.deliver[1]),
      buyerCancelRequested: false,
      buyerCancelReason: null,
      giftMessage: 'Frohe Weihnachten!',
    });
    // The list carries them too.
    expect(summary).toMatchObject({ isPrime: true, latestShipDate: iso(WINDOWS.prime.ship[1]) });

    const listed = await deliveryOf(summary.id);
    const delivery = (await running.api('GET', `/api/v1/deliveries/${listed.id}`)).body;
    expect(delivery).toMatchObject({
      state: 'ready',
      isPrime: true,
      earliestShipDate: iso(WINDOWS.prime.ship[0]),
      latestShipDate: iso(WINDOWS.prime.ship[1]),
      earliestDeliveryDate: iso(WINDOWS.prime.deliver[0]),
      latestDeliveryDate: iso(WINDOWS.prime.deliver[1]),
      giftMessage: 'Frohe Weihnachten!',
      buyerCancelRequested: false,
      onHold: false,
      holdReason: null,
    });
    expect(delivery.deliveryAddress).toMatchObject({ id: order.deliveryAddressId, name: 'Lena Lager', addressLine1: 'Speicherstraße 5', city: 'Bremen', postalCode: '28195', countryCode: 'DE', anonymizedAt: null });
    expect(order.deliveryAddress).toEqual(delivery.deliveryAddress);
  });

  it.each(CASES.map((c) => [c.api, c] as const))('%s: the most urgent delivery lists first (sort=shipBy), and shipByBefore keeps those due by then', async (_api, c) => {
    const id = ids(c);
    const page = (await running.api('GET', `/api/v1/deliveries?accountId=${c.accountId}&state=ready&sort=shipBy`)).body.items as any[];
    const order = await Promise.all([id.urgent, id.prime, id.canceled, id.shipped].map(async (amazonOrderId) => (await orderOf(amazonOrderId)).id));
    expect(page.map((d) => d.orderId)).toEqual(order);
    expect(page.map((d) => d.latestShipDate)).toEqual([...page.map((d) => d.latestShipDate)].sort());

    // Paged one at a time: the same order through the cursor.
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const answer = (await running.api('GET', `/api/v1/deliveries?accountId=${c.accountId}&state=ready&sort=shipBy&limit=1${cursor ? `&cursor=${cursor}` : ''}`)).body;
      paged.push(...answer.items.map((d: any) => d.orderId));
      cursor = answer.nextCursor;
    } while (cursor);
    expect(paged).toEqual(order);

    const due = (await running.api('GET', `/api/v1/deliveries?accountId=${c.accountId}&sort=shipBy&shipByBefore=${encodeURIComponent(at(24 * HOUR))}`)).body.items as any[];
    expect(due.map((d) => d.orderId)).toEqual(order.slice(0, 2));
    const bad = await running.api('GET', `/api/v1/deliveries?sort=urgent&shipByBefore=tomorrow&onHold=maybe`);
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: any) => d.field).sort()).toEqual(['onHold', 'shipByBefore', 'sort']);
  });

  it.each(CASES.map((c) => [c.api, c] as const))('%s: a buyer\'s cancellation request holds the delivery; released, it ships; cancelled by the seller, it is cancelled', async (_api, c) => {
    const id = ids(c);
    for (const amazonOrderId of [id.shipped, id.canceled]) {
      const asked = await running.sandbox('POST', `/_sandbox/orders/${amazonOrderId}/buyer-cancel-request`, { reason: 'Found a better price' });
      expect(asked.status).toBe(200);
      expect(asked.body.order.orderItems[0].cancellation).toEqual({ cancellationRequest: { requester: 'BUYER', cancelReason: 'Found a better price' } });
    }
    await syncAgain(c);

    const shipped = await orderOf(id.shipped);
    const canceled = await orderOf(id.canceled);
    const held = await waitFor(async () => {
      const deliveries = await Promise.all([deliveryOf(shipped.id), deliveryOf(canceled.id)]);
      return deliveries.every((d) => d.onHold) ? deliveries : undefined;
    }, { timeoutMs: 60_000, what: 'both deliveries held' });
    for (const delivery of held) {
      expect(delivery).toMatchObject({ state: 'ready', onHold: true, holdReason: 'buyer-cancel-request', buyerCancelRequested: true, buyerCancelReason: 'Found a better price', heldAt: expect.any(String), holdReleasedAt: null });
    }
    const order = (await running.api('GET', `/api/v1/orders/${shipped.id}`)).body;
    expect(order).toMatchObject({ status: 'confirmed', buyerCancelRequested: true, buyerCancelReason: 'Found a better price' });
    expect(order.lines.find((l: any) => l.kind === 'product')).toMatchObject({ buyerCancelRequested: true, buyerCancelReason: 'Found a better price' });
    const onHold = (await running.api('GET', `/api/v1/deliveries?accountId=${c.accountId}&onHold=true`)).body.items as any[];
    expect(onHold.map((d) => d.orderId).sort()).toEqual([shipped.id, canceled.id].sort());
    expect(((await running.api('GET', `/api/v1/deliveries?accountId=${c.accountId}&onHold=false`)).body.items as any[]).map((d) => d.orderId)).not.toContain(shipped.id);

    // Held: not validated, and told what to do.
    const [heldShipped, heldCanceled] = held;
    const refused = await running.api('POST', `/api/v1/deliveries/${heldShipped.id}/validate`, { carrierCode: 'DHL', trackingNumber: 'HELD-1' });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('is on hold: the buyer asked Amazon to cancel');
    expect(refused.body.message).toContain(`/api/v1/deliveries/${heldShipped.id}/release`);
    expect(refused.body.message).not.toContain('Found a better price');

    // The seller ships after all: released, it validates and Amazon is told.
    const released = await running.api('POST', `/api/v1/deliveries/${heldShipped.id}/release`, {});
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ onHold: false, holdReason: null, buyerCancelRequested: true, holdReleasedAt: expect.any(String) });
    expect((await running.api('POST', `/api/v1/deliveries/${heldShipped.id}/release`, {})).status).toBe(409);
    const validated = await running.api('POST', `/api/v1/deliveries/${heldShipped.id}/validate`, { carrierCode: 'DHL', trackingNumber: `RELEASED-${c.prefix}` });
    expect(validated.status).toBe(200);
    expect(validated.body.state).toBe('done');
    await waitFor(async () => (await running.sandbox('GET', `/_sandbox/shipments?orderId=${id.shipped}`)).body.shipments.length === 1, { timeoutMs: 60_000, what: 'the released delivery confirmed at Amazon' });

    // The seller follows the buyer: the held delivery is cancelled with the order.
    expect((await running.api('POST', `/api/v1/orders/${canceled.id}/cancel`, { reason: 'BuyerCanceled' })).status).toBe(200);
    const gone = await waitFor(async () => {
      const d = (await running.api('GET', `/api/v1/deliveries/${heldCanceled.id}`)).body;
      return d.state === 'canceled' ? d : undefined;
    }, { timeoutMs: 60_000, what: 'the held delivery cancelled with its order' });
    expect(gone).toMatchObject({ onHold: false, buyerCancelRequested: true });
    expect((await running.api('POST', `/api/v1/deliveries/${heldCanceled.id}/release`, {})).status).toBe(409);

    // Audited like every operate action.
    const audit = (await running.api('GET', `/api/v1/audit?method=POST&limit=500`)).body.items as any[];
    expect(audit.filter((entry) => entry.path === `/api/v1/deliveries/${heldShipped.id}/release`).map((entry) => entry.status).sort()).toEqual([200, 409]);
  });

  it('a list of 500 orders and of 500 deliveries, with every field the warehouse needs, stays within what NATS carries', async () => {
    const seller = { sellerId: 'A2WAREHOUSEBIG', clientId: 'wh-big', clientSecret: 'wh-big-secret', refreshToken: 'Atzr|wh-big', marketplaceIds: ['A1PA6795UKMFR9'] };
    expect((await running.sandbox('POST', '/_sandbox/sellers', seller)).status).toBe(201);
    const generated = await running.sandbox('POST', `/_sandbox/sellers/${seller.sellerId}/orders/generate`, { count: 520, seed: 'warehouse', fulfilledBy: 'MERCHANT', statuses: ['UNSHIPPED'], orderIdPrefix: '7' });
    expect(generated.status).toBe(201);
    // Every order a cancellation request with a long reason: the largest these fields get.
    for (const orderId of generated.body.orderIds.slice(0, 520)) {
      await running.sandbox('POST', `/_sandbox/orders/${orderId}/buyer-cancel-request`, { reason: 'The delivery date shown at checkout is later than I need it; found it faster elsewhere' });
    }
    // Amazon shows a change only after two minutes.
    await running.sandbox('POST', '/_sandbox/clock', { advanceSeconds: 125 });
    const account = await running.createAccount(seller, 'EU');
    expect(account.status).toBe(201);
    const held = async () => {
      let count = 0;
      let cursor: string | undefined;
      do {
        const page = await running.api('GET', `/api/v1/deliveries?accountId=${account.body.id}&onHold=true&limit=100${cursor ? `&cursor=${cursor}` : ''}`);
        count += page.body.items.length;
        cursor = page.body.nextCursor;
      } while (cursor);
      return count;
    };
    await waitFor(
      async () => {
        const count = await held();
        if (count < 520) await running.api('POST', `/api/v1/accounts/${account.body.id}/sync`, {});
        return count === 520;
      },
      { timeoutMs: 240_000, intervalMs: 3000, what: '520 held deliveries' },
    );
    const orders = await running.api('GET', `/api/v1/orders?accountId=${account.body.id}&limit=500`);
    expect([orders.status, orders.body.message]).toEqual([200, undefined]);
    // More than one NATS message would take: the page is cut short, its cursor goes on from there.
    expect(orders.body.items.length).toBeGreaterThan(100);
    expect(orders.body.items.length).toBeLessThan(500);
    expect(orders.body.nextCursor).toEqual(expect.any(String));
    expect(orders.body.items[0]).toMatchObject({ buyerCancelRequested: true, latestShipDate: expect.any(String) });
    const deliveries = await running.api('GET', `/api/v1/deliveries?accountId=${account.body.id}&sort=shipBy&limit=500`);
    expect([deliveries.status, deliveries.body.message]).toEqual([200, undefined]);
    // Paged through, every order and delivery comes once.
    for (const path of ['orders', 'deliveries']) {
      const seen = new Set<string>();
      let cursor: string | undefined;
      do {
        const page = await running.api('GET', `/api/v1/${path}?accountId=${account.body.id}&limit=500${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        for (const item of page.body.items) seen.add(item.id);
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen.size).toBe(520);
    }
  }, 300_000);

  it('the sandbox refuses a cancellation request for what it cannot apply to', async () => {
    const c = CASES[0];
    expect((await running.sandbox('POST', `/_sandbox/orders/${ids(c).urgent}/buyer-cancel-request`, { orderItemIds: ['nope'] })).status).toBe(400);
    expect((await running.sandbox('POST', '/_sandbox/orders/503-9999999-9999999/buyer-cancel-request', {})).status).toBe(404);
    // Nothing changed at Amazon by the refused call.
    expect((await running.sandbox('GET', `/_sandbox/orders/${ids(c).urgent}`)).body.order.orderItems[0].cancellation).toBeUndefined();
  });
});
