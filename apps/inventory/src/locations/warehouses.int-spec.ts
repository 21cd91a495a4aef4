import type { ServiceClient } from '@connector/platform';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DELIVERY_VALIDATED, DeliveryValidatedEvent, FulfillmentChannel, LocationAddress, OrderSyncedEvent, SalesOrderLineKind, SalesOrderStatus } from '@connector/contracts';
import { Outbox } from '@connector/messaging';
import { Logger } from '@nestjs/common';
import { runMigrations } from '@connector/persistence';
import { TestEnvironment, waitFor } from '@connector/testing';
import { CarrierMapping } from '../carriers/carrier-mapping.entity';
import { CarrierMappingsService } from '../carriers/carrier-mappings.service';
import { inventoryDataSource } from '../data-source';
import { DeliveriesService } from '../deliveries/deliveries.service';
import { Delivery } from '../deliveries/delivery.entity';
import { OrderDeliveries } from '../deliveries/order-deliveries';
import { LocationsApi1765300000375 } from '../migrations/1765300000375-locations-api';
import { shipFromLocations } from '../ship-from/ship-from-locations';
import { ShipFromService } from '../ship-from/ship-from.service';
import { StockMove } from '../stock/stock-move.entity';
import { CUSTOMERS_LOCATION_ID, Location, STOCK_LOCATION_ID } from './location.entity';
import { LocationsService } from './locations.service';

const DE = 'A1PA6795UKMFR9';
const FR = 'A13V1IB3VIYZZH';
const address = (city: string): LocationAddress => ({ name: `Lager ${city}`, addressLine1: 'Hafenstraße 1', city, postalCode: '20457', countryCode: 'DE' });

/** The seller's warehouses made and archived through the API, ship-from assignments removed, per-account carrier names, and what each package says it shipped from. */

