import { randomUUID } from 'node:crypto';
import { amazonOrder, RunningSystem, waitFor } from '@connector/testing';

const DE = 'A1PA6795UKMFR9';
const FR = 'A13V1IB3VIYZZH';
const SELLER = { sellerId: 'A2SHIPFROM0001', clientId: 'shipfrom-client', clientSecret: 'shipfrom-secret', refreshToken: 'Atzr|shipfrom', marketplaceIds: [DE, FR] };
const recently = () => new Date(Date.now() - 180_000).toISOString();
const DE_ORDER = amazonOrder({ orderId: '306-0000001-0000001', marketplaceId: DE, lastUpdatedTime: recently(), items: [{ orderItemId: '80000000000001', sku: 'SHIPFROM-SKU', quantity: 1, unitPrice: '10.00', tax: '1.60' }] });
const FR_ORDER = amazonOrder({ orderId: '306-0000002-0000002', marketplaceId: FR, lastUpdatedTime: recently(), items: [{ orderItemId: '80000000000002', sku: 'SHIPFROM-SKU', quantity: 1, unitPrice: '10.00', tax: '1.60' }] });

/** Several FBM warehouses: the account's DE orders ship from warehouse A, its FR orders from warehouse B. */
describe('ship-from locations: each marketplace of an account ships from its own warehouse', () => {
  const running = new RunningSystem();
  const warehouses: string[] = [];
  let warehouseA: string;
  let warehouseB: string;
  let accountId: string;
  const orderOf = async (amazonOrderId: string) => (await running.api('GET', `/api/v1/orders?amazonOrderId=${amazonOrderId}`)).body.items[0];

  beforeAll(async () => {
    await running.start({ SANDBOX_TIME_SCALE: '20', SPAPI_RATE_SCALE: '20' });
    // The seller's two warehouses.
    for (const [name, city, countryCode, postalCode, supplySourceId] of [['Warehouse A (Hamburg)', 'Hamburg', 'DE', '20457', 'SS-HAMBURG'], ['Warehouse B (Lyon)', 'Lyon', 'FR', '69002', 'SS-LYON']]) {
      const made = await running.api('POST', '/api/v1/locations', { name, address: { name, addressLine1: '1 Main Street', city, postalCode, countryCode }, supplySourceId });
      expect(made.status).toBe(201);
      warehouses.push(made.body.id);
    }
    [warehouseA, warehouseB] = warehouses;
    await running.sandbox('POST', '/_sandbox/sellers', SELLER);
    for (const o of [DE_ORDER, FR_ORDER]) await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders`, o);
    // Not synced before its warehouses are assigned.
    const account = await running.createAccount(SELLER, 'EU', { syncEnabled: false });
    expect(account.status).toBe(201);
    accountId = account.body.id;
  }, 180_000);

  afterAll(() => running.stop(), 60_000);

  it('refuses bad assignments with their fields, and an unknown account with 404', async () => {
    const bad = await running.api('PUT', `/api/v1/accounts/${accountId}/ship-from`, { marketplaceId: 'de', locationId: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['locationId', 'marketplaceId']);
    const notStock = await running.api('PUT', `/api/v1/accounts/${accountId}/ship-from`, { marketplaceId: DE, locationId: '00000000-0000-4000-8000-000000000002' });
    expect(notStock.status).toBe(400);
    expect(notStock.body.details.map((d: { field: string }) => d.field)).toEqual(['locationId']);
    expect((await running.api('PUT', `/api/v1/accounts/${randomUUID()}/ship-from`, { locationId: warehouseA })).status).toBe(404);
  });

  it("moves the DE order's stock from warehouse A and the FR order's from warehouse B, each confirmation naming its warehouse to Amazon, the assignments audited", async () => {
    const de = await running.api('PUT', `/api/v1/accounts/${accountId}/ship-from`, { marketplaceId: DE, locationId: warehouseA });
    expect(de.status).toBe(200);
    expect(de.body).toMatchObject({ accountId, marketplaceId: DE, locationId: warehouseA });
    expect((await running.api('PUT', `/api/v1/accounts/${accountId}/ship-from`, { marketplaceId: FR, locationId: warehouseB })).body).toMatchObject({ marketplaceId: FR, locationId: warehouseB });

    const listed = await running.api('GET', `/api/v1/accounts/${accountId}/ship-from`);
    expect(listed.body.items.map((a: { marketplaceId: string; locationId: string }) => [a.marketplaceId, a.locationId])).toEqual([[FR, warehouseB], [DE, warehouseA]]);

    expect((await running.api('POST', `/api/v1/accounts/${accountId}/sync`)).status).toBe(202);
    const movesOf = async (amazonOrderId: string) => {
      const order = await waitFor(() => orderOf(amazonOrderId).catch(() => undefined), { timeoutMs: 60_000, what: `the order ${amazonOrderId}` });
      return waitFor(async () => {
        const moves = (await running.api('GET', `/api/v1/stock-moves?orderId=${order.id}`)).body.items;
        return moves.length ? moves : undefined;
      }, { timeoutMs: 60_000, what: `the stock moves of ${amazonOrderId}` });
    };
    expect((await movesOf(DE_ORDER.orderId)).map((m: { fromLocationId: string }) => m.fromLocationId)).toEqual([warehouseA]);
    expect((await movesOf(FR_ORDER.orderId)).map((m: { fromLocationId: string }) => m.fromLocationId)).toEqual([warehouseB]);

    // Validated, each confirmation tells Amazon the warehouse it shipped from.
    for (const o of [DE_ORDER, FR_ORDER]) {
      const delivery = (await running.api('GET', `/api/v1/deliveries?orderId=${(await orderOf(o.orderId)).id}`)).body.items[0];
      expect((await running.api('POST', `/api/v1/deliveries/${delivery.id}/validate`, { carrierCode: 'DHL', trackingNumber: `T-${o.orderId}` })).status).toBe(200);
    }
    const confirmedFrom = (amazonOrderId: string) =>
      waitFor(async () => ((await running.sandbox('GET', `/_sandbox/shipments?orderId=${amazonOrderId}`)).body.shipments as any[])[0]?.packageDetail, {
        timeoutMs: 60_000,
        what: `the shipment confirmation of ${amazonOrderId} at Amazon`,
      });
    expect((await confirmedFrom(DE_ORDER.orderId)).shipFromSupplySourceId).toBe('SS-HAMBURG');
    expect((await confirmedFrom(FR_ORDER.orderId)).shipFromSupplySourceId).toBe('SS-LYON');

    const audit = (await running.api('GET', '/api/v1/audit')).body.items as { path: string; status: number }[];
    expect(audit.filter((e) => e.path === `/api/v1/accounts/${accountId}/ship-from` && e.status === 200)).toHaveLength(2);
  });
});
