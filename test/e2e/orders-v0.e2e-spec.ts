import { waitFor } from '@connector/testing';
import { amazonOrder, RunningSystem } from '@connector/testing';

/**
 * Orders v0 (the deprecated API, an account setting) against Orders v2026-01-01: the same
 * Amazon orders, read by one account through each API, must become the same sales orders,
 * and v0 must spend only 1 getOrders per page + 1 getOrderItems per synced order + the RDT.
 *
 * The sandbox keeps an order under one seller, so the v0 seller holds copies of the v2026
 * seller's generated orders under ids that differ in their first digit only.
 */

const DAY = 86_400_000;
/** Sandbox rate limits and our pacing both run this much faster (Amazon's quotas, scaled). */
const SCALE = '30';
const LATER_STATUSES = ['UNSHIPPED', 'PARTIALLY_SHIPPED', 'SHIPPED', 'CANCELLED'];

interface Pair {
  region: 'EU' | 'NA';
  marketplaceIds: string[];
  /** Pending orders (never synced: no getOrderItems). */
  pending: number;
  /** Confirmed orders of every later status; FBA ones still unshipped are not synced either. */
  confirmed: number;
  /** One order built by hand: FBM, gift-wrapped with a message, with item and shipping promotions. */
  giftOrder: { orderId: string; marketplaceId: string; currency: string; taxIncluded: boolean };
  seed: string;
  v2026: { sellerId: string; accountId?: string };
  v0: { sellerId: string; accountId?: string };
}

// At most 30 synced orders per seller: getOrderItems stays within its burst, so the call
// counts below are exact (no 429 retry can add one).
const PAIRS: Pair[] = [
  // DE, UK: prices include VAT. 105 orders: two getOrders pages.
  { region: 'EU', marketplaceIds: ['A1PA6795UKMFR9', 'A1F83G8C2ARO7P'], pending: 75, confirmed: 29, seed: 'v0-parity-eu',
    giftOrder: { orderId: '302-7000001-0000001', marketplaceId: 'A1PA6795UKMFR9', currency: 'EUR', taxIncluded: true }, v2026: { sellerId: 'A2PARITYEU2026' }, v0: { sellerId: 'A2PARITYEUV0' } },
  // US, CA: tax added on top.
  { region: 'NA', marketplaceIds: ['ATVPDKIKX0DER', 'A2EUQ1WTGCTBG2'], pending: 10, confirmed: 29, seed: 'v0-parity-na',
    giftOrder: { orderId: '113-7000001-0000001', marketplaceId: 'ATVPDKIKX0DER', currency: 'USD', taxIncluded: false }, v2026: { sellerId: 'A2PARITYNA2026' }, v0: { sellerId: 'A2PARITYNAV0' } },
];
const total = (pair: Pair) => pair.pending + pair.confirmed + 1;

const copyId = (orderId: string) => `9${orderId.slice(1)}`;
const credentials = (sellerId: string) => ({ clientId: `client-${sellerId}`, clientSecret: `secret-${sellerId}-value`, refreshToken: `Atzr|refresh-${sellerId}` });

/** What must be the same whichever API read the order (ids, timestamps of our rows and async projections aside). */
function comparable(order: any) {
  const { id: _id, accountId: _a, amazonOrderId: _o, contactId: _c, deliveryAddressId: _d, createdAt: _ca, updatedAt: _u, deliveryState: _ds, amazonNotificationState: _ns, amazonNotificationError: _ne, lines, ...rest } = order;
  return { ...rest, lines: lines.map(({ id: _lid, productId: _p, ...line }: any) => line) };
}

function comparablePartner(partner: any, deliveryAddressId: string) {
  const address = partner.deliveryAddresses.find((a: any) => a.id === deliveryAddressId);
  const { id: _i, contactId: _c, ...addressRest } = address ?? {};
  return { name: partner.name, email: partner.email, companyName: partner.companyName, isBusiness: partner.isBusiness, address: addressRest };
}