/** order-ingestion grants every validation's claim of its units (CLAIM_UNITS_TO_SHIP; not what these tests are about). */
const grantingOrderIngestion = { request: async () => ({ claimed: true }) } as unknown as ServiceClient;
describe('warehouses on real PostgreSQL', () => {
  const env = new TestEnvironment();
  let db: DataSource;
  let locations: LocationsService;
  let shipFrom: ShipFromService;
  let orderDeliveries: OrderDeliveries;
  let deliveries: DeliveriesService;
  let carriers: CarrierMappingsService;
  const productId = randomUUID();

  const synced = (accountId: string, marketplaceId: string, quantity = 1): OrderSyncedEvent => ({
    orderId: randomUUID(),
    version: 1,
    accountId,
    marketplaceId,
    amazonOrderId: `302-${Math.floor(Math.random() * 1e7)}-0000001`,
    channel: FulfillmentChannel.FBM,
    lines: [{ lineId: randomUUID(), kind: SalesOrderLineKind.Product, orderItemId: '11111111111111', productId, sku: 'SKU', quantity, quantityShipped: 0 }],
    status: SalesOrderStatus.Confirmed,
    contactId: randomUUID(),
    deliveryAddressId: randomUUID(),
    giftMessage: null,
  });
  const ensure = (events: OrderSyncedEvent[]) => db.transaction((manager) => orderDeliveries.ensureDeliveries(manager, events));
  const fromLocationOf = async (event: OrderSyncedEvent) => (await db.getRepository(StockMove).findOneByOrFail({ orderId: event.orderId })).fromLocationId;
  const validatedEvents = async (orderId: string): Promise<DeliveryValidatedEvent[]> =>
    (await db.query(`select payload from inventory.outbox where subject = $1 and payload->>'orderId' = $2 order by created_at, id`, [DELIVERY_VALIDATED.subject, orderId])).map(
      (r: { payload: DeliveryValidatedEvent }) => r.payload,
    );

  beforeAll(async () => {
    await env.setUp();
    const options = inventoryDataSource(env.databaseUrl);
    await runMigrations(options);
    db = await new DataSource(options).initialize();
    await db.query(`insert into inventory.products (id, name, internal_reference) values ($1, 'Warehouse test product', $2)`, [productId, `WAREHOUSE-${productId}`]);
    const outbox = new Outbox();
    locations = new LocationsService(db.getRepository(Location), db);
    shipFrom = new ShipFromService(db);
    orderDeliveries = new OrderDeliveries(outbox);
    carriers = new CarrierMappingsService(db.getRepository(CarrierMapping));
    deliveries = new DeliveriesService(db, db.getRepository(Delivery), outbox, carriers, grantingOrderIngestion);
  });

  afterAll(async () => {
    await db?.destroy();
    await env.tearDown();
  });

  it('makes a warehouse with its address and supply source id, changes it, and refuses a supply source id another live warehouse has (409)', async () => {
    const hamburg = await locations.create({ name: ' Warehouse Hamburg ', address: address('Hamburg'), supplySourceId: 'SS-INT-HAMBURG' });
    expect(hamburg).toMatchObject({ name: 'Warehouse Hamburg', kind: 'stock', accountId: null, address: address('Hamburg'), supplySourceId: 'SS-INT-HAMBURG', archivedAt: null });
    expect(await locations.get(hamburg.id)).toEqual(hamburg);
    await expect(locations.create({ name: 'Copy', address: address('Bremen'), supplySourceId: 'SS-INT-HAMBURG' })).rejects.toMatchObject({ body: { statusCode: 409, details: [{ field: 'supplySourceId' }] } });
    expect(await db.query(`select 1 from inventory.locations where name = 'Copy'`)).toEqual([]);

    const changed = await locations.update({ id: hamburg.id, changes: { name: 'Warehouse Hamburg-Harburg', supplySourceId: null } });
    expect(changed).toMatchObject({ name: 'Warehouse Hamburg-Harburg', address: address('Hamburg'), supplySourceId: null });
    // The id is free again once no live warehouse has it.
    expect((await locations.create({ name: 'Bremen', address: address('Bremen'), supplySourceId: 'SS-INT-HAMBURG' })).supplySourceId).toBe('SS-INT-HAMBURG');
    await expect(locations.update({ id: CUSTOMERS_LOCATION_ID, changes: { name: 'Buyers' } })).rejects.toMatchObject({ body: { statusCode: 409 } });
    await expect(locations.get(randomUUID())).rejects.toMatchObject({ body: { statusCode: 404 } });
  });

  it('archives a warehouse no account ships from; an assigned one is a 409 naming the assignment, and an archived one cannot be assigned', async () => {
    const accountId = randomUUID();
    const warehouse = await locations.create({ name: 'Warehouse Köln', address: address('Köln') });
    await shipFrom.assign(accountId, DE, warehouse.id);
    await expect(locations.archive(warehouse.id)).rejects.toMatchObject({ body: { statusCode: 409, message: expect.stringContaining(`account ${accountId} marketplace ${DE}`) } });
    expect((await locations.get(warehouse.id)).archivedAt).toBeNull();

    await shipFrom.remove({ accountId, marketplaceId: DE });
    const archived = await locations.archive(warehouse.id);
    expect(archived.archivedAt).toEqual(expect.any(String));
    expect((await locations.archive(warehouse.id)).archivedAt).toBe(archived.archivedAt);
    await expect(shipFrom.assign(accountId, DE, warehouse.id)).rejects.toMatchObject({ body: { statusCode: 400, details: [{ field: 'locationId' }] } });
    await expect(locations.update({ id: warehouse.id, changes: { name: 'Back' } })).rejects.toMatchObject({ body: { statusCode: 409 } });
    await expect(locations.archive(STOCK_LOCATION_ID)).rejects.toMatchObject({ body: { statusCode: 409 } });
    await expect(locations.archive(CUSTOMERS_LOCATION_ID)).rejects.toMatchObject({ body: { statusCode: 409 } });
  });

  it('refuses to archive a warehouse a ready delivery ships from (409 naming it), so no other warehouse takes its supply source id; shipped, it is archived', async () => {
    const accountId = randomUUID();
    const warehouse = await locations.create({ name: 'Warehouse Dresden', address: address('Dresden'), supplySourceId: 'SS-INT-DRESDEN' });
    await shipFrom.assign(accountId, DE, warehouse.id);
    const order = synced(accountId, DE, 2);
    await ensure([order]);
    const [delivery] = await db.getRepository(Delivery).findBy({ orderId: order.orderId });
    await shipFrom.remove({ accountId, marketplaceId: DE });

    await expect(locations.archive(warehouse.id)).rejects.toMatchObject({ body: { statusCode: 409, message: expect.stringContaining(`1 ready delivery to ship from it (${delivery.id})`) } });
    expect((await locations.get(warehouse.id)).archivedAt).toBeNull();
    await expect(locations.create({ name: 'Warehouse Pirna', address: address('Pirna'), supplySourceId: 'SS-INT-DRESDEN' })).rejects.toMatchObject({ body: { statusCode: 409 } });
    // Half shipped: the backorder still ships from it.
    await deliveries.validate({ id: delivery.id, carrierCode: 'DHL', trackingNumber: 'T-D1', lines: [{ orderItemId: '11111111111111', quantity: 1 }] });
    const backorder = await db.getRepository(Delivery).findOneByOrFail({ backorderOfId: delivery.id });
    await expect(locations.archive(warehouse.id)).rejects.toMatchObject({ body: { statusCode: 409, message: expect.stringContaining(backorder.id) } });

    await deliveries.validate({ id: backorder.id, carrierCode: 'DHL', trackingNumber: 'T-D2' });
    expect((await locations.archive(warehouse.id)).archivedAt).toEqual(expect.any(String));
    expect((await validatedEvents(order.orderId)).map((e) => e.shipFromSupplySourceId)).toEqual(['SS-INT-DRESDEN', 'SS-INT-DRESDEN']);
  });

  it('a delivery being made from an assignment holds its removal back until the delivery is written, so archiving the warehouse then sees it', async () => {
    const accountId = randomUUID();
    const warehouse = await locations.create({ name: 'Warehouse Kiel', address: address('Kiel') });
    await shipFrom.assign(accountId, DE, warehouse.id);
    const order = synced(accountId, DE);
    let assignmentRead!: () => void;
    const read = new Promise<void>((resolve) => (assignmentRead = resolve));
    let writeNow!: () => void;
    const gate = new Promise<void>((resolve) => (writeNow = resolve));
    // Delivery creation reads the assignments first and writes the delivery after: held open between the two.
    const making = db.transaction(async (manager) => {
      const from = await shipFromLocations(manager, [order]);
      assignmentRead();
      await gate;
      await orderDeliveries.ensureDeliveries(manager, [order]);
      return from(accountId, DE);
    });
    await read;
    let removed = false;
    const removing = shipFrom.remove({ accountId, marketplaceId: DE }).then(() => (removed = true));
    const removalWaits = async () =>
      (await db.query(`select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike '%ship_from_assignments%for update%'`)).length > 0;
    await waitFor(async () => removed || (await removalWaits()), { what: 'the removal to finish or to wait for the delivery' });
    expect(removed).toBe(false);

    writeNow();
    expect(await making).toBe(warehouse.id);
    await removing;
    const [delivery] = await db.getRepository(Delivery).findBy({ orderId: order.orderId });
    await expect(locations.archive(warehouse.id)).rejects.toMatchObject({ body: { statusCode: 409, message: expect.stringContaining(delivery.id) } });
  });

  it('upgrading keeps a supply source id set on several warehouses by hand with the oldest one, clears it on the others and says so in the log', async () => {
    const upgrade = new TestEnvironment();
    await upgrade.setUp();
    const warnings: string[] = [];
    const spy = jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
    try {
      const options = inventoryDataSource(upgrade.databaseUrl);
      // The schema as the release before this migration left it.
      const all = options.migrations as unknown[];
      await runMigrations({ ...options, migrations: all.slice(0, all.indexOf(LocationsApi1765300000375)) as typeof options.migrations });
      const [hamburg, bremen, kiel, lyon] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      await upgrade.query(
        `insert into inventory.locations (id, name, kind, supply_source_id, created_at) values
           ($1, 'Hamburg', 'stock', 'SS-1', '2026-01-01T00:00:00Z'), ($2, 'Bremen', 'stock', 'SS-1', '2026-02-01T00:00:00Z'),
           ($3, 'Kiel', 'stock', 'SS-1', '2026-03-01T00:00:00Z'), ($4, 'Lyon', 'stock', 'SS-2', '2026-02-01T00:00:00Z')`,
        [hamburg, bremen, kiel, lyon],
      );

      expect(await runMigrations(options)).toContain('LocationsApi1765300000375');
      expect(await upgrade.query(`select name, supply_source_id from inventory.locations where id = any($1::uuid[]) order by created_at, name`, [[hamburg, bremen, kiel, lyon]])).toEqual([
        { name: 'Hamburg', supply_source_id: 'SS-1' },
        { name: 'Bremen', supply_source_id: null },
        { name: 'Lyon', supply_source_id: 'SS-2' },
        { name: 'Kiel', supply_source_id: null },
      ]);
      expect(warnings).toHaveLength(2);
      expect(warnings).toEqual(
        expect.arrayContaining([
          expect.stringContaining(`location ${bremen} "Bremen" had supply source id SS-1, which the older location ${hamburg} keeps`),
          expect.stringContaining(`location ${kiel} "Kiel" had supply source id SS-1, which the older location ${hamburg} keeps`),
        ]),
      );
      // From now on one live warehouse per supply source id.
      await expect(upgrade.query(`update inventory.locations set supply_source_id = 'SS-1' where id = $1`, [bremen])).rejects.toThrow(/locations_supply_source_id/);
    } finally {
      spy.mockRestore();
      await upgrade.tearDown();
    }
  });

  it('removing an assignment sends later deliveries to the default, then to the shared stock; removing one that is not there is a 404', async () => {
    const accountId = randomUUID();
    const a = await locations.create({ name: 'A', address: address('Hamburg') });
    const b = await locations.create({ name: 'B', address: address('Lyon') });
    await shipFrom.assign(accountId, DE, a.id);
    await shipFrom.assign(accountId, null, b.id);
    const first = synced(accountId, DE);
    await ensure([first]);
    expect(await fromLocationOf(first)).toBe(a.id);

    expect(await shipFrom.remove({ accountId, marketplaceId: DE })).toMatchObject({ accountId, marketplaceId: DE, locationId: a.id });
    const second = synced(accountId, DE);
    await ensure([second]);
    expect(await fromLocationOf(second)).toBe(b.id);
    // The ready delivery made before keeps its warehouse.
    expect(await fromLocationOf(first)).toBe(a.id);

    await shipFrom.remove({ accountId });
    const third = synced(accountId, FR);
    await ensure([third]);
    expect(await fromLocationOf(third)).toBe(STOCK_LOCATION_ID);
    await expect(shipFrom.remove({ accountId, marketplaceId: DE })).rejects.toMatchObject({ body: { statusCode: 404 } });
    expect((await shipFrom.list({ accountId })).items).toEqual([]);
  });

  it("resolves a carrier name through the account's own mapping first, then the global one", async () => {
    const accountId = randomUUID();
    const otherAccount = randomUUID();
    await carriers.put({ name: 'Our Courier', carrierCode: 'DHL' });
    await carriers.put({ name: 'our courier', carrierCode: 'Other', carrierName: 'Kurier Nord', accountId });
    expect((await carriers.list({})).items.map((m) => [m.name, m.carrierCode, m.accountId])).toEqual([['Our Courier', 'DHL', null]]);
    expect((await carriers.list({ accountId })).items.map((m) => [m.name, m.carrierCode, m.carrierName, m.accountId])).toEqual([['our courier', 'Other', 'Kurier Nord', accountId]]);

    expect(await carriers.resolve(db.manager, 'OUR COURIER', accountId)).toEqual({ carrierCode: 'Other', carrierName: 'Kurier Nord', source: 'account-mapping' });
    expect(await carriers.resolve(db.manager, 'our courier', otherAccount)).toEqual({ carrierCode: 'DHL', carrierName: null, source: 'mapping' });

    await carriers.delete({ name: 'Our Courier', accountId });
    expect(await carriers.resolve(db.manager, 'our courier', accountId)).toEqual({ carrierCode: 'DHL', carrierName: null, source: 'mapping' });
    await expect(carriers.get({ name: 'our courier', accountId })).rejects.toMatchObject({ body: { statusCode: 404 } });
    expect((await carriers.get({ name: 'our courier' })).carrierCode).toBe('DHL');
  });

  it('each package of a delivery carries its own shipping method and the warehouse as it was when validated', async () => {
    const accountId = randomUUID();
    const warehouse = await locations.create({ name: 'Warehouse Leipzig', address: address('Leipzig'), supplySourceId: 'SS-INT-LEIPZIG' });
    await shipFrom.assign(accountId, DE, warehouse.id);
    const order = synced(accountId, DE, 3);
    await ensure([order]);
    const [delivery] = await db.getRepository(Delivery).findBy({ orderId: order.orderId });
    // Ready: the warehouse it will ship from, as it is now.
    expect((await deliveries.get(delivery.id)).shipFrom).toEqual({ locationId: warehouse.id, name: 'Warehouse Leipzig', address: address('Leipzig'), supplySourceId: 'SS-INT-LEIPZIG' });

    await deliveries.validate({ id: delivery.id, carrierCode: 'DHL', trackingNumber: 'T-1', shippingMethod: 'Paket', lines: [{ orderItemId: '11111111111111', quantity: 1 }] });
    // The warehouse gets its Amazon supply source id changed and moves; the backorder ships later.
    await locations.update({ id: warehouse.id, changes: { address: address('Halle'), supplySourceId: 'SS-INT-HALLE' } });
    const backorder = await db.getRepository(Delivery).findOneByOrFail({ backorderOfId: delivery.id });
    await deliveries.validate({ id: backorder.id, carrierCode: 'UPS', trackingNumber: 'T-2', shippingMethod: 'Express' });

    const events = await validatedEvents(order.orderId);
    expect(events.map((e) => [e.packageReferenceId, e.shippingMethod, e.shipFromSupplySourceId, e.shipFrom?.address?.city])).toEqual([
      ['1', 'Paket', 'SS-INT-LEIPZIG', 'Leipzig'],
      ['2', 'Express', 'SS-INT-HALLE', 'Halle'],
    ]);
    // Each delivery keeps what its confirmation said.
    expect((await deliveries.get(delivery.id)).shipFrom).toMatchObject({ supplySourceId: 'SS-INT-LEIPZIG', address: { city: 'Leipzig' } });
    expect((await deliveries.get(backorder.id)).shipFrom).toMatchObject({ supplySourceId: 'SS-INT-HALLE', address: { city: 'Halle' } });
    expect((await deliveries.list({ orderId: order.orderId })).items.map((d) => [d.shippingMethod, d.shipFrom?.supplySourceId])).toEqual(
      expect.arrayContaining([['Paket', 'SS-INT-LEIPZIG'], ['Express', 'SS-INT-HALLE']]),
    );
  });
});
