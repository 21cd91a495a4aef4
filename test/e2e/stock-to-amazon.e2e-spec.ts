import { amazonOrder, RunningSystem, waitFor } from '@connector/testing';

const DE = 'A1PA6795UKMFR9';
const FR = 'A13V1IB3VIYZZH';
const STOCK = '00000000-0000-4000-8000-000000000001';
const SELLER = { sellerId: 'A2STOCKSYNC001', clientId: 'stock-client', clientSecret: 'stock-secret', refreshToken: 'Atzr|stock', marketplaceIds: [DE, FR] };
/** A seller shipping DE from Berlin and FR from Lyon. */
const TWO_WAREHOUSES = { sellerId: 'A2STOCKSYNC003', clientId: 'wh-client', clientSecret: 'wh-secret', refreshToken: 'Atzr|wh', marketplaceIds: [DE, FR] };
const QUIET = { sellerId: 'A2STOCKSYNC002', clientId: 'quiet-client', clientSecret: 'quiet-secret', refreshToken: 'Atzr|quiet', marketplaceIds: [DE] };
/** Another seller with stock sync on: its stock must not wait for the first one's feeds. */
const PROMPT = { sellerId: 'A2STOCKSYNC004', clientId: 'prompt-client', clientSecret: 'prompt-secret', refreshToken: 'Atzr|prompt', marketplaceIds: [DE] };
const recently = () => new Date(Date.now() - 180_000).toISOString();
const ORDER = amazonOrder({ orderId: '307-0000001-0000001', marketplaceId: DE, lastUpdatedTime: recently(), items: [{ orderItemId: '81000000000001', sku: 'STOCK-MUG', quantity: 2, unitPrice: '10.00', tax: '1.60' }] });
/** An FBA order: its SKU is fulfilled by Amazon and must never be told a merchant quantity. */
const FBA_ORDER = amazonOrder({
  orderId: '307-0000002-0000002',
  marketplaceId: DE,
  lastUpdatedTime: recently(),
  fulfilledBy: 'AMAZON',
  status: 'SHIPPED',
  items: [{ orderItemId: '81000000000002', sku: 'STOCK-DUO-FBA', quantity: 1, unitPrice: '12.00', tax: '1.92' }],
});
/** Many SKUs changed at once while createFeed's quota is spent. */
const SPENT = Array.from({ length: 25 }, (_, i) => `STOCK-SPENT-${String(i + 1).padStart(2, '0')}`);
/** Many SKUs changed at once go by one JSON_LISTINGS_FEED. */
const MANY = Array.from({ length: 25 }, (_, i) => `STOCK-BULK-${String(i + 1).padStart(2, '0')}`);

