import { randomUUID } from 'node:crypto';
import { scrapeMetrics } from '@connector/test-environment';
import { amazonOrder, RunningSystem, waitFor } from '@connector/testing';

const DE = 'A1PA6795UKMFR9';
const FR = 'A13V1IB3VIYZZH';
const SELLER = { sellerId: 'A2LOCATIONS001', clientId: 'locations-client', clientSecret: 'locations-secret', refreshToken: 'Atzr|locations', marketplaceIds: [DE, FR] };
const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();
const item = (orderItemId: string, quantity: number) => ({ orderItemId, sku: 'LOCATIONS-SKU', quantity, unitPrice: '10.00', tax: '1.60' });
const DE_ORDER = amazonOrder({ orderId: '307-0000001-0000001', marketplaceId: DE, lastUpdatedTime: ago(180), items: [item('81000000000001', 2)] });
const FR_ORDER = amazonOrder({ orderId: '307-0000002-0000002', marketplaceId: FR, lastUpdatedTime: ago(180), items: [item('81000000000002', 1)] });
const HAMBURG = { name: 'Müller Versand GmbH', addressLine1: 'Hafenstraße 1', city: 'Hamburg', postalCode: '20457', countryCode: 'DE', phone: '+49 40 1234567' };
const LYON = { name: 'Müller Versand SARL', addressLine1: '12 Quai Perrache', city: 'Lyon', postalCode: '69002', countryCode: 'FR' };

const fieldsOf = (body: { details?: { field: string }[] }) => (body.details ?? []).map((d) => d.field).sort();

/**
 * Several FBM warehouses through the API: two warehouses made with their addresses and Amazon
 * supply source ids, assigned per marketplace; each order ships from its own, each confirmation
 * names its warehouse; an account's own carrier name beats the global one; a removed assignment
 * sends later deliveries to the default; an assigned warehouse cannot be archived.
 */
