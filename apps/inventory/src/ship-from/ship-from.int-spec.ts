import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { FulfillmentChannel, MAX_MARKETPLACE_QUANTITIES, OrderSyncedEvent, SalesOrderLineKind, SalesOrderStatus } from '@connector/contracts';
import { Outbox } from '@connector/messaging';
import { runMigrations } from '@connector/persistence';
import { TestEnvironment } from '@connector/testing';
import { inventoryDataSource } from '../data-source';
import { OrderDeliveries } from '../deliveries/order-deliveries';
import { STOCK_LOCATION_ID } from '../locations/location.entity';
import { StockMove } from '../stock/stock-move.entity';
import { ShipFromService } from './ship-from.service';

const DE = 'A1PA6795UKMFR9';
const FR = 'A13V1IB3VIYZZH';
const IT = 'APJ6JRA9NG5V4';

/** Several FBM warehouses: each account and marketplace's deliveries move stock from the location assigned to it. */
describe('ship-from locations on real PostgreSQL', () => {
  const env = new TestEnvironment();
  let db: DataSource;
  let shipFrom: ShipFromService;
  let deliveries: OrderDeliveries;
  const productId = randomUUID();
  const warehouseA = randomUUID();
  const warehouseB = randomUUID();

  const synced = (accountId: string, marketplaceId: string): OrderSyncedEvent => ({
    orderId: randomUUID(),
    version: 1,
    accountId,
    marketplaceId,
    amazonOrderId: `302-${Math.floor(Math.random() * 1e7)}-0000001`,
    channel: FulfillmentChannel.FBM,
    lines: [{ lineId: randomUUID(), kind: SalesOrderLineKind.Product, orderItemId: '11111111111111', productId, sku: 'SKU', quantity: 1, quantityShipped: 0 }],
    status: SalesOrderStatus.Confirmed,
    contactId: randomUUID(),
    deliveryAddressId: randomUUID(),
    giftMessage: null,
  });
  const fromLocationOf = async (event: OrderSyncedEvent) => (await db.getRepository(StockMove).findOneByOrFail({ orderId: event.orderId })).fromLocationId;

  beforeAll(async () => {
    await env.setUp();
    const options = inventoryDataSource(env.databaseUrl);
    await runMigrations(options);
    db = await new DataSource(options).initialize();
    await db.query(`insert into inventory.products (id, name, internal_reference) values ($1, 'Ship-from test product', $2)`, [productId, `SHIPFROM-${productId}`]);
    for (const [id, name] of [[warehouseA, 'Warehouse A'], [warehouseB, 'Warehouse B']]) {
      await db.query(`insert into inventory.locations (id, name, kind, address) values ($1, $2, 'stock', $3)`, [id, name, { name, addressLine1: 'Hafenstr. 1', city: 'Hamburg', postalCode: '20457', countryCode: 'DE' }]);
    }
    shipFrom = new ShipFromService(db);
    deliveries = new OrderDeliveries(new Outbox());
  });

  afterAll(async () => {
    await db?.destroy();
    await env.tearDown();
  });

  const ensure = (events: OrderSyncedEvent[]) => db.transaction((manager) => deliveries.ensureDeliveries(manager, events));

  it('ships each marketplace from its location, others from the account default, accounts without one from the shared stock', async () => {
    const accountId = randomUUID();
    const other = randomUUID();
    await shipFrom.assign(accountId, DE, warehouseA);
    await shipFrom.assign(accountId, FR, warehouseB);
    const de = synced(accountId, DE);
    const fr = synced(accountId, FR);
    const it = synced(accountId, IT);
    const unassigned = synced(other, DE);
    await ensure([de, fr, it, unassigned]);
    expect([await fromLocationOf(de), await fromLocationOf(fr), await fromLocationOf(it), await fromLocationOf(unassigned)]).toEqual([warehouseA, warehouseB, STOCK_LOCATION_ID, STOCK_LOCATION_ID]);

    await shipFrom.assign(accountId, null, warehouseB);
    const itAgain = synced(accountId, IT);
    await ensure([itAgain]);
    expect(await fromLocationOf(itAgain)).toBe(warehouseB);
  });

  it('a new assignment replaces the earlier one: one row per account and marketplace', async () => {
    const accountId = randomUUID();
    await shipFrom.assign(accountId, DE, warehouseA);
    const assignment = await shipFrom.assign(accountId, DE, warehouseB);
    expect(assignment).toMatchObject({ accountId, marketplaceId: DE, locationId: warehouseB });
    await shipFrom.assign(accountId, null, warehouseA);
    await shipFrom.assign(accountId, null, warehouseB);
    const rows = await db.query(`select marketplace_id, location_id from inventory.ship_from_assignments where account_id = $1 order by marketplace_id nulls first`, [accountId]);
    expect(rows).toEqual([{ marketplace_id: null, location_id: warehouseB }, { marketplace_id: DE, location_id: warehouseB }]);
    expect((await shipFrom.list({ accountId })).items.map((v) => [v.marketplaceId, v.locationId])).toEqual([[null, warehouseB], [DE, warehouseB]]);
  });

  it('refuses a location that is not a stock location (customers, FBA, unknown) with 400, writing nothing', async () => {
    const accountId = randomUUID();
    for (const locationId of ['00000000-0000-4000-8000-000000000002', randomUUID()]) {
      await expect(shipFrom.assign(accountId, DE, locationId)).rejects.toMatchObject({ body: { statusCode: 400, details: [{ field: 'locationId' }] } });
    }
    expect(await db.query(`select 1 from inventory.ship_from_assignments where account_id = $1`, [accountId])).toEqual([]);
  });

  it('refuses a marketplace beyond the most a stock announcement carries with 400 naming marketplaceId; a marketplace already assigned and the default still change', async () => {
    const accountId = randomUUID();
    const marketplaces = Array.from({ length: MAX_MARKETPLACE_QUANTITIES }, (_, i) => `TESTMP${String(i).padStart(4, '0')}`);
    await db.query(
      `insert into inventory.ship_from_assignments (id, account_id, marketplace_id, location_id) select gen_random_uuid(), $1, m, $2 from unnest($3::text[]) m`,
      [accountId, warehouseA, marketplaces],
    );
    await expect(shipFrom.assign(accountId, DE, warehouseB)).rejects.toMatchObject({ body: { statusCode: 400, details: [{ field: 'marketplaceId' }] } });
    expect(await db.query(`select 1 from inventory.ship_from_assignments where account_id = $1 and marketplace_id = $2`, [accountId, DE])).toEqual([]);
    expect(await shipFrom.assign(accountId, marketplaces[0], warehouseB)).toMatchObject({ marketplaceId: marketplaces[0], locationId: warehouseB });
    expect(await shipFrom.assign(accountId, null, warehouseB)).toMatchObject({ marketplaceId: null, locationId: warehouseB });
    // One removed: there is room again.
    await shipFrom.remove({ accountId, marketplaceId: marketplaces[1] });
    expect(await shipFrom.assign(accountId, DE, warehouseB)).toMatchObject({ marketplaceId: DE, locationId: warehouseB });
  });
});
