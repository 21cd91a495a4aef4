import { scrapeMetrics } from '@connector/test-environment';
import { amazonOrder, RunningSystem, waitFor } from '@connector/testing';

const SELLER = { sellerId: 'A2CARRIERS0001', clientId: 'carrier-client', clientSecret: 'carrier-secret', refreshToken: 'Atzr|carriers', marketplaceIds: ['A1PA6795UKMFR9'] };
const recently = () => new Date(Date.now() - 180_000).toISOString();
const ORDERS = ['305-0000001-0000001', '305-0000002-0000002', '305-0000003-0000003', '305-0000004-0000004'].map((orderId, i) =>
  amazonOrder({ orderId, lastUpdatedTime: recently(), items: [{ orderItemId: `7${i}000000000001`, sku: 'CARRIER-SKU', quantity: 1, unitPrice: '10.00', tax: '1.60' }] }),
);

describe('carriers: Amazon codes, the seller\'s carrier names, Other with a name', () => {
  const running = new RunningSystem();
  let accountId: string;
  const deliveryOf = async (amazonOrderId: string) => {
    const order = (await running.api('GET', `/api/v1/orders?amazonOrderId=${amazonOrderId}`)).body.items[0];
    return (await running.api('GET', `/api/v1/deliveries?orderId=${order.id}`)).body.items[0];
  };
  /** The package as Amazon (the sandbox) received it, once the confirmation got there. */
  const confirmedPackage = (amazonOrderId: string) =>
    waitFor(async () => ((await running.sandbox('GET', `/_sandbox/shipments?orderId=${amazonOrderId}`)).body.shipments as any[])[0]?.packageDetail, {
      timeoutMs: 60_000,
      what: `the shipment confirmation of ${amazonOrderId} at Amazon`,
    });
  const validate = async (amazonOrderId: string, body: object) => running.api('POST', `/api/v1/deliveries/${(await deliveryOf(amazonOrderId)).id}/validate`, body);

  beforeAll(async () => {
    await running.start({ SANDBOX_TIME_SCALE: '20', SPAPI_RATE_SCALE: '20' });
    await running.sandbox('POST', '/_sandbox/sellers', SELLER);
    for (const o of ORDERS) await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders`, o);
    const account = await running.createAccount(SELLER);
    expect(account.status).toBe(201);
    accountId = account.body.id;
    for (const o of ORDERS) await waitFor(async () => deliveryOf(o.orderId).catch(() => undefined), { timeoutMs: 60_000, what: `the delivery of ${o.orderId}` });
  }, 180_000);

  afterAll(() => running.stop(), 60_000);

  it("lists Amazon's carrier codes, Other needing a carrier name", async () => {
    const res = await running.api('GET', '/api/v1/carriers');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual(expect.arrayContaining([{ code: 'DHL', requiresCarrierName: false }, { code: 'Royal Mail', requiresCarrierName: false }, { code: 'Other', requiresCarrierName: true }]));
    expect(res.body.items.length).toBeGreaterThan(100);
  });

  it('maps, reads, replaces and removes a carrier name through the API, refusing bad ones with their fields, audited', async () => {
    const bad = await running.api('PUT', '/api/v1/carrier-mappings/pigeon', { carrierCode: 'Pigeon Post' });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual(['carrierCode']);
    const otherWithoutName = await running.api('PUT', '/api/v1/carrier-mappings/our%20van', { carrierCode: 'Other' });
    expect(otherWithoutName.status).toBe(400);
    expect(otherWithoutName.body.details.map((d: { field: string }) => d.field)).toEqual(['carrierName']);
    expect((await running.api('GET', '/api/v1/carrier-mappings/pigeon')).status).toBe(404);

    const put = await running.api('PUT', '/api/v1/carrier-mappings/Paket%20Express', { carrierCode: 'UPS' });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: 'Paket Express', carrierCode: 'UPS', carrierName: null });
    // The same name in another case replaces it.
    expect((await running.api('PUT', '/api/v1/carrier-mappings/paket%20express', { carrierCode: 'DHL' })).body).toMatchObject({ name: 'paket express', carrierCode: 'DHL' });
    expect((await running.api('GET', '/api/v1/carrier-mappings/PAKET%20EXPRESS')).body).toMatchObject({ carrierCode: 'DHL' });
    expect((await running.api('GET', '/api/v1/carrier-mappings')).body.items).toEqual([expect.objectContaining({ name: 'paket express', carrierCode: 'DHL' })]);
    expect((await running.api('DELETE', '/api/v1/carrier-mappings/Paket%20Express')).status).toBe(204);
    expect((await running.api('GET', '/api/v1/carrier-mappings/paket%20express')).status).toBe(404);
    expect((await running.api('DELETE', '/api/v1/carrier-mappings/paket%20express')).status).toBe(404);

    const audit = (await running.api('GET', '/api/v1/audit')).body.items as { path: string; method: string; status: number }[];
    expect(audit).toEqual(expect.arrayContaining([
      expect.objectContaining({ method: 'PUT', path: '/api/v1/carrier-mappings/pigeon', status: 400 }),
      expect.objectContaining({ method: 'PUT', path: '/api/v1/carrier-mappings/paket%20express', status: 200 }),
      expect.objectContaining({ method: 'DELETE', path: '/api/v1/carrier-mappings/Paket%20Express', status: 204 }),
    ]));
  });

  it('changing mappings needs the operate scope and a key of every account (they apply to all); reading them does not', async () => {
    const readOnly = (await running.api('POST', '/api/v1/keys', { name: 'carriers read', scopes: ['read'] })).body.key;
    const limited = (await running.api('POST', '/api/v1/keys', { name: 'carriers one account', scopes: ['read', 'operate'], accountIds: [accountId] })).body.key;
    for (const key of [readOnly, limited]) {
      expect((await running.api('GET', '/api/v1/carriers', undefined, key)).status).toBe(200);
      expect((await running.api('GET', '/api/v1/carrier-mappings', undefined, key)).status).toBe(200);
      expect((await running.api('PUT', '/api/v1/carrier-mappings/fast%20lane', { carrierCode: 'DPD' }, key)).status).toBe(403);
    }
    expect((await running.api('GET', '/api/v1/carrier-mappings/fast%20lane')).status).toBe(404);
  });

  it("validates with Amazon's code: confirmed as given, the shipping method with it", async () => {
    expect((await validate(ORDERS[0].orderId, { carrierCode: 'Royal Mail', trackingNumber: 'RM-1', shippingMethod: 'Tracked 48' })).status).toBe(200);
    expect(await confirmedPackage(ORDERS[0].orderId)).toMatchObject({ carrierCode: 'Royal Mail', trackingNumber: 'RM-1', shippingMethod: 'Tracked 48' });
    expect(await confirmedPackage(ORDERS[0].orderId)).not.toHaveProperty('carrierName');
  });

  it("validates with the seller's mapped carrier name: Amazon gets the mapped code", async () => {
    expect((await running.api('PUT', '/api/v1/carrier-mappings/dhl%20paket', { carrierCode: 'DHL' })).status).toBe(200);
    const res = await validate(ORDERS[1].orderId, { carrier: 'DHL Paket', trackingNumber: 'DHL-1', shippingMethod: 'Paket' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ carrierCode: 'DHL', carrierName: null, shippingMethod: 'Paket' });
    const pkg = await confirmedPackage(ORDERS[1].orderId);
    expect(pkg).toMatchObject({ carrierCode: 'DHL', trackingNumber: 'DHL-1', shippingMethod: 'Paket' });
    expect(pkg).not.toHaveProperty('carrierName');
  });

  it('validates with an unknown carrier name: never refused, confirmed as Other with that name; an empty one is refused', async () => {
    const empty = await validate(ORDERS[2].orderId, { carrier: '  ', trackingNumber: 'K-1' });
    expect(empty.status).toBe(400);
    expect(empty.body.details.map((d: { field: string }) => d.field)).toEqual(['carrier']);
    const res = await validate(ORDERS[2].orderId, { carrier: 'Kurier Müller', trackingNumber: 'K-1', shippingMethod: 'Same day' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'done', carrierCode: 'Other', carrierName: 'Kurier Müller' });
    expect(await confirmedPackage(ORDERS[2].orderId)).toMatchObject({ carrierCode: 'Other', carrierName: 'Kurier Müller', shippingMethod: 'Same day' });
    // Amazon shows the buyer the carrier's name on the package.
    const order = (await running.sandbox('GET', `/_sandbox/orders/${ORDERS[2].orderId}`)).body;
    expect(order.order.packages[0]).toMatchObject({ carrier: 'Kurier Müller', shippingService: 'Same day' });
  });

  it('a name mapped to Other goes with the mapping\'s carrier name', async () => {
    expect((await running.api('PUT', '/api/v1/carrier-mappings/our%20van', { carrierCode: 'Other', carrierName: 'Van Dijk Koeriers' })).status).toBe(200);
    expect((await validate(ORDERS[3].orderId, { carrier: 'our van', trackingNumber: 'VAN-1' })).status).toBe(200);
    expect(await confirmedPackage(ORDERS[3].orderId)).toMatchObject({ carrierCode: 'Other', carrierName: 'Van Dijk Koeriers' });
  });

  it('counts validated deliveries by how their carrier was found', async () => {
    const metrics = await scrapeMetrics(`${running.system.managementUrl('inventory')}/metrics`);
    const resolved = (by: string) => metrics.sum('connector_delivery_carriers_resolved_total', { resolved_by: by });
    expect([resolved('code'), resolved('mapping'), resolved('other')]).toEqual([1, 2, 1]);
  });
});
