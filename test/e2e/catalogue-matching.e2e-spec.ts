import { amazonOrder, RunningSystem, waitFor } from '@connector/testing';

/** Visible to the SP-API (older than two minutes) and inside the sync's overlap window. */
const recently = () => new Date(Date.now() - 180_000).toISOString();

const GERMANY = { sellerId: 'A2CATALOGDE001', clientId: 'catalog-de', clientSecret: 'catalog-de-secret', refreshToken: 'Atzr|catalog-de', marketplaceIds: ['A1PA6795UKMFR9'] };
const FRANCE = { sellerId: 'A2CATALOGFR001', clientId: 'catalog-fr', clientSecret: 'catalog-fr-secret', refreshToken: 'Atzr|catalog-fr', marketplaceIds: ['A13V1IB3VIYZZH'] };

const order = (orderId: string, marketplaceId: string, sku: string, title: string) =>
  amazonOrder({
    orderId,
    marketplaceId,
    lastUpdatedTime: recently(),
    fulfilledBy: 'MERCHANT',
    status: 'UNSHIPPED',
    items: [{ orderItemId: `${orderId.replace(/-/g, '')}1`, sku, title, quantity: 1, unitPrice: '10.00', tax: '1.60' }],
  });

describe('products already in the catalogue: Amazon SKUs matched by internal reference, mapped and reviewed through the API', () => {
  const running = new RunningSystem();
  const accounts: { germany?: string; france?: string } = {};
  let catalogueProduct: { id: string; internalReference: string };

  const orderOf = (amazonOrderId: string) =>
    waitFor(async () => (await running.api('GET', `/api/v1/orders?amazonOrderId=${amazonOrderId}`)).body.items?.[0], { timeoutMs: 60_000, what: `order ${amazonOrderId}` });
  const productOfLine = async (amazonOrderId: string) => (await running.api('GET', `/api/v1/orders/${(await orderOf(amazonOrderId)).id}`)).body.lines.find((l: any) => l.kind === 'product').productId;
  const offers = async (query: string) => (await running.api('GET', `/api/v1/offers?limit=500&${query}`)).body.items as any[];
  const productCount = async () => (await running.api('GET', '/api/v1/products?limit=500')).body.items.length as number;
  /** Sells a new order at Amazon and syncs until it is stored (a run already going may have missed it). */
  const sellAndSync = async (seller: typeof GERMANY, accountId: string, sold: ReturnType<typeof order>) => {
    expect((await running.sandbox('POST', `/_sandbox/sellers/${seller.sellerId}/orders`, sold)).status).toBe(201);
    return waitFor(async () => {
      await running.api('POST', `/api/v1/accounts/${accountId}/sync`, {});
      return (await running.api('GET', `/api/v1/orders?amazonOrderId=${sold.orderId}`)).body.items?.[0];
    }, { timeoutMs: 90_000, intervalMs: 2_000, what: `order ${sold.orderId} synced` });
  };

  beforeAll(async () => {
    // Log level `log`: the test reads inventory's line about the new SKU.
    await running.start({ LOG_LEVEL: 'log' });
    for (const seller of [GERMANY, FRANCE]) expect((await running.sandbox('POST', '/_sandbox/sellers', seller)).status).toBe(201);
  }, 180_000);

  afterAll(() => running.stop(), 60_000);

  it('refuses a product without a name or with a blank reference (400 naming the fields), and a taken reference (409)', async () => {
    const bad = await running.api('POST', '/api/v1/products', { name: '', internalReference: '   ' });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual(expect.arrayContaining(['name', 'internalReference']));
    const created = await running.api('POST', '/api/v1/products', { name: 'Enamel mug, catalogue name', internalReference: 'SKU-1' });
    expect(created.status).toBe(201);
    catalogueProduct = created.body;
    expect(catalogueProduct.internalReference).toBe('SKU-1');
    expect((await running.api('POST', '/api/v1/products', { name: 'Again', internalReference: ' SKU-1 ' })).status).toBe(409);
  });

  it('orders of SKU-1 on two accounts and marketplaces land on the catalogue product; a new SKU creates one, listed for review', async () => {
    expect((await running.sandbox('POST', `/_sandbox/sellers/${GERMANY.sellerId}/orders`, order('305-0000001-0000001', 'A1PA6795UKMFR9', 'SKU-1', 'Amazon title DE'))).status).toBe(201);
    expect((await running.sandbox('POST', `/_sandbox/sellers/${GERMANY.sellerId}/orders`, order('305-0000002-0000002', 'A1PA6795UKMFR9', 'SKU-NEW', 'A brand new thing'))).status).toBe(201);
    expect((await running.sandbox('POST', `/_sandbox/sellers/${FRANCE.sellerId}/orders`, order('305-0000003-0000003', 'A13V1IB3VIYZZH', 'SKU-1', 'Titre Amazon FR'))).status).toBe(201);
    const productsBefore = await productCount();
    for (const [key, seller] of [['germany', GERMANY], ['france', FRANCE]] as const) {
      const created = await running.createAccount(seller);
      expect(created.status).toBe(201);
      accounts[key] = created.body.id;
    }

    expect(await productOfLine('305-0000001-0000001')).toBe(catalogueProduct.id);
    expect(await productOfLine('305-0000003-0000003')).toBe(catalogueProduct.id);
    const newProduct = await productOfLine('305-0000002-0000002');
    expect(newProduct).not.toBe(catalogueProduct.id);
    expect(await productCount()).toBe(productsBefore + 1);
    expect((await running.api('GET', '/api/v1/products?search=SKU-NEW')).body.items).toEqual([expect.objectContaining({ id: newProduct, internalReference: 'SKU-NEW', name: 'A brand new thing' })]);

    expect(await offers(`sku=SKU-1`)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ accountId: accounts.germany, marketplaceId: 'A1PA6795UKMFR9', productId: catalogueProduct.id, matchedBy: 'reference', createdProduct: false }),
        expect.objectContaining({ accountId: accounts.france, marketplaceId: 'A13V1IB3VIYZZH', productId: catalogueProduct.id, matchedBy: 'reference', createdProduct: false }),
      ]),
    );
    expect(await offers(`sku=SKU-1&marketplaceId=A13V1IB3VIYZZH`)).toEqual([expect.objectContaining({ accountId: accounts.france })]);
    const toReview = await offers('createdProduct=true&reviewed=false');
    expect(toReview).toEqual([expect.objectContaining({ sku: 'SKU-NEW', accountId: accounts.germany, productId: newProduct, matchedBy: 'created' })]);

    const reviewed = await running.api('POST', `/api/v1/offers/${toReview[0].id}/reviewed`, {});
    expect(reviewed.status).toBe(200);
    expect(reviewed.body.reviewedAt).toEqual(expect.any(String));
    expect(await offers('createdProduct=true&reviewed=false')).toEqual([]);
    expect((await running.api('GET', '/api/v1/offers?createdProduct=maybe')).status).toBe(400);
  });

  it('remapping an offer makes the next order of its SKU use the other product; stored orders keep theirs; unmapping resolves again', async () => {
    const [offer] = await offers(`accountId=${accounts.germany}&sku=SKU-NEW`);
    const bad = await running.api('PUT', `/api/v1/offers/${offer.id}/product`, { productId: 'not-a-uuid' });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual(['productId']);
    expect((await running.api('PUT', `/api/v1/offers/00000000-0000-4000-8000-000000000000/product`, { productId: catalogueProduct.id })).status).toBe(404);

    const remapped = await running.api('PUT', `/api/v1/offers/${offer.id}/product`, { productId: catalogueProduct.id });
    expect(remapped.status).toBe(200);
    expect(remapped.body).toMatchObject({ id: offer.id, productId: catalogueProduct.id, matchedBy: 'manual', createdProduct: true });
    const next = await sellAndSync(GERMANY, accounts.germany!, order('305-0000004-0000004', 'A1PA6795UKMFR9', 'SKU-NEW', 'A brand new thing'));
    expect(await productOfLine(next.amazonOrderId)).toBe(catalogueProduct.id);
    // The order stored before the remap keeps the product it had.
    expect(await productOfLine('305-0000002-0000002')).toBe(offer.productId);

    const unmapped = await running.api('DELETE', `/api/v1/offers/${offer.id}/product`);
    expect(unmapped.status).toBe(204);
    expect((await running.api('GET', `/api/v1/offers/${offer.id}`)).status).toBe(404);
    // Resolved again: by reference, the product the SKU created at first.
    const after = await sellAndSync(GERMANY, accounts.germany!, order('305-0000005-0000005', 'A1PA6795UKMFR9', 'SKU-NEW', 'A brand new thing'));
    expect(await productOfLine(after.amazonOrderId)).toBe(offer.productId);
    expect(await offers(`accountId=${accounts.germany}&sku=SKU-NEW`)).toEqual([expect.objectContaining({ productId: offer.productId, matchedBy: 'reference' })]);

    // Scopes: a read key lists but does not remap; a key of the French account does not see the German offers.
    const readKey = (await running.api('POST', '/api/v1/keys', { name: 'catalogue reader', scopes: ['read'] })).body.key;
    expect((await running.api('GET', `/api/v1/offers?sku=SKU-NEW`, undefined, readKey)).status).toBe(200);
    expect((await running.api('PUT', `/api/v1/offers/${offer.id}/product`, { productId: catalogueProduct.id }, readKey)).status).toBe(403);
    const [germanOffer] = await offers(`accountId=${accounts.germany}&sku=SKU-NEW`);
    const frenchKey = (await running.api('POST', '/api/v1/keys', { name: 'france only', scopes: ['read', 'operate'], accountIds: [accounts.france] })).body.key;
    expect((await running.api('GET', `/api/v1/offers/${germanOffer.id}`, undefined, frenchKey)).status).toBe(404);
    expect((await running.api('POST', `/api/v1/offers/${germanOffer.id}/reviewed`, {}, frenchKey)).status).toBe(404);
    const [frenchOffer] = await offers(`accountId=${accounts.france}&sku=SKU-1`);
    expect((await running.api('GET', `/api/v1/offers/${frenchOffer.id}`, undefined, frenchKey)).body).toMatchObject({ id: frenchOffer.id, accountId: accounts.france });
    // Inventory's log says which SKU got which product, with the account.
    expect(running.output.filter((line) => line.includes('SKU SKU-NEW sells a new product, listed for review') && line.includes(accounts.germany!))).toHaveLength(1);

    const audit = (await running.api('GET', '/api/v1/audit?limit=500')).body.items as any[];
    expect(audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ method: 'PUT', path: `/api/v1/offers/${offer.id}/product`, status: 200 }),
        expect.objectContaining({ method: 'DELETE', path: `/api/v1/offers/${offer.id}/product`, status: 204 }),
        expect.objectContaining({ method: 'POST', path: '/api/v1/products', status: 201 }),
      ]),
    );
  });
});