describe('Orders v0 accounts sync into the same sales orders as v2026-01-01', () => {
  const running = new RunningSystem();

  async function listAll(path: string): Promise<any[]> {
    const items: any[] = [];
    let cursor: string | undefined;
    do {
      const page = await running.api('GET', `${path}${path.includes('?') ? '&' : '?'}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status).toBe(200);
      items.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    return items;
  }

  /** Newest first. */
  const runs = async (accountId: string) => (await running.api('GET', `/api/v1/accounts/${accountId}/sync-runs?limit=500`)).body.items as any[];
  const firstRun = async (accountId: string) => (await runs(accountId)).at(-1);
  const calls = async (sellerId: string) => (await running.sandbox('GET', `/_sandbox/calls?sellerId=${sellerId}`)).body.operations as Record<string, { calls: number; throttled: number; errors: number }>;
  const callCount = (ops: Record<string, { calls: number }>, op: string) => ops[op]?.calls ?? 0;

  beforeAll(async () => {
    await running.start({ SANDBOX_TIME_SCALE: SCALE, SPAPI_RATE_SCALE: SCALE });
    const now = Date.now();
    for (const pair of PAIRS) {
      for (const seller of [pair.v2026, pair.v0]) {
        const created = await running.sandbox('POST', '/_sandbox/sellers', { sellerId: seller.sellerId, ...credentials(seller.sellerId), marketplaceIds: pair.marketplaceIds });
        expect(created.status).toBe(201);
      }
      // Created 10 to 4 days ago: every order is last updated at least a day ago, so nothing moves while the test runs.
      const orderIds: string[] = [];
      for (const [count, statuses, seed] of [[pair.pending, ['PENDING'], `${pair.seed}-pending`], [pair.confirmed, LATER_STATUSES, pair.seed]] as const) {
        const generation = await running.sandbox('POST', `/_sandbox/sellers/${pair.v2026.sellerId}/orders/generate`, {
          count,
          seed,
          statuses,
          fulfilledBy: 'MIXED',
          createdFrom: new Date(now - 10 * DAY).toISOString(),
          createdTo: new Date(now - 4 * DAY).toISOString(),
        });
        expect(generation.status).toBe(201);
        orderIds.push(...generation.body.orderIds);
      }
      const gift = amazonOrder({
        ...pair.giftOrder,
        createdTime: new Date(now - 6 * DAY).toISOString(),
        lastUpdatedTime: new Date(now - 5 * DAY).toISOString(),
        fulfilledBy: 'MERCHANT',
        status: 'UNSHIPPED',
        items: [
          {
            orderItemId: '70000000000001',
            sku: 'PARITY-MUG',
            title: 'Enamel mug',
            quantity: 3,
            unitPrice: '11.90',
            tax: pair.giftOrder.taxIncluded ? '5.22' : '2.74',
            itemDiscount: '3.00',
            shipping: '4.99',
            shippingTax: pair.giftOrder.taxIncluded ? '0.80' : '0.41',
            giftWrap: '2.50',
            giftWrapTax: pair.giftOrder.taxIncluded ? '0.40' : '0.21',
            giftWrapLevel: 'Classic',
            giftMessage: 'Happy birthday, Sam!',
            promotionId: 'PARITY-3OFF',
          },
          { orderItemId: '70000000000002', sku: 'PARITY-SPOON', quantity: 1, unitPrice: '5.00', tax: pair.giftOrder.taxIncluded ? '0.80' : '0.41', shipping: '3.99', shippingTax: '0.00', shippingDiscount: '3.99', promotionId: 'PARITY-FREESHIP' },
        ],
      });
      expect((await running.sandbox('POST', `/_sandbox/sellers/${pair.v2026.sellerId}/orders`, gift)).status).toBe(201);
      orderIds.push(gift.orderId);
      expect(new Set(orderIds).size).toBe(total(pair));
      for (const orderId of orderIds) {
        const stored = await running.sandbox('GET', `/_sandbox/orders/${orderId}`);
        expect(stored.status).toBe(200);
        const copy = await running.sandbox('POST', `/_sandbox/sellers/${pair.v0.sellerId}/orders`, { ...stored.body.order, orderId: copyId(orderId) });
        expect(copy.status).toBe(201);
      }

      for (const [api, seller] of [['v2026-01-01', pair.v2026], ['v0', pair.v0]] as const) {
        const account = await running.api('POST', '/api/v1/accounts', {
          name: `${pair.region} ${api}`,
          sellerId: seller.sellerId,
          region: pair.region,
          lwaClientId: credentials(seller.sellerId).clientId,
          lwaClientSecret: credentials(seller.sellerId).clientSecret,
          refreshToken: credentials(seller.sellerId).refreshToken,
          marketplaceIds: pair.marketplaceIds,
          ordersApi: api,
          apiEndpoint: running.sandboxUrl,
          lwaEndpoint: `${running.sandboxUrl}/auth/o2/token`,
          initialSyncFrom: new Date(now - 11 * DAY).toISOString(),
          // One scheduled run: the test triggers any later one itself and counts its calls.
          syncIntervalSeconds: 86400,
        });
        expect(account.status).toBe(201);
        expect(account.body.ordersApi).toBe(api);
        seller.accountId = account.body.id;
      }
    }
    for (const pair of PAIRS) {
      for (const seller of [pair.v2026, pair.v0]) {
        await waitFor(async () => {
          const list = await runs(seller.accountId!);
          return list.length > 0 && list.every((r) => !['queued', 'running'].includes(r.status)) ? list : undefined;
        }, { timeoutMs: 90_000, what: `the first sync of ${seller.sellerId}` });
      }
    }
  }, 300_000);

  afterAll(() => running.stop(), 60_000);

  it('the first sync of every account succeeds, without throttling or quarantine', async () => {
    for (const pair of PAIRS) {
      for (const seller of [pair.v2026, pair.v0]) {
        const run = await firstRun(seller.accountId!);
        expect(run).toMatchObject({ status: 'succeeded', ordersSeen: total(pair), ordersQuarantined: 0, ordersUpdated: 0, throttled: 0, errors: [] });
        expect(run.ordersCreated).toBeGreaterThan(0);
      }
    }
  });

  it.each(PAIRS.map((p) => [p.region, p] as const))('%s: the same orders give the same sales orders, lines, amounts, statuses and partners', async (_region, pair) => {
    const viaV2026 = await listAll(`/api/v1/orders?accountId=${pair.v2026.accountId}`);
    const viaV0 = await listAll(`/api/v1/orders?accountId=${pair.v0.accountId}`);
    expect(viaV2026.length).toBeGreaterThan(0);
    expect(viaV0.map((o) => o.amazonOrderId).sort()).toEqual(viaV2026.map((o) => copyId(o.amazonOrderId)).sort());

    const partnersV2026 = new Map((await listAll(`/api/v1/partners?accountId=${pair.v2026.accountId}`)).map((p) => [p.id, p]));
    const partnersV0 = new Map((await listAll(`/api/v1/partners?accountId=${pair.v0.accountId}`)).map((p) => [p.id, p]));
    const byId = new Map(viaV0.map((o) => [o.amazonOrderId, o]));
    for (const original of viaV2026) {
      const copy = byId.get(copyId(original.amazonOrderId));
      expect({ amazonOrderId: original.amazonOrderId, ...comparable(copy) }).toEqual({ amazonOrderId: original.amazonOrderId, ...comparable(original) });
      const partner = partnersV2026.get(original.contactId);
      expect(partner).toBeDefined();
      expect(comparablePartner(partnersV0.get(copy.contactId), copy.deliveryAddressId)).toEqual(comparablePartner(partner, original.deliveryAddressId));
      expect(original.reconciled).toBe(true);
    }

    // The sample covers what the two APIs spell differently.
    const lines = viaV0.flatMap((o) => o.lines);
    expect(new Set(viaV0.map((o) => o.channel))).toEqual(new Set(['FBA', 'FBM']));
    expect(new Set(viaV0.map((o) => o.marketplaceId))).toEqual(new Set(pair.marketplaceIds));
    expect(new Set(viaV0.map((o) => o.status))).toEqual(new Set(['confirmed', 'partially_shipped', 'shipped', 'canceled']));
    expect(lines.some((l) => l.kind === 'shipping')).toBe(true);
    expect(lines.some((l) => Number(l.discountTaxIncluded) > 0 && l.promotionIds.length > 0)).toBe(true);
    expect(lines.some((l) => l.kind === 'product' && l.description?.startsWith('Condition: used'))).toBe(true);
    expect(viaV0.some((o) => o.isBusinessOrder)).toBe(true);
    const gift = byId.get(copyId(pair.giftOrder.orderId));
    expect(gift).toMatchObject({ giftMessage: 'Happy birthday, Sam!', reconciled: true });
    expect(gift.lines.map((l: any) => l.kind)).toEqual(['product', 'gift_wrap', 'product', 'shipping']);
    expect(gift.lines[1]).toMatchObject({ giftWrapLevel: 'Classic', giftMessage: 'Happy birthday, Sam!' });
    // The free shipping is 3.99 off the shipping as Amazon shows it (with VAT in EU, before tax in NA).
    expect(gift.lines[3].promotionIds).toEqual(['PARITY-FREESHIP']);
    expect(pair.giftOrder.taxIncluded ? gift.lines[3].discountTaxIncluded : gift.lines[3].discountTaxExcluded).toBe('3.99');
    expect([...partnersV0.values()].every((p) => p.name && p.email)).toBe(true);
  });

  it('v0 spends 1 getOrders per page, 1 getOrderItems per synced order, and one RDT; nothing else', async () => {
    for (const pair of PAIRS) {
      const synced = (await listAll(`/api/v1/orders?accountId=${pair.v0.accountId}`)).length;
      const pages = Math.ceil(total(pair) / 100);
      const ops = await calls(pair.v0.sellerId);
      expect(Object.keys(ops).sort()).toEqual(['createRestrictedDataToken', 'getOrderItems', 'getOrders']);
      expect(ops.getOrders).toEqual({ received: pages, calls: pages, throttled: 0, errors: 0 });
      expect(ops.getOrderItems).toEqual({ received: synced, calls: synced, throttled: 0, errors: 0 });
      expect(ops.createRestrictedDataToken).toEqual({ received: 1, calls: 1, throttled: 0, errors: 0 });
      // Pending and FBA-not-yet-shipped orders were seen but cost no items call.
      expect(synced).toBeLessThan(pair.confirmed);
      const run = await firstRun(pair.v0.accountId!);
      // Its calls, the RDT and the LWA token request (apiCalls count token requests too).
      expect(run.apiCalls).toBe(pages + synced + 1 + 1);

      // The v2026 account, for comparison: one searchOrders per page of 100 and nothing per order.
      const ops2026 = await calls(pair.v2026.sellerId);
      expect(Object.keys(ops2026)).toEqual(['searchOrders']);
      expect(ops2026.searchOrders.calls).toBe(pages);
    }
  });

  it('an order that changes on Amazon is read again: one getOrders, one getOrderItems, the RDT reused, still the same as v2026', async () => {
    const pair = PAIRS[0];
    const original = (await listAll(`/api/v1/orders?accountId=${pair.v2026.accountId}&channel=FBM&status=confirmed`))[0];
    expect(original).toBeDefined();
    const before = await calls(pair.v0.sellerId);
    const runsBefore = { v2026: (await runs(pair.v2026.accountId!)).length, v0: (await runs(pair.v0.accountId!)).length };

    for (const orderId of [original.amazonOrderId, copyId(original.amazonOrderId)]) {
      expect((await running.sandbox('POST', `/_sandbox/orders/${orderId}/status`, { status: 'SHIPPED' })).status).toBe(200);
    }
    // Amazon shows a change only after two minutes.
    expect((await running.sandbox('POST', '/_sandbox/clock', { advanceSeconds: 121 })).status).toBe(200);
    for (const seller of [pair.v2026, pair.v0]) expect((await running.api('POST', `/api/v1/accounts/${seller.accountId}/sync`, {})).status).toBe(202);

    const newRun = (accountId: string, count: number) =>
      waitFor(async () => {
        const list = await runs(accountId);
        const [last] = list;
        return list.length > count && !['queued', 'running'].includes(last.status) ? last : undefined;
      }, { timeoutMs: 60_000, what: 'the triggered sync' });
    const runV0 = await newRun(pair.v0.accountId!, runsBefore.v0);
    const runV2026 = await newRun(pair.v2026.accountId!, runsBefore.v2026);
    // The LWA token and the RDT are still valid: no token request.
    expect(runV0).toMatchObject({ status: 'succeeded', ordersSeen: 1, ordersUpdated: 1, ordersCreated: 0, apiCalls: 2 });
    expect(runV2026).toMatchObject({ status: 'succeeded', ordersSeen: 1, ordersUpdated: 1 });

    const after = await calls(pair.v0.sellerId);
    expect(callCount(after, 'getOrders') - callCount(before, 'getOrders')).toBe(1);
    expect(callCount(after, 'getOrderItems') - callCount(before, 'getOrderItems')).toBe(1);
    expect(callCount(after, 'createRestrictedDataToken')).toBe(callCount(before, 'createRestrictedDataToken'));

    const viaV2026 = (await running.api('GET', `/api/v1/orders?amazonOrderId=${original.amazonOrderId}`)).body.items[0];
    const viaV0 = (await running.api('GET', `/api/v1/orders?amazonOrderId=${copyId(original.amazonOrderId)}`)).body.items[0];
    expect(viaV0).toMatchObject({ status: 'shipped', amazonStatus: 'SHIPPED' });
    expect(viaV0.lines.filter((l: any) => l.kind === 'product').every((l: any) => l.quantityShipped === l.quantity)).toBe(true);
    const moved = (await running.sandbox('GET', `/_sandbox/orders/${copyId(original.amazonOrderId)}`)).body.order;
    expect(viaV0.amazonUpdatedAt).toBe(new Date(moved.lastUpdatedTime).toISOString());
    // The two copies were moved a few milliseconds apart; everything else is the same.
    expect({ ...comparable(viaV0), amazonUpdatedAt: null }).toEqual({ ...comparable(viaV2026), amazonUpdatedAt: null });
  });
  it('a v0 record Amazon serves broken is quarantined without an items call, and synced once it comes whole', async () => {
    const pair = PAIRS[0];
    const accountId = pair.v0.accountId!;
    const syncOnce = async () => {
      const count = (await runs(accountId)).length;
      expect((await running.api('POST', `/api/v1/accounts/${accountId}/sync`, {})).status).toBe(202);
      return waitFor(async () => {
        const list = await runs(accountId);
        const [last] = list;
        return list.length > count && !['queued', 'running'].includes(last.status) ? last : undefined;
      }, { timeoutMs: 60_000, what: 'the triggered v0 sync' });
    };
    // Past the overlap (300 s) of the order moved before, so the window below holds only the new order.
    expect((await running.sandbox('POST', '/_sandbox/clock', { advanceSeconds: 421 })).status).toBe(200);
    expect((await syncOnce()).status).toBe('succeeded');

    const sandboxNow = Date.parse((await running.sandbox('GET', '/_sandbox/clock')).body.now);
    const order = amazonOrder({
      orderId: '902-8000001-0000001',
      createdTime: new Date(sandboxNow - 3_600_000).toISOString(),
      lastUpdatedTime: new Date(sandboxNow).toISOString(),
      fulfilledBy: 'MERCHANT',
      status: 'UNSHIPPED',
      items: [{ orderItemId: '80000000000001', sku: 'PARITY-MUG', quantity: 1, unitPrice: '11.90', tax: '1.90' }],
    });
    expect((await running.sandbox('POST', `/_sandbox/sellers/${pair.v0.sellerId}/orders`, order)).status).toBe(201);
    expect((await running.sandbox('POST', '/_sandbox/faults', { malformedOrderIds: [order.orderId] })).status).toBe(201);
    expect((await running.sandbox('POST', '/_sandbox/clock', { advanceSeconds: 121 })).status).toBe(200);

    let before = await calls(pair.v0.sellerId);
    const broken = await syncOnce();
    expect(broken).toMatchObject({ status: 'succeeded', ordersSeen: 1, ordersQuarantined: 1, ordersCreated: 0 });
    let after = await calls(pair.v0.sellerId);
    expect(callCount(after, 'getOrders') - callCount(before, 'getOrders')).toBe(1);
    expect(callCount(after, 'getOrderItems') - callCount(before, 'getOrderItems')).toBe(0);
    const quarantined = (await running.api('GET', `/api/v1/orders/quarantined?accountId=${accountId}`)).body.items;
    expect(quarantined).toEqual([expect.objectContaining({ amazonOrderId: order.orderId, reason: expect.stringContaining('OrderStatus') })]);
    expect((await running.api('GET', `/api/v1/orders?amazonOrderId=${order.orderId}`)).body.items).toEqual([]);

    expect((await running.sandbox('DELETE', '/_sandbox/faults')).status).toBe(200);
    before = after;
    const healed = await syncOnce();
    expect(healed.status).toBe('succeeded');
    after = await calls(pair.v0.sellerId);
    // The quarantine retry asks for the order by id (one getOrders for up to 50 ids) and its
    // items; the overlap of the window reads it once more, which changes nothing.
    expect(callCount(after, 'getOrders') - callCount(before, 'getOrders')).toBe(2);
    expect(callCount(after, 'getOrderItems') - callCount(before, 'getOrderItems')).toBe(2);
    expect(healed).toMatchObject({ ordersCreated: 1, ordersUnchanged: 1, ordersQuarantined: 0 });
    expect((await running.api('GET', `/api/v1/orders/quarantined?accountId=${accountId}`)).body.items).toEqual([]);
    const synced = (await running.api('GET', `/api/v1/orders?amazonOrderId=${order.orderId}`)).body.items[0];
    expect(synced).toMatchObject({ status: 'confirmed', channel: 'FBM', reconciled: true, amazonTotal: '11.90' });
  });
});