/** Stock to Amazon: the available quantity of FBM offers, less the account's buffer, told to Amazon for every marketplace of the account. */
describe('stock to Amazon', () => {
  const running = new RunningSystem();
  let accountId: string;
  let quietAccountId: string;
  let promptAccountId: string;

  const listingsOf = async (sellerId: string, sku: string) => (await running.sandbox('GET', `/_sandbox/listings?sellerId=${sellerId}&sku=${sku}`)).body.listings as any[];
  const listingIn = async (sellerId: string, sku: string, marketplaceId: string) =>
    (await running.sandbox('GET', `/_sandbox/listings?sellerId=${sellerId}&sku=${sku}&marketplaceId=${marketplaceId}`)).body.listings[0];
  const quantityAt = (listing: any) => listing.attributes.fulfillment_availability?.[0]?.quantity;
  const stockSync = async (account: string, sku: string) => (await running.api('GET', `/api/v1/accounts/${account}/stock-sync?sku=${sku}`)).body.items[0];
  const product = async (sku: string) => {
    const made = await running.api('POST', '/api/v1/products', { name: sku, internalReference: sku });
    expect(made.status).toBe(201);
    return made.body.id as string;
  };
  const adjust = async (productId: string, quantity: number, locationId = STOCK) => expect((await running.api('POST', '/api/v1/stock/adjustments', { productId, locationId, quantity })).status).toBe(201);

  beforeAll(async () => {
    await running.start({ SANDBOX_TIME_SCALE: '20', SPAPI_RATE_SCALE: '20' });
    for (const seller of [SELLER, QUIET, PROMPT]) await running.sandbox('POST', '/_sandbox/sellers', seller);
    await running.sandbox('PUT', '/_sandbox/listings', { sellerId: SELLER.sellerId, marketplaceIds: [DE, FR], skus: [{ sku: 'STOCK-MUG', quantity: 50 }, { sku: 'STOCK-BAD', quantity: 50 }, { sku: 'STOCK-DUO-FBM', quantity: 50 }, { sku: 'STOCK-DUO-FBA', fulfillmentChannelCode: 'AMAZON_EU' }, ...MANY.map((sku) => ({ sku })), ...SPENT.map((sku) => ({ sku }))] });
    await running.sandbox('PUT', '/_sandbox/listings', { sellerId: QUIET.sellerId, marketplaceIds: [DE], skus: [{ sku: 'QUIET-MUG', quantity: 50 }] });
    await running.sandbox('PUT', '/_sandbox/listings', { sellerId: PROMPT.sellerId, marketplaceIds: [DE], skus: [{ sku: 'PROMPT-MUG', quantity: 50 }] });
    await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders`, ORDER);
    await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders`, FBA_ORDER);
    const account = await running.createAccount(SELLER, 'EU', { syncEnabled: false });
    expect(account.status).toBe(201);
    accountId = account.body.id;
    expect(account.body).toMatchObject({ stockSync: false, stockBuffer: 0, handlingTimeDays: null });
    const quiet = await running.createAccount(QUIET, 'EU', { syncEnabled: false });
    quietAccountId = quiet.body.id;
    const prompt = await running.createAccount(PROMPT, 'EU', { syncEnabled: false, stockSync: true });
    expect(prompt.body).toMatchObject({ stockSync: true });
    promptAccountId = prompt.body.id;
  }, 180_000);

  afterAll(() => running.stop(), 60_000);

  it('takes the settings through PATCH /accounts/:id, refusing bad ones by field, audited', async () => {
    const bad = await running.api('PATCH', `/api/v1/accounts/${accountId}`, { stockSync: 'yes', stockBuffer: -1, handlingTimeDays: 31 });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['handlingTimeDays', 'stockBuffer', 'stockSync']);
    const set = await running.api('PATCH', `/api/v1/accounts/${accountId}`, { stockSync: true, stockBuffer: 1, handlingTimeDays: 2 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ stockSync: true, stockBuffer: 1, handlingTimeDays: 2 });
    const audit = (await running.api('GET', '/api/v1/audit')).body.items as { path: string; method: string; status: number }[];
    expect(audit.some((e) => e.method === 'PATCH' && e.path === `/api/v1/accounts/${accountId}` && e.status === 200)).toBe(true);
  });

  it('an FBM order and its delivery: every marketplace listing of the SKU gets the available quantity less the buffer, with the handling time', async () => {
    const mug = await product('STOCK-MUG');
    await adjust(mug, 10);
    expect((await running.api('POST', `/api/v1/accounts/${accountId}/sync`)).status).toBe(202);
    // 10 on hand, 2 held by the order's delivery: 8 available, 7 told to Amazon in DE and FR.
    const told = (sku: string, quantity: number) =>
      waitFor(
        async () => {
          const listings = await listingsOf(SELLER.sellerId, sku);
          return listings.length === 2 && listings.every((l) => quantityAt(l) === quantity) ? listings : undefined;
        },
        { timeoutMs: 60_000, what: `${sku} at ${quantity} in both marketplaces` },
      );
    const listings = await told('STOCK-MUG', 7);
    expect(listings.map((l) => l.attributes.fulfillment_availability[0])).toEqual([
      { fulfillment_channel_code: 'DEFAULT', quantity: 7, lead_time_to_ship_max_days: 2 },
      { fulfillment_channel_code: 'DEFAULT', quantity: 7, lead_time_to_ship_max_days: 2 },
    ]);

    const order = await waitFor(async () => (await running.api('GET', `/api/v1/orders?amazonOrderId=${ORDER.orderId}`)).body.items[0], { timeoutMs: 30_000, what: 'the order' });
    const delivery = (await running.api('GET', `/api/v1/deliveries?orderId=${order.id}`)).body.items[0];
    expect((await running.api('POST', `/api/v1/deliveries/${delivery.id}/validate`, { carrierCode: 'DHL', trackingNumber: 'T-STOCK-1' })).status).toBe(200);
    // Shipped: 8 on hand, none held; more stock arrives: 20 on hand, 19 told.
    await adjust(mug, 20);
    await told('STOCK-MUG', 19);
    const state = await waitFor(async () => {
      const s = await stockSync(accountId, 'STOCK-MUG');
      return s?.status === 'accepted' && s.sentQuantity === 19 ? s : undefined;
    }, { timeoutMs: 30_000, what: 'STOCK-MUG accepted at 19' });
    expect(state).toMatchObject({ availableQuantity: 20, sentVia: 'patchListingsItem', issues: [] });
    // Never an older value after a newer one: the quantities reached Amazon in order.
    const history = (await listingsOf(SELLER.sellerId, 'STOCK-MUG'))[0].history.map((h: { quantity: number }) => h.quantity);
    expect(history.slice(-2)).toEqual([7, 19]);
  });

  it('a SKU an FBA order named is never told a merchant quantity: skipped with the reason, while the FBM SKU of the same product is sent', async () => {
    // The FBA order came with the sync above: its SKU's offer knows it is fulfilled by Amazon.
    const fbaOffer = await waitFor(
      async () => (await running.api('GET', `/api/v1/offers?accountId=${accountId}&sku=STOCK-DUO-FBA`)).body.items.find((o: { fulfillmentChannels: string[] }) => o.fulfillmentChannels.includes('FBA')),
      { timeoutMs: 30_000, what: 'STOCK-DUO-FBA known as FBA' },
    );
    expect(fbaOffer.fulfillmentChannels).toEqual(['FBA']);
    // One product sold under both SKUs (the FBA SKU mapped to it keeps what its orders showed).
    const duo = await product('STOCK-DUO');
    expect((await running.api('PUT', '/api/v1/offers', { accountId, sku: 'STOCK-DUO-FBM', productId: duo, fulfillmentChannel: 'FBM' })).body.fulfillmentChannels).toEqual(['FBM']);
    expect((await running.api('PUT', '/api/v1/offers', { accountId, sku: 'STOCK-DUO-FBA', productId: duo })).body.fulfillmentChannels).toEqual(['FBA']);
    expect((await running.api('PUT', '/api/v1/offers', { accountId, sku: 'STOCK-DUO-FBA', productId: duo, fulfillmentChannel: 'AFN' })).status).toBe(400);
    await adjust(duo, 6);
    await waitFor(async () => {
      const s = await stockSync(accountId, 'STOCK-DUO-FBM');
      return s?.status === 'accepted' && s.sentQuantity === 5 ? s : undefined;
    }, { timeoutMs: 60_000, what: 'STOCK-DUO-FBM accepted at 5' });
    const skipped = await waitFor(async () => {
      const s = await stockSync(accountId, 'STOCK-DUO-FBA');
      return s?.status === 'skipped' ? s : undefined;
    }, { timeoutMs: 30_000, what: 'STOCK-DUO-FBA skipped' });
    expect(skipped).toMatchObject({ availableQuantity: 6, sentQuantity: null, sentAt: null, lastError: 'SKU is fulfilled by Amazon' });
    expect((await running.api('GET', `/api/v1/accounts/${accountId}/stock-sync?status=skipped`)).body.items.map((s: { sku: string }) => s.sku)).toContain('STOCK-DUO-FBA');
    // Amazon was never even asked: its FBA listing is as it was, nothing accepted, nothing refused.
    for (const listing of await listingsOf(SELLER.sellerId, 'STOCK-DUO-FBA')) {
      expect(listing.attributes.fulfillment_availability).toEqual([{ fulfillment_channel_code: 'AMAZON_EU' }]);
      expect(listing.history).toEqual([]);
      expect(listing.refused).toEqual([]);
    }
  });

  it('many SKUs changed at once go by one JSON_LISTINGS_FEED per marketplace, a refused one showing the issues of its processing report', async () => {
    await running.sandbox('POST', '/_sandbox/listings/failures', { sellerId: SELLER.sellerId, sku: MANY[6], issue: { code: '5461', message: `${MANY[6]} is restricted` } });
    // One product sold under 25 SKUs: one adjustment changes them all.
    const bulk = await product('STOCK-BULK');
    for (const sku of MANY) expect((await running.api('PUT', '/api/v1/offers', { accountId, sku, productId: bulk, fulfillmentChannel: 'FBM' })).status).toBeLessThan(300);
    await adjust(bulk, 12);
    const states = await waitFor(
      async () => {
        const items = (await running.api('GET', `/api/v1/accounts/${accountId}/stock-sync?limit=100`)).body.items.filter((s: { sku: string }) => MANY.includes(s.sku));
        return items.length === MANY.length && items.every((s: { status: string }) => s.status === 'accepted' || s.status === 'error') ? items : undefined;
      },
      { timeoutMs: 60_000, what: 'the bulk SKUs settled' },
    );
    expect(states.filter((s: { status: string }) => s.status === 'error').map((s: { sku: string }) => s.sku)).toEqual([MANY[6]]);
    expect(states.every((s: { sentVia: string; sentQuantity: number }) => s.sentVia === 'JSON_LISTINGS_FEED' && s.sentQuantity === 11)).toBe(true);
    expect(states.find((s: { sku: string }) => s.sku === MANY[6]).issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: '5461', severity: 'ERROR', marketplaceId: DE }), expect.objectContaining({ code: '5461', marketplaceId: FR })]),
    );
    const feeds = (await running.sandbox('GET', `/_sandbox/feeds?sellerId=${SELLER.sellerId}`)).body.feeds.filter((f: { feedType: string }) => f.feedType === 'JSON_LISTINGS_FEED');
    expect(feeds.map((f: { marketplaceIds: string[] }) => f.marketplaceIds[0]).sort()).toEqual([DE, FR].sort());
    for (const feed of feeds) expect(JSON.parse(feed.content).messages).toHaveLength(MANY.length);
    for (const sku of [MANY[0], MANY[24]]) expect((await listingsOf(SELLER.sellerId, sku)).map(quantityAt)).toEqual([11, 11]);
    expect((await listingsOf(SELLER.sellerId, MANY[6])).map(quantityAt)).toEqual([undefined, undefined]);
    await running.sandbox('DELETE', '/_sandbox/listings/failures');
  });

  it('a SKU Amazon refuses shows its error and Amazon\'s issues through the API', async () => {
    await running.sandbox('POST', '/_sandbox/listings/failures', { sellerId: SELLER.sellerId, sku: 'STOCK-BAD', issue: { code: '8541', message: 'STOCK-BAD conflicts with the catalogue' } });
    const bad = await product('STOCK-BAD');
    expect((await running.api('PUT', '/api/v1/offers', { accountId, sku: 'STOCK-BAD', productId: bad, fulfillmentChannel: 'FBM' })).status).toBeLessThan(300);
    await adjust(bad, 5);
    const state = await waitFor(async () => {
      const s = await stockSync(accountId, 'STOCK-BAD');
      return s?.status === 'error' ? s : undefined;
    }, { timeoutMs: 60_000, what: 'STOCK-BAD in error' });
    expect(state.issues).toEqual(expect.arrayContaining([expect.objectContaining({ code: '8541', message: 'STOCK-BAD conflicts with the catalogue', severity: 'ERROR', marketplaceId: DE })]));
    expect((await running.api('GET', `/api/v1/accounts/${accountId}/stock-sync?status=error`)).body.items.map((s: { sku: string }) => s.sku)).toEqual([MANY[6], 'STOCK-BAD']);
    expect((await listingsOf(SELLER.sellerId, 'STOCK-BAD')).map(quantityAt)).toEqual([50, 50]);
    await running.sandbox('DELETE', '/_sandbox/listings/failures');
  });

  it('stock sync off sends nothing: the SKU is kept `off`, and goes out once stock sync is turned on', async () => {
    const quietMug = await product('QUIET-MUG');
    expect((await running.api('PUT', '/api/v1/offers', { accountId: quietAccountId, sku: 'QUIET-MUG', productId: quietMug, fulfillmentChannel: 'FBM' })).status).toBeLessThan(300);
    await adjust(quietMug, 9);
    const state = await waitFor(async () => {
      const s = await stockSync(quietAccountId, 'QUIET-MUG');
      return s?.lastError ? s : undefined;
    }, { timeoutMs: 60_000, what: 'QUIET-MUG looked at by the sender' });
    expect(state).toMatchObject({ status: 'off', availableQuantity: 9, sentQuantity: null, lastError: expect.stringContaining('stock sync is off') });
    const [listing] = await listingsOf(QUIET.sellerId, 'QUIET-MUG');
    expect(listing.history).toEqual([]);
    expect(quantityAt(listing)).toBe(50);
    expect((await running.api('GET', `/api/v1/accounts/00000000-0000-4000-8000-0000000000ff/stock-sync`)).status).toBe(404);
    // Turned on, the account's `off` SKUs go out: amazon-notifications learns it from order-ingestion (one request for every account it holds off).
    expect((await running.api('PATCH', `/api/v1/accounts/${quietAccountId}`, { stockSync: true })).status).toBe(200);
    const sent = await waitFor(async () => {
      const s = await stockSync(quietAccountId, 'QUIET-MUG');
      return s?.status === 'accepted' ? s : undefined;
    }, { timeoutMs: 90_000, what: 'QUIET-MUG sent once stock sync is on' });
    expect(sent).toMatchObject({ availableQuantity: 9, sentQuantity: 9 });
    expect(quantityAt((await listingsOf(QUIET.sellerId, 'QUIET-MUG'))[0])).toBe(9);
  });
  it("a bulk change while createFeed's quota is spent holds no other account's stock: it goes by patchListingsItem, the other account's SKU reaches Amazon promptly", async () => {
    const feedsBefore = (await running.sandbox('GET', `/_sandbox/feeds?sellerId=${SELLER.sellerId}`)).body.feeds.length;
    // Amazon refuses every createFeed of the seller (429): its quota is spent.
    await running.sandbox('POST', '/_sandbox/faults', { operation: 'createFeed', sellerId: SELLER.sellerId, throttleStorm: { count: 1000 } });
    try {
      const promptMug = await product('PROMPT-MUG');
      expect((await running.api('PUT', '/api/v1/offers', { accountId: promptAccountId, sku: 'PROMPT-MUG', productId: promptMug, fulfillmentChannel: 'FBM' })).status).toBeLessThan(300);
      // 25 SKUs of one product change at once (counted 15: 14 told), and right after one SKU of the other account.
      const spent = await product('STOCK-SPENT');
      for (const sku of SPENT) expect((await running.api('PUT', '/api/v1/offers', { accountId, sku, productId: spent, fulfillmentChannel: 'FBM' })).status).toBeLessThan(300);
      await adjust(spent, 15);
      await waitFor(async () => ((await stockSync(accountId, SPENT[24]))?.availableQuantity === 15 ? true : undefined), { timeoutMs: 30_000, what: 'the bulk change announced' });
      const changedAt = Date.now();
      await adjust(promptMug, 4);
      const prompt = await waitFor(
        async () => {
          const s = await stockSync(promptAccountId, 'PROMPT-MUG');
          return s?.status === 'accepted' && s.sentQuantity === 4 ? s : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 200, what: 'PROMPT-MUG accepted at 4' },
      );
      // Waiting for createFeed's quota after the 429s would hold the pass ~50 s (8 tries, a token every 6 s at time × 20).
      expect(Date.now() - changedAt).toBeLessThan(15_000);
      expect(prompt.sentVia).toBe('patchListingsItem');
      expect((await listingsOf(PROMPT.sellerId, 'PROMPT-MUG')).map(quantityAt)).toEqual([4]);
      // The bulk SKUs are not lost: with no createFeed token, 25 SKUs × 2 marketplaces go by patchListingsItem.
      const states = await waitFor(
        async () => {
          const items = (await running.api('GET', `/api/v1/accounts/${accountId}/stock-sync?limit=100`)).body.items.filter((s: { sku: string }) => SPENT.includes(s.sku));
          return items.length === SPENT.length && items.every((s: { status: string; sentQuantity: number }) => s.status === 'accepted' && s.sentQuantity === 14) ? items : undefined;
        },
        { timeoutMs: 60_000, what: 'the bulk SKUs sent at 14' },
      );
      expect(states.every((s: { sentVia: string }) => s.sentVia === 'patchListingsItem')).toBe(true);
      for (const sku of [SPENT[0], SPENT[24]]) expect((await listingsOf(SELLER.sellerId, sku)).map(quantityAt)).toEqual([14, 14]);
      expect((await running.sandbox('GET', `/_sandbox/feeds?sellerId=${SELLER.sellerId}`)).body.feeds.length).toBe(feedsBefore);
    } finally {
      await running.sandbox('DELETE', '/_sandbox/faults');
    }
  });

  it('two warehouses: DE is told the Berlin quantity less the buffer and FR the Lyon one; removing FR\'s assignment tells FR the default\'s', async () => {
    await running.sandbox('POST', '/_sandbox/sellers', TWO_WAREHOUSES);
    await running.sandbox('PUT', '/_sandbox/listings', { sellerId: TWO_WAREHOUSES.sellerId, marketplaceIds: [DE, FR], skus: [{ sku: 'WH-MUG', quantity: 50 }] });
    const account = await running.createAccount(TWO_WAREHOUSES, 'EU', { syncEnabled: false, stockSync: true, stockBuffer: 1 });
    expect(account.status).toBe(201);
    const id = account.body.id as string;
    const warehouse = async (name: string, city: string, countryCode: string) => {
      const made = await running.api('POST', '/api/v1/locations', { name, address: { name, addressLine1: '1 Main Street', city, postalCode: '10115', countryCode } });
      expect(made.status).toBe(201);
      return made.body.id as string;
    };
    const [berlin, lyon] = [await warehouse('Stock Berlin', 'Berlin', 'DE'), await warehouse('Stock Lyon', 'Lyon', 'FR')];
    expect((await running.api('PUT', `/api/v1/accounts/${id}/ship-from`, { marketplaceId: DE, locationId: berlin })).status).toBe(200);
    expect((await running.api('PUT', `/api/v1/accounts/${id}/ship-from`, { marketplaceId: FR, locationId: lyon })).status).toBe(200);
    const mug = await product('WH-MUG');
    expect((await running.api('PUT', '/api/v1/offers', { accountId: id, sku: 'WH-MUG', productId: mug, fulfillmentChannel: 'FBM' })).status).toBeLessThan(300);
    await adjust(mug, 6, berlin);
    await adjust(mug, 3, lyon);
    await adjust(mug, 10, STOCK);
    const told = (de: number, fr: number) =>
      waitFor(
        async () => {
          const [inDe, inFr] = [await listingIn(TWO_WAREHOUSES.sellerId, 'WH-MUG', DE), await listingIn(TWO_WAREHOUSES.sellerId, 'WH-MUG', FR)];
          return quantityAt(inDe) === de && quantityAt(inFr) === fr ? { inDe, inFr } : undefined;
        },
        { timeoutMs: 60_000, what: `WH-MUG at ${de} in DE and ${fr} in FR` },
      );
    const { inDe, inFr } = await told(5, 2);
    // Each marketplace only ever got its own warehouse's value (the shared Stock's 10 never reached either).
    expect(inDe.history.every((h: { quantity: number }) => h.quantity <= 5)).toBe(true);
    expect(inFr.history.every((h: { quantity: number }) => h.quantity <= 2)).toBe(true);
    const perMarketplace = (s: { marketplaces: { marketplaceId: string; availableQuantity: number; sentQuantity: number | null }[] }) =>
      Object.fromEntries(s.marketplaces.map((m) => [m.marketplaceId, [m.availableQuantity, m.sentQuantity]]));
    const state = await waitFor(
      async () => {
        const s = await stockSync(id, 'WH-MUG');
        return s?.status === 'accepted' && perMarketplace(s)[DE]?.[1] === 5 && perMarketplace(s)[FR]?.[1] === 2 ? s : undefined;
      },
      { timeoutMs: 30_000, what: 'WH-MUG accepted per marketplace' },
    );
    expect(perMarketplace(state)).toEqual({ [DE]: [6, 5], [FR]: [3, 2] });
    // No default assignment: the other marketplaces would ship from the shared Stock location.
    expect(state).toMatchObject({ availableQuantity: 10, sentQuantity: 9 });
    // FR's assignment removed: FR ships from the shared Stock now, and is told so without any stock change.
    expect((await running.api('DELETE', `/api/v1/accounts/${id}/ship-from?marketplaceId=${FR}`)).status).toBe(204);
    await told(5, 9);
  });
});