describe('locations: warehouses through the API, each marketplace shipping from its own', () => {
  const running = new RunningSystem();
  let accountId: string;
  let hamburg: { id: string };
  let lyon: { id: string };

  const orderOf = (amazonOrderId: string) =>
    waitFor(async () => (await running.api('GET', `/api/v1/orders?amazonOrderId=${amazonOrderId}`)).body.items?.[0], { timeoutMs: 60_000, what: `the order ${amazonOrderId}` });
  const deliveriesOf = async (amazonOrderId: string) => {
    const order = await orderOf(amazonOrderId);
    return waitFor(async () => {
      const items = (await running.api('GET', `/api/v1/deliveries?orderId=${order.id}`)).body.items as any[];
      return items.length ? items : undefined;
    }, { timeoutMs: 60_000, what: `the delivery of ${amazonOrderId}` });
  };
  /** The packages Amazon (the sandbox) received for the order, once there are `count`. */
  const confirmedPackages = (amazonOrderId: string, count: number) =>
    waitFor(async () => {
      const shipments = (await running.sandbox('GET', `/_sandbox/shipments?orderId=${amazonOrderId}`)).body.shipments as any[];
      return shipments.length >= count ? shipments.map((s) => s.packageDetail) : undefined;
    }, { timeoutMs: 60_000, what: `${count} shipment confirmations of ${amazonOrderId} at Amazon` });

  beforeAll(async () => {
    await running.start({ SANDBOX_TIME_SCALE: '20', SPAPI_RATE_SCALE: '20' });
    await running.sandbox('POST', '/_sandbox/sellers', SELLER);
    for (const o of [DE_ORDER, FR_ORDER]) await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders`, o);
    // Not synced before its warehouses are assigned.
    const account = await running.createAccount(SELLER, 'EU', { syncEnabled: false });
    expect(account.status).toBe(201);
    accountId = account.body.id;
  }, 180_000);

  afterAll(() => running.stop(), 60_000);

  it('refuses a bad warehouse with each failing field, writing nothing', async () => {
    const before = (await running.api('GET', '/api/v1/locations')).body.items.length;
    const bad = await running.api('POST', '/api/v1/locations', { name: ' ', kind: 'fba', address: { name: 'x', addressLine1: '', city: 'Hamburg', postalCode: '', countryCode: 'UK' }, supplySourceId: 'has spaces' });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body)).toEqual(['address.addressLine1', 'address.countryCode', 'address.postalCode', 'kind', 'name', 'supplySourceId']);
    const noAddress = await running.api('POST', '/api/v1/locations', { name: 'Warehouse', color: 'red' });
    expect(noAddress.status).toBe(400);
    expect(fieldsOf(noAddress.body)).toEqual(['address', 'color']);
    expect((await running.api('GET', '/api/v1/locations')).body.items).toHaveLength(before);
    expect((await running.api('GET', `/api/v1/locations/${randomUUID()}`)).status).toBe(404);
    expect((await running.api('GET', '/api/v1/locations/nope')).status).toBe(400);
  });

  it('makes two warehouses with their addresses and supply source ids, shows and changes them; a taken supply source id is a 409', async () => {
    const a = await running.api('POST', '/api/v1/locations', { name: 'Warehouse Hamburg', address: HAMBURG, supplySourceId: 'SS-E2E-HAMBURG' });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ name: 'Warehouse Hamburg', kind: 'stock', accountId: null, address: HAMBURG, supplySourceId: 'SS-E2E-HAMBURG', archivedAt: null });
    hamburg = a.body;
    const b = await running.api('POST', '/api/v1/locations', { name: 'Warehouse Lion', kind: 'stock', address: LYON, supplySourceId: 'SS-E2E-LYON' });
    expect(b.status).toBe(201);
    lyon = b.body;

    const renamed = await running.api('PATCH', `/api/v1/locations/${lyon.id}`, { name: 'Warehouse Lyon' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Warehouse Lyon', address: LYON, supplySourceId: 'SS-E2E-LYON' });
    const badChange = await running.api('PATCH', `/api/v1/locations/${lyon.id}`, { address: { ...LYON, countryCode: 'FRA' } });
    expect(badChange.status).toBe(400);
    expect(fieldsOf(badChange.body)).toEqual(['address.countryCode']);
    expect((await running.api('GET', `/api/v1/locations/${lyon.id}`)).body).toMatchObject({ name: 'Warehouse Lyon', address: LYON });

    const taken = await running.api('POST', '/api/v1/locations', { name: 'Copy', address: HAMBURG, supplySourceId: 'SS-E2E-HAMBURG' });
    expect(taken.status).toBe(409);
    expect(fieldsOf(taken.body)).toEqual(['supplySourceId']);
    const listed = (await running.api('GET', '/api/v1/locations')).body.items as { id: string }[];
    expect(listed.map((l) => l.id)).toEqual(expect.arrayContaining([hamburg.id, lyon.id]));

    // Warehouses serve every account: a read-only key or one limited to an account changes none.
    const readOnly = (await running.api('POST', '/api/v1/keys', { name: 'locations read', scopes: ['read'] })).body.key;
    const limited = (await running.api('POST', '/api/v1/keys', { name: 'locations one account', scopes: ['read', 'operate'], accountIds: [accountId] })).body.key;
    for (const key of [readOnly, limited]) expect((await running.api('POST', '/api/v1/locations', { name: 'W', address: HAMBURG }, key)).status).toBe(403);
    const audit = (await running.api('GET', '/api/v1/audit')).body.items as { method: string; path: string; status: number }[];
    expect(audit).toEqual(expect.arrayContaining([
      expect.objectContaining({ method: 'POST', path: '/api/v1/locations', status: 201 }),
      expect.objectContaining({ method: 'PATCH', path: `/api/v1/locations/${lyon.id}`, status: 200 }),
      expect.objectContaining({ method: 'POST', path: '/api/v1/locations', status: 409 }),
    ]));
  });

  it('ships DE orders from Hamburg and FR orders from Lyon; each package goes with its shipping method, each confirmation names its warehouse; the account\'s carrier name beats the global one', async () => {
    expect((await running.api('PUT', `/api/v1/accounts/${accountId}/ship-from`, { marketplaceId: DE, locationId: hamburg.id })).status).toBe(200);
    expect((await running.api('PUT', `/api/v1/accounts/${accountId}/ship-from`, { marketplaceId: FR, locationId: lyon.id })).status).toBe(200);
    expect((await running.api('PUT', `/api/v1/accounts/${accountId}/ship-from`, { locationId: lyon.id })).status).toBe(200);
    // An assigned warehouse cannot be archived.
    const archive = await running.api('POST', `/api/v1/locations/${hamburg.id}/archive`);
    expect(archive.status).toBe(409);
    expect(archive.body.detail).toContain(`account ${accountId} marketplace ${DE}`);

    // The global mapping of the name says DHL; this account's own says its local courier.
    expect((await running.api('PUT', '/api/v1/carrier-mappings/our%20courier', { carrierCode: 'DHL' })).status).toBe(200);
    const own = await running.api('PUT', `/api/v1/accounts/${accountId}/carrier-mappings/Our%20Courier`, { carrierCode: 'Other', carrierName: 'Kurier Nord' });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ name: 'Our Courier', carrierCode: 'Other', carrierName: 'Kurier Nord', accountId });
    expect((await running.api('GET', `/api/v1/accounts/${accountId}/carrier-mappings`)).body.items).toEqual([expect.objectContaining({ name: 'Our Courier', accountId })]);
    expect((await running.api('GET', '/api/v1/carrier-mappings')).body.items).toEqual([expect.objectContaining({ name: 'our courier', carrierCode: 'DHL', accountId: null })]);
    expect((await running.api('PUT', `/api/v1/accounts/${randomUUID()}/carrier-mappings/x`, { carrierCode: 'DHL' })).status).toBe(404);

    expect((await running.api('POST', `/api/v1/accounts/${accountId}/sync`)).status).toBe(202);
    const [de] = await deliveriesOf(DE_ORDER.orderId);
    const [fr] = await deliveriesOf(FR_ORDER.orderId);
    expect(de.moves.map((m: { fromLocationId: string }) => m.fromLocationId)).toEqual([hamburg.id]);
    expect(fr.moves.map((m: { fromLocationId: string }) => m.fromLocationId)).toEqual([lyon.id]);
    expect(de.shipFrom).toEqual({ locationId: hamburg.id, name: 'Warehouse Hamburg', address: HAMBURG, supplySourceId: 'SS-E2E-HAMBURG' });
    expect(fr.shipFrom).toEqual({ locationId: lyon.id, name: 'Warehouse Lyon', address: LYON, supplySourceId: 'SS-E2E-LYON' });

    // DE: one unit now with the account's courier, the other later with UPS: two packages.
    const first = await running.api('POST', `/api/v1/deliveries/${de.id}/validate`, { carrier: 'our courier', trackingNumber: 'KN-1', shippingMethod: 'Standard', lines: [{ orderItemId: '81000000000001', quantity: 1 }] });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ carrierCode: 'Other', carrierName: 'Kurier Nord', shipFrom: { locationId: hamburg.id, address: HAMBURG } });
    const backorder = (await deliveriesOf(DE_ORDER.orderId)).find((d: { backorderOfId: string | null }) => d.backorderOfId === de.id);
    expect((await running.api('POST', `/api/v1/deliveries/${backorder.id}/validate`, { carrierCode: 'UPS', trackingNumber: 'UPS-2', shippingMethod: 'Express' })).status).toBe(200);
    // The account's own mapping removed, the global one applies to the FR order.
    expect((await running.api('DELETE', `/api/v1/accounts/${accountId}/carrier-mappings/our%20courier`)).status).toBe(204);
    expect((await running.api('DELETE', `/api/v1/accounts/${accountId}/carrier-mappings/our%20courier`)).status).toBe(404);
    expect((await running.api('POST', `/api/v1/deliveries/${fr.id}/validate`, { carrier: 'Our Courier', trackingNumber: 'DHL-3', shippingMethod: 'Paket' })).status).toBe(200);

    const dePackages = await confirmedPackages(DE_ORDER.orderId, 2);
    expect(dePackages.map((p) => [p.packageReferenceId, p.carrierCode, p.carrierName, p.shippingMethod, p.shipFromSupplySourceId])).toEqual([
      ['1', 'Other', 'Kurier Nord', 'Standard', 'SS-E2E-HAMBURG'],
      ['2', 'UPS', undefined, 'Express', 'SS-E2E-HAMBURG'],
    ]);
    const [frPackage] = await confirmedPackages(FR_ORDER.orderId, 1);
    expect(frPackage).toMatchObject({ carrierCode: 'DHL', shippingMethod: 'Paket', shipFromSupplySourceId: 'SS-E2E-LYON' });
    expect(frPackage).not.toHaveProperty('carrierName');

    // Counted apart: the account's own mapping once, the global one once (a bounded label).
    const metrics = await scrapeMetrics(`${running.system.managementUrl('inventory')}/metrics`);
    expect(['account-mapping', 'mapping', 'code'].map((by) => metrics.sum('connector_delivery_carriers_resolved_total', { resolved_by: by }))).toEqual([1, 1, 1]);

    // The confirmation's record: what Amazon got (the supply source id), and the warehouse's address beside it.
    const frOrder = await orderOf(FR_ORDER.orderId);
    const notification = await waitFor(async () => (await running.api('GET', `/api/v1/notifications?orderId=${frOrder.id}`)).body.items?.find((n: { state: string }) => n.state === 'sent'), {
      timeoutMs: 60_000,
      what: 'the FR confirmation sent',
    });
    expect(notification.packageDetail).toMatchObject({ shipFromSupplySourceId: 'SS-E2E-LYON', shippingMethod: 'Paket' });
    expect(notification.packageDetail).not.toHaveProperty('shipFromAddress');
    expect(notification.shipFrom).toEqual({ locationId: lyon.id, name: 'Warehouse Lyon', address: LYON, supplySourceId: 'SS-E2E-LYON' });
  });

  it('removing the DE assignment sends the next DE order to the account default; the unassigned warehouse can then be archived, and is no longer assignable', async () => {
    const removed = await running.api('DELETE', `/api/v1/accounts/${accountId}/ship-from?marketplaceId=${DE}`);
    expect(removed.status).toBe(204);
    expect((await running.api('DELETE', `/api/v1/accounts/${accountId}/ship-from?marketplaceId=${DE}`)).status).toBe(404);
    expect((await running.api('DELETE', `/api/v1/accounts/${accountId}/ship-from?marketplaceId=de`)).status).toBe(400);
    expect((await running.api('GET', `/api/v1/accounts/${accountId}/ship-from`)).body.items.map((a: { marketplaceId: string | null; locationId: string }) => [a.marketplaceId, a.locationId])).toEqual([
      [null, lyon.id],
      [FR, lyon.id],
    ]);

    const next = amazonOrder({ orderId: '307-0000003-0000003', marketplaceId: DE, lastUpdatedTime: ago(60), items: [item('81000000000003', 1)] });
    await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders`, next);
    // Fetched at once, whatever the account's cursor says.
    expect((await running.api('POST', `/api/v1/accounts/${accountId}/orders/${next.orderId}/sync`)).status).toBe(200);
    const [delivery] = await deliveriesOf(next.orderId);
    expect(delivery.moves.map((m: { fromLocationId: string }) => m.fromLocationId)).toEqual([lyon.id]);
    expect(delivery.shipFrom).toMatchObject({ locationId: lyon.id, supplySourceId: 'SS-E2E-LYON' });

    const archived = await running.api('POST', `/api/v1/locations/${hamburg.id}/archive`);
    expect(archived.status).toBe(200);
    expect(archived.body.archivedAt).toEqual(expect.any(String));
    const assign = await running.api('PUT', `/api/v1/accounts/${accountId}/ship-from`, { marketplaceId: DE, locationId: hamburg.id });
    expect(assign.status).toBe(400);
    expect(fieldsOf(assign.body)).toEqual(['locationId']);
    // Its validated deliveries keep the warehouse they shipped from.
    const [de] = await deliveriesOf(DE_ORDER.orderId);
    expect(de.shipFrom).toMatchObject({ locationId: hamburg.id, supplySourceId: 'SS-E2E-HAMBURG' });
  });
});
