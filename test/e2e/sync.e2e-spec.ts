import { waitFor } from '@connector/testing';
import { amazonOrder, RunningSystem } from '@connector/testing';

/** Sellers on the sandbox; each becomes a connector account. */
const EU = { sellerId: 'A2SYNCEU000001', clientId: 'eu-client', clientSecret: 'eu-secret', refreshToken: 'Atzr|eu', marketplaceIds: ['A1PA6795UKMFR9', 'A13V1IB3VIYZZH', 'A1F83G8C2ARO7P'] };
const NA = { sellerId: 'A2SYNCNA000001', clientId: 'na-client', clientSecret: 'na-secret', refreshToken: 'Atzr|na', marketplaceIds: ['ATVPDKIKX0DER', 'A2EUQ1WTGCTBG2'] };

describe('order sync against the sandbox: accounts, marketplaces, changes, faults, crashes', () => {
  // Amazon's limits run 60 times faster in the sandbox, and our pacing follows.
  const running = new RunningSystem();
  const accounts: Record<string, string> = {};

  const createAccount = async (seller: typeof EU, region: 'EU' | 'NA', extra: Record<string, unknown> = {}) => {
    const created = await running.createAccount(seller, region, extra);
    expect(created.status).toBe(201);
    return created.body.id as string;
  };
  /** Every order matching the query, page after page (a page holds what fits in one NATS message, maybe fewer than 500). */
  const orders = async (query: string) => {
    const all: any[] = [];
    let cursor: string | undefined;
    do {
      const page = (await running.api('GET', `/api/v1/orders?limit=500&${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).body;
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  };
  const lastRun = async (accountId: string) => {
    // Newest first.
    const [newest] = (await running.api('GET', `/api/v1/accounts/${accountId}/sync-runs?limit=500`)).body.items as any[];
    return newest;
  };
  /** Asks for a sync and waits for a run that started after the request to finish. */
  const syncNow = async (accountId: string) => {
    const before = (await running.api('GET', `/api/v1/accounts/${accountId}/sync-runs?limit=500`)).body.items.length;
    expect((await running.api('POST', `/api/v1/accounts/${accountId}/sync`, {})).status).toBe(202);
    return waitFor(async () => {
      const runs = (await running.api('GET', `/api/v1/accounts/${accountId}/sync-runs?limit=500`)).body.items as any[];
      const [run] = runs;
      return runs.length > before && !['queued', 'running'].includes(run.status) ? run : undefined;
    }, { timeoutMs: 90_000, what: 'a finished sync run' });
  };
  /** Waits until all `count` orders of the account are synced, then checks none is doubled. */
  const expectEveryOrderOnce = async (accountId: string, count: number, what: string) => {
    const synced = await waitFor(async () => {
      const list = await orders(`accountId=${accountId}`);
      return list.length >= count ? list : undefined;
    }, { timeoutMs: 90_000, what });
    expect(synced).toHaveLength(count);
    expect(new Set(synced.map((o) => o.amazonOrderId)).size).toBe(count);
  };
  /** Waits for inventory's FBM deliveries: exactly one per order. */
  const expectOneDeliveryPerOrder = async (accountId: string, count: number) => {
    const deliveries = await waitFor(async () => {
      const rows = await running.env.query<{ n: number; orders: number }>(`select count(*)::int as n, count(distinct order_id)::int as orders from inventory.deliveries where account_id = $1`, [accountId]);
      return rows[0].n === count ? rows[0] : undefined;
    }, { what: 'one delivery per order' });
    expect(deliveries.orders).toBe(count);
  };
  /** A sandbox seller (EU) with one order per entry, last updated two days ago by the sandbox's clock. */
  const sellerWithOldOrders = async (sellerId: string, placed: { orderId: string; marketplaceId: string }[]) => {
    const seller = { ...EU, sellerId, clientId: `${sellerId}-client`, refreshToken: `Atzr|${sellerId}`, marketplaceIds: [...new Set(placed.map((o) => o.marketplaceId))] };
    expect((await running.sandbox('POST', '/_sandbox/sellers', seller)).status).toBe(201);
    const twoDaysAgo = new Date(Date.parse((await running.sandbox('GET', '/_sandbox/clock')).body.now) - 2 * 86400_000).toISOString();
    for (const [i, { orderId, marketplaceId }] of placed.entries()) {
      const order = amazonOrder({ orderId, marketplaceId, createdTime: twoDaysAgo, lastUpdatedTime: twoDaysAgo, items: [{ orderItemId: `7${orderId.replace(/\D/g, '').slice(-12)}${i}`, sku: `OLD-${marketplaceId}`, quantity: 1, unitPrice: '10.00', tax: '1.60' }] });
      expect((await running.sandbox('POST', `/_sandbox/sellers/${sellerId}/orders`, order)).status).toBe(201);
    }
    return seller;
  };
  /** Changes made at the sandbox become visible to the SP-API two minutes later. */
  const letAmazonCatchUp = () => running.sandbox('POST', '/_sandbox/clock', { advanceSeconds: 125 });

  beforeAll(async () => {
    await running.start({ SANDBOX_TIME_SCALE: '60', SPAPI_RATE_SCALE: '60', SYNC_LEASE_SECONDS: '10' });
    for (const seller of [EU, NA]) expect((await running.sandbox('POST', '/_sandbox/sellers', seller)).status).toBe(201);
  }, 180_000);

  afterAll(() => running.stop(), 60_000);

  it('an account may only enable marketplaces of its own region', async () => {
    const wrong = await running.api('POST', '/api/v1/accounts', {
      name: 'x', sellerId: 'A2WRONG0000001', region: 'NA', lwaClientId: 'c', lwaClientSecret: 's', refreshToken: 'r', marketplaceIds: ['A1PA6795UKMFR9'],
    });
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(wrong.body.details)).toContain('not in region NA');
    const sweden = () => ({ marketplaceId: 'A2NODRKZP88ZB9', name: 'Amazon.se', countryCode: 'SE', region: 'EU', currency: 'SEK', domain: 'amazon.se', taxIncluded: true });
    const added = await running.api('POST', '/api/v1/marketplaces', sweden());
    expect(added.status).toBe(201);
    // A list like every other: paged by cursor, the built-in nine first, then the added one.
    const pageOne = (await running.api('GET', '/api/v1/marketplaces?limit=6')).body;
    expect(pageOne.items).toHaveLength(6);
    const pageTwo = (await running.api('GET', `/api/v1/marketplaces?limit=6&cursor=${pageOne.nextCursor}`)).body;
    expect(pageTwo.nextCursor).toBeUndefined();
    const ids = [...pageOne.items, ...pageTwo.items].map((m: any) => m.marketplaceId);
    expect(new Set(ids).size).toBe(10);
    expect(ids.slice(0, 9)).toEqual(expect.arrayContaining(['ATVPDKIKX0DER', 'A1PA6795UKMFR9', 'A1F83G8C2ARO7P']));
    expect(ids[9]).toBe('A2NODRKZP88ZB9');
    expect((await running.api('POST', '/api/v1/marketplaces', { ...sweden(), countryCode: 'UK' })).status).toBe(400);
    expect((await running.api('POST', '/api/v1/marketplaces', { marketplaceId: 'bad', name: '', countryCode: 'Sweden', region: 'XX', currency: 'kr', domain: 'x', taxIncluded: 1 })).status).toBe(400);
  });

  it('syncs several accounts over several marketplaces; every generated order reconciles', async () => {
    await running.sandbox('POST', `/_sandbox/sellers/${EU.sellerId}/orders/generate`, { count: 250, seed: 'eu', marketplaceIds: EU.marketplaceIds });
    await running.sandbox('POST', `/_sandbox/sellers/${NA.sellerId}/orders/generate`, { count: 120, seed: 'na', marketplaceIds: NA.marketplaceIds });
    accounts.eu = await createAccount(EU, 'EU');
    accounts.na = await createAccount(NA, 'NA');
    for (const [key, seller] of [['eu', EU], ['na', NA]] as const) {
      const atAmazon = (await running.sandbox('GET', `/_sandbox/sellers/${seller.sellerId}/orders`)).body.orders as any[];
      const expected = atAmazon.filter((o) =>
        o.fulfilledBy === 'AMAZON' ? ['SHIPPED', 'CANCELLED'].includes(o.fulfillmentStatus) : ['UNSHIPPED', 'PARTIALLY_SHIPPED', 'SHIPPED', 'CANCELLED'].includes(o.fulfillmentStatus),
      );
      const synced = await waitFor(async () => {
        const run = await lastRun(accounts[key]);
        return run?.status === 'succeeded' ? orders(`accountId=${accounts[key]}`) : undefined;
      }, { timeoutMs: 90_000, what: `the first sync of ${key}` });
      // Orders Amazon cancelled before they were ever confirmed carry no prices and are not synced.
      const neverConfirmed = atAmazon.filter((o) => o.fulfillmentStatus === 'CANCELLED').length;
      expect(synced.length).toBeGreaterThanOrEqual(expected.length - neverConfirmed);
      expect(synced.length).toBeLessThanOrEqual(expected.length);
      expect(new Set(synced.map((o) => o.amazonOrderId)).size).toBe(synced.length);
      expect(synced.filter((o) => !o.reconciled)).toEqual([]);
      expect(new Set(synced.map((o) => o.marketplaceId)).size).toBeGreaterThan(1);
    }
    const na = await orders(`accountId=${accounts.na}`);
    expect(na.every((o) => !o.lines.some((l: any) => l.kind === 'product' && l.totalTaxIncluded === l.totalTaxExcluded && l.taxAmount !== '0.00'))).toBe(true);
  });

  it('follows changes on Amazon: a shipment, an Amazon-side cancellation that cancels the open delivery', async () => {
    const open = (await orders(`accountId=${accounts.eu}&channel=FBM&status=confirmed`)).slice(0, 2);
    expect(open).toHaveLength(2);
    const [toShip, toCancel] = open;
    await waitFor(async () => (await running.api('GET', `/api/v1/deliveries?orderId=${toCancel.id}`)).body.items?.[0], { what: 'the delivery to be cancelled' });
    await running.sandbox('POST', `/_sandbox/orders/${toShip.amazonOrderId}/status`, { status: 'SHIPPED' });
    await running.sandbox('POST', `/_sandbox/orders/${toCancel.amazonOrderId}/status`, { status: 'CANCELLED', cancelledBy: 'BUYER' });
    await letAmazonCatchUp();
    const run = await syncNow(accounts.eu);
    expect(run).toMatchObject({ status: 'succeeded' });
    expect(run.ordersUpdated).toBeGreaterThanOrEqual(2);
    expect((await running.api('GET', `/api/v1/orders/${toShip.id}`)).body.status).toBe('shipped');
    const canceled = (await running.api('GET', `/api/v1/orders/${toCancel.id}`)).body;
    expect(canceled).toMatchObject({ status: 'canceled', canceledBy: 'amazon' });
    await waitFor(async () => (await running.api('GET', `/api/v1/deliveries?orderId=${toCancel.id}`)).body.items?.[0]?.state === 'canceled', { what: 'the delivery to be cancelled' });
    const notifications = (await running.api('GET', `/api/v1/notifications?orderId=${toCancel.id}`)).body.items;
    expect(notifications).toEqual([]); // Amazon cancelled it: nothing to tell Amazon.
  });

  it('follows changes on Amazon: shipped quantities of a partial shipment, and a new delivery address that leaves the old one on file', async () => {
    const clockNow = async () => Date.parse((await running.sandbox('GET', '/_sandbox/clock')).body.now);
    const spec = (status: 'UNSHIPPED' | 'PARTIALLY_SHIPPED', addressLine1: string, lastUpdatedTime: string) =>
      amazonOrder({
        orderId: '302-7200000-0000001',
        status,
        createdTime: new Date(Date.parse(lastUpdatedTime) - 3_600_000).toISOString(),
        lastUpdatedTime,
        address: { name: 'Mia Mover', addressLine1, city: 'Berlin', postalCode: '10115', countryCode: 'DE' },
        items: [{ orderItemId: '72000000000001', sku: 'MOVE-1', quantity: 2, unitPrice: '10.00', tax: '3.19', quantityShipped: status === 'PARTIALLY_SHIPPED' ? 1 : 0 }],
      });
    const first = spec('UNSHIPPED', 'Altbauweg 1', new Date((await clockNow()) - 60_000).toISOString());
    expect((await running.sandbox('POST', `/_sandbox/sellers/${EU.sellerId}/orders`, first)).status).toBe(201);
    await letAmazonCatchUp();
    await syncNow(accounts.eu);
    const [before] = await orders(`amazonOrderId=${first.orderId}`);
    expect(before).toMatchObject({ status: 'confirmed' });

    const moved = spec('PARTIALLY_SHIPPED', 'Neubauweg 2', new Date((await clockNow()) - 60_000).toISOString());
    expect((await running.sandbox('POST', `/_sandbox/sellers/${EU.sellerId}/orders`, moved)).status).toBe(201);
    await letAmazonCatchUp();
    expect((await syncNow(accounts.eu)).ordersUpdated).toBeGreaterThanOrEqual(1);
    const [after] = await orders(`amazonOrderId=${first.orderId}`);
    expect(after).toMatchObject({ id: before.id, status: 'partially_shipped', contactId: before.contactId });
    expect(after.lines.find((l: any) => l.kind === 'product')).toMatchObject({ quantity: 2, quantityShipped: 1 });
    expect(after.deliveryAddressId).not.toBe(before.deliveryAddressId);
    const contact = (await running.api('GET', `/api/v1/partners/${after.contactId}`)).body;
    const streets = Object.fromEntries(contact.deliveryAddresses.map((a: any) => [a.id, a.addressLine1]));
    expect(streets).toMatchObject({ [before.deliveryAddressId]: 'Altbauweg 1', [after.deliveryAddressId]: 'Neubauweg 2' });
  });

  it('a marketplace enabled after the first sync has its older orders read once, from the start of the backfill', async () => {
    const de = { orderId: '302-7100000-0000001', marketplaceId: 'A1PA6795UKMFR9' };
    const fr = { orderId: '402-7100000-0000002', marketplaceId: 'A13V1IB3VIYZZH' };
    const seller = await sellerWithOldOrders('A2SYNCBACKFIL1', [de, fr]);

    const accountId = await createAccount({ ...seller, marketplaceIds: ['A1PA6795UKMFR9'] }, 'EU');
    await waitFor(async () => (await lastRun(accountId))?.status === 'succeeded', { timeoutMs: 60_000, what: 'the first sync' });
    expect((await orders(`accountId=${accountId}`)).map((o) => o.amazonOrderId)).toEqual([de.orderId]);

    const patched = await running.api('PATCH', `/api/v1/accounts/${accountId}`, { marketplaceIds: ['A1PA6795UKMFR9', 'A13V1IB3VIYZZH'] });
    expect(patched.status).toBe(200);
    expect(patched.body.marketplacesAwaitingBackfill).toEqual(['A13V1IB3VIYZZH']);
    const run = await syncNow(accountId);
    expect(run.status).toBe('succeeded');
    expect((await orders(`accountId=${accountId}`)).map((o) => o.amazonOrderId).sort()).toEqual([de.orderId, fr.orderId]);
    expect((await running.api('GET', `/api/v1/accounts/${accountId}`)).body.marketplacesAwaitingBackfill).toEqual([]);
  });

  it('a marketplace enabled while the first sync runs is backfilled by the next run', async () => {
    const italian = { orderId: '403-7300000-0000001', marketplaceId: 'APJ6JRA9NG5V4' };
    const seller = await sellerWithOldOrders('A2SYNCBACKFIL2', [{ orderId: '302-7300000-0000002', marketplaceId: 'A1PA6795UKMFR9' }, italian]);
    // A slow Amazon keeps the first run going while the account is changed.
    await running.sandbox('POST', '/_sandbox/faults', { operation: 'searchOrders', sellerId: seller.sellerId, latencyMs: 3000 });
    try {
      const accountId = await createAccount({ ...seller, marketplaceIds: ['A1PA6795UKMFR9'] }, 'EU');
      await waitFor(async () => (await lastRun(accountId))?.status === 'running', { what: 'the first run under way' });
      expect((await running.api('PATCH', `/api/v1/accounts/${accountId}`, { marketplaceIds: ['A1PA6795UKMFR9', 'APJ6JRA9NG5V4'] })).status).toBe(200);
      await waitFor(async () => (await lastRun(accountId))?.status === 'succeeded', { timeoutMs: 60_000, what: 'the first run to end' });
      expect((await orders(`accountId=${accountId}`)).map((o) => o.amazonOrderId)).toEqual(['302-7300000-0000002']);
      expect((await running.api('GET', `/api/v1/accounts/${accountId}`)).body.marketplacesAwaitingBackfill).toEqual(['APJ6JRA9NG5V4']);
      await running.sandbox('DELETE', '/_sandbox/faults');
      await syncNow(accountId);
      expect((await orders(`accountId=${accountId}`)).map((o) => o.amazonOrderId).sort()).toEqual(['302-7300000-0000002', italian.orderId]);
      expect((await running.api('GET', `/api/v1/accounts/${accountId}`)).body.marketplacesAwaitingBackfill).toEqual([]);
    } finally {
      await running.sandbox('DELETE', '/_sandbox/faults');
    }
  });

  it('quarantines a malformed order with its reason, keeps syncing the rest, and recovers it later', async () => {
    const broken = amazonOrder({ orderId: '302-9999999-0000001', lastUpdatedTime: new Date(Date.now() - 180_000).toISOString(), items: [{ orderItemId: '90000000000001', sku: 'Q-SKU', quantity: 1, unitPrice: '10.00', tax: '1.60' }] });
    const fine = amazonOrder({ orderId: '302-9999999-0000002', lastUpdatedTime: new Date(Date.now() - 180_000).toISOString(), items: [{ orderItemId: '90000000000002', sku: 'Q-SKU', quantity: 1, unitPrice: '10.00', tax: '1.60' }] });
    // Both become visible relative to the sandbox's (advanced) clock.
    const clock = (await running.sandbox('GET', '/_sandbox/clock')).body.now as string;
    for (const order of [broken, fine]) {
      order.lastUpdatedTime = new Date(Date.parse(clock) - 180_000).toISOString();
      expect((await running.sandbox('POST', `/_sandbox/sellers/${EU.sellerId}/orders`, order)).status).toBe(201);
    }
    await running.sandbox('POST', '/_sandbox/faults', { malformedOrderIds: [broken.orderId] });
    const run = await syncNow(accounts.eu);
    expect(run.ordersQuarantined).toBe(1);
    expect((await orders(`amazonOrderId=${fine.orderId}`))).toHaveLength(1);
    expect((await orders(`amazonOrderId=${broken.orderId}`))).toHaveLength(0);
    const quarantined = (await running.api('GET', `/api/v1/orders/quarantined?accountId=${accounts.eu}`)).body.items as any[];
    expect(quarantined).toEqual([expect.objectContaining({ amazonOrderId: broken.orderId, reason: expect.any(String) })]);

    await running.sandbox('DELETE', '/_sandbox/faults');
    await syncNow(accounts.eu);
    expect((await orders(`amazonOrderId=${broken.orderId}`))).toHaveLength(1);
    expect((await running.api('GET', `/api/v1/orders/quarantined?accountId=${accounts.eu}`)).body.items).toEqual([]);
    // Sync runs list newest first, page by page.
    const history = (await running.api('GET', `/api/v1/accounts/${accounts.eu}/sync-runs?limit=500`)).body.items as any[];
    expect(history.length).toBeGreaterThanOrEqual(2);
    expect(history.map((r) => Date.parse(r.startedAt))).toEqual(history.map((r) => Date.parse(r.startedAt)).sort((a, b) => b - a));
    const newest = (await running.api('GET', `/api/v1/accounts/${accounts.eu}/sync-runs?limit=1`)).body;
    const next = (await running.api('GET', `/api/v1/accounts/${accounts.eu}/sync-runs?limit=1&cursor=${newest.nextCursor}`)).body;
    expect([newest.items[0].id, next.items[0].id]).toEqual([history[0].id, history[1].id]);
    // Resolved: the order it kept for inspection is gone.
    expect(await running.env.query(`select payload, resolved_at is not null as resolved from ingestion.quarantined_orders where amazon_order_id = $1`, [broken.orderId])).toEqual([{ payload: null, resolved: true }]);
  });

  it('poison orders (a three-letter country code, an unknown currency) are quarantined alone with their reason; the rest of their page and the later pages are stored; nothing is created for them', async () => {
    const seller = { ...EU, sellerId: 'A2SYNCPOISON01', clientId: 'poison-client', refreshToken: 'Atzr|poison', marketplaceIds: ['A1PA6795UKMFR9'] };
    expect((await running.sandbox('POST', '/_sandbox/sellers', seller)).status).toBe(201);
    await running.sandbox('POST', `/_sandbox/sellers/${seller.sellerId}/orders/generate`, { count: 150, seed: 'poison', marketplaceIds: seller.marketplaceIds, fulfilledBy: 'MERCHANT', statuses: ['UNSHIPPED'] });
    const at = new Date(Date.parse((await running.sandbox('GET', '/_sandbox/clock')).body.now) - 3 * 3600_000).toISOString();
    const order = (n: number, sku: string, extra: Partial<Parameters<typeof amazonOrder>[0]> = {}) =>
      amazonOrder({ orderId: `302-8800000-000000${n}`, marketplaceId: 'A1PA6795UKMFR9', createdTime: at, lastUpdatedTime: at, items: [{ orderItemId: `8800000000000${n}`, sku, quantity: 1, unitPrice: '10.00', tax: '1.60' }], ...extra });
    const threeLetterCountry = order(1, 'POISON-ONLY-1', { address: { name: 'Erika Mustermann', addressLine1: 'Heidestraße 17', city: 'Köln', postalCode: '51147', countryCode: 'DEU' } });
    const unknownCurrency = order(2, 'POISON-ONLY-2', { currency: 'QQQ' });
    const good = [3, 4, 5].map((n) => order(n, 'POISON-GOOD'));
    for (const o of [threeLetterCountry, unknownCurrency, ...good]) expect((await running.sandbox('POST', `/_sandbox/sellers/${seller.sellerId}/orders`, o)).status).toBe(201);

    const accountId = await createAccount(seller, 'EU', { syncEnabled: false });
    const run = await syncNow(accountId);
    expect(run).toMatchObject({ status: 'succeeded', ordersQuarantined: 2 });
    const synced = await orders(`accountId=${accountId}`);
    expect(synced).toHaveLength(153);
    expect(synced.map((o) => o.amazonOrderId)).toEqual(expect.arrayContaining(good.map((o) => o.orderId)));
    const quarantined = (await running.api('GET', `/api/v1/orders/quarantined?accountId=${accountId}`)).body.items as any[];
    expect(Object.fromEntries(quarantined.map((q) => [q.amazonOrderId, q.reason]))).toEqual({
      [threeLetterCountry.orderId]: expect.stringMatching(/countryCode/),
      [unknownCurrency.orderId]: expect.stringMatching(/currency "QQQ"/),
    });
    // The cursor moved as for any quarantined order: they are retried, the account goes on.
    expect((await running.api('GET', `/api/v1/accounts/${accountId}`)).body.lastSyncedUntil).not.toBeNull();
    // No product for the SKU only a quarantined order has; the good orders' SKU has one.
    const offers = async (sku: string) => (await running.api('GET', `/api/v1/offers?accountId=${accountId}&sku=${sku}`)).body.items as any[];
    expect(await offers('POISON-ONLY-1')).toEqual([]);
    expect(await offers('POISON-ONLY-2')).toEqual([]);
    expect(await offers('POISON-GOOD')).toHaveLength(1);
    expect(running.output.filter((line) => /unhandled rejection/i.test(line))).toEqual([]);
  });

  it('skips nothing through a 429 storm and 5xx errors', async () => {
    const seller = { ...NA, sellerId: 'A2SYNCSTORM001', clientId: 'storm-client', refreshToken: 'Atzr|storm' };
    await running.sandbox('POST', '/_sandbox/sellers', seller);
    await running.sandbox('POST', `/_sandbox/sellers/${seller.sellerId}/orders/generate`, { count: 350, seed: 'storm', marketplaceIds: seller.marketplaceIds });
    await running.sandbox('POST', '/_sandbox/faults', { operation: 'searchOrders', sellerId: seller.sellerId, throttleStorm: { count: 3 } });
    await running.sandbox('POST', '/_sandbox/faults', { operation: 'searchOrders', sellerId: seller.sellerId, status: 503, count: 2 });
    const accountId = await createAccount(seller, 'NA', { syncEnabled: false });
    const run = await syncNow(accountId);
    await running.sandbox('DELETE', '/_sandbox/faults');
    expect(run.status).toBe('succeeded');
    expect(run.throttled).toBeGreaterThanOrEqual(1);
    const atAmazon = (await running.sandbox('GET', `/_sandbox/sellers/${seller.sellerId}/orders`)).body.orders as any[];
    const syncable = atAmazon.filter((o) => (o.fulfilledBy === 'AMAZON' ? ['SHIPPED'] : ['UNSHIPPED', 'PARTIALLY_SHIPPED', 'SHIPPED']).includes(o.fulfillmentStatus));
    const synced = await orders(`accountId=${accountId}`);
    expect(syncable.filter((o) => !synced.some((s) => s.amazonOrderId === o.orderId))).toEqual([]);
    expect(new Set(synced.map((o) => o.amazonOrderId)).size).toBe(synced.length);
  });

  it('order-ingestion killed mid-sync: another start resumes, nothing lost, nothing doubled', async () => {
    const seller = { ...EU, sellerId: 'A2SYNCCRASH001', clientId: 'crash-client', refreshToken: 'Atzr|crash' };
    await running.sandbox('POST', '/_sandbox/sellers', seller);
    await running.sandbox('POST', `/_sandbox/sellers/${seller.sellerId}/orders/generate`, { count: 400, seed: 'crash', marketplaceIds: ['A1PA6795UKMFR9'], fulfilledBy: 'MERCHANT', statuses: ['UNSHIPPED'] });
    // Slow Amazon down so the sync is caught between pages.
    await running.sandbox('POST', '/_sandbox/faults', { operation: 'searchOrders', sellerId: seller.sellerId, latencyMs: 1500 });
    const accountId = await createAccount(seller, 'EU');
    await waitFor(async () => (await orders(`accountId=${accountId}`)).length >= 100, { timeoutMs: 60_000, what: 'the first page' });
    await running.system.process('order-ingestion').stop('SIGKILL');
    await running.sandbox('DELETE', '/_sandbox/faults');
    await running.system.process('order-ingestion').start();
    await expectEveryOrderOnce(accountId, 400, 'all 400 orders after the restart');
    await expectOneDeliveryPerOrder(accountId, 400);
  });

  it('two order-ingestion replicas: one syncs an account at a time; when it dies the other takes over once the lease runs out', async () => {
    const seller = { ...EU, sellerId: 'A2SYNCREPLICA1', clientId: 'replica-client', refreshToken: 'Atzr|replica' };
    await running.sandbox('POST', '/_sandbox/sellers', seller);
    await running.sandbox('POST', `/_sandbox/sellers/${seller.sellerId}/orders/generate`, { count: 400, seed: 'replicas', marketplaceIds: ['A1PA6795UKMFR9'], fulfilledBy: 'MERCHANT', statuses: ['UNSHIPPED'] });
    const first = running.system.process('order-ingestion');
    if (!first.running) await first.start();
    const second = await running.system.startReplica('order-ingestion');
    await running.sandbox('POST', '/_sandbox/faults', { operation: 'searchOrders', sellerId: seller.sellerId, latencyMs: 1500 });
    const accountId = await createAccount(seller, 'EU');
    await waitFor(async () => (await orders(`accountId=${accountId}`)).length >= 100, { timeoutMs: 60_000, what: 'the first page' });

    const runsOf = () => running.env.query<{ replica: string; status: string; errors: string[] }>(`select replica, status, errors from ingestion.sync_runs where account_id = $1 order by created_at`, [accountId]);
    const [{ lease_owner: owner }] = await running.env.query<{ lease_owner: string }>(`select lease_owner from ingestion.seller_accounts where id = $1`, [accountId]);
    const holder = [first, second].find((p) => owner.includes(`-${p.pid}-`))!;
    expect(holder).toBeDefined();
    const other = holder === first ? second : first;
    // While the holder lives, only it runs this account.
    expect((await runsOf()).every((run) => run.replica === owner)).toBe(true);

    await holder.stop('SIGKILL');
    await running.sandbox('DELETE', '/_sandbox/faults');
    await expectEveryOrderOnce(accountId, 400, 'all 400 orders through the other replica');

    const runs = await waitFor(async () => {
      const all = await runsOf();
      return all.some((run) => run.status === 'succeeded') ? all : undefined;
    }, { what: 'a finished run by the other replica' });
    const cutShort = runs.filter((run) => run.replica === owner);
    expect(cutShort.map((run) => run.status)).toContain('failed');
    expect(cutShort.find((run) => run.status === 'failed')!.errors.join(' ')).toContain('interrupted');
    expect(runs.some((run) => run.status === 'running' && run.replica === owner)).toBe(false);
    expect(runs.find((run) => run.status === 'succeeded')!.replica).toContain(`-${other.pid}-`);
    await expectOneDeliveryPerOrder(accountId, 400);
  });

  it('SIGTERM: the replica syncing an account stops at a page boundary and hands it back at once; the other replica carries on without waiting for the lease', async () => {
    const seller = { ...EU, sellerId: 'A2SYNCSIGTERM1', clientId: 'sigterm-client', refreshToken: 'Atzr|sigterm' };
    await running.sandbox('POST', '/_sandbox/sellers', seller);
    await running.sandbox('POST', `/_sandbox/sellers/${seller.sellerId}/orders/generate`, { count: 400, seed: 'sigterm', marketplaceIds: ['A1PA6795UKMFR9'], fulfilledBy: 'MERCHANT', statuses: ['UNSHIPPED'] });
    const replicas = [running.system.process('order-ingestion'), ...running.system.replicas.filter((p) => p.name === 'order-ingestion')];
    while (replicas.length < 2) replicas.push(await running.system.startReplica('order-ingestion'));
    for (const replica of replicas) if (!replica.running) await replica.start();
    await running.sandbox('POST', '/_sandbox/faults', { operation: 'searchOrders', sellerId: seller.sellerId, latencyMs: 1500 });
    try {
      const accountId = await createAccount(seller, 'EU');
      await waitFor(async () => (await orders(`accountId=${accountId}`)).length >= 100, { timeoutMs: 60_000, what: 'the first page' });
      const [{ lease_owner: owner }] = await running.env.query<{ lease_owner: string }>(`select lease_owner from ingestion.seller_accounts where id = $1`, [accountId]);
      const holder = replicas.find((p) => p.running && owner.includes(`-${p.pid}-`))!;
      expect(holder).toBeDefined();

      await holder.stop('SIGTERM');
      // Handed back on the way out, not left to run out (SYNC_LEASE_SECONDS is 10 here).
      const [after] = await running.env.query<{ lease_owner: string | null }>(`select lease_owner from ingestion.seller_accounts where id = $1`, [accountId]);
      expect(after.lease_owner).not.toBe(owner);
      const runs = await running.env.query<{ replica: string; status: string; errors: string[] }>(`select replica, status, errors from ingestion.sync_runs where account_id = $1 order by created_at`, [accountId]);
      expect(runs[0]).toMatchObject({ replica: owner, status: 'failed', errors: [expect.stringMatching(/stopped at a page boundary: the service is shutting down/)] });
      await running.sandbox('DELETE', '/_sandbox/faults');
      await expectEveryOrderOnce(accountId, 400, 'all 400 orders through the other replica');
      await expectOneDeliveryPerOrder(accountId, 400);
    } finally {
      await running.sandbox('DELETE', '/_sandbox/faults');
    }
  });
});
