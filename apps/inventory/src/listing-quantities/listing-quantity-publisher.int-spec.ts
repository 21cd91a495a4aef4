import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { FulfillmentChannel, SalesOrderLineKind } from '@connector/contracts';
import { Outbox } from '@connector/messaging';
import { runMigrations } from '@connector/persistence';
import { TestEnvironment, waitFor } from '@connector/testing';
import { DataSource } from 'typeorm';
import { inventoryDataSource } from '../data-source';
import { STOCK_LOCATION_ID } from '../locations/location.entity';
import { StockMove } from '../stock/stock-move.entity';
import { StockService } from '../stock/stock.service';
import { OfferFulfillmentChannels1765900000390 } from '../migrations/1765900000390-offer-fulfillment-channels';
import { learnFulfillmentChannels } from '../products/offer-channels';
import { ShipFromService } from '../ship-from/ship-from.service';
import { ListingQuantityPublisher, SKIPPED_REASON_SQL, SKIPPED_REASONS, STOCK_BY_LOCATION } from './listing-quantity-publisher';
import { Offer } from '../products/offer.entity';
import { Product } from '../products/product.entity';
import { ProductsService } from '../products/products.service';

/** Stock to Amazon on inventory's side, on real PostgreSQL: every stock change noted in its own transaction, announced once per offer, in version order. */
describe('listing quantities', () => {
  const env = new TestEnvironment();
  let app: INestApplicationContext;
  let publisher: ListingQuantityPublisher;
  let stock: StockService;
  let shipFrom: ShipFromService;
  let products: ProductsService;
  let db: DataSource;

  beforeAll(async () => {
    await env.setUp();
    const options = inventoryDataSource(env.databaseUrl);
    await runMigrations(options);
    @Module({ imports: [TypeOrmModule.forRoot(options), TypeOrmModule.forFeature([StockMove, Product, Offer])], providers: [ListingQuantityPublisher, StockService, ShipFromService, ProductsService, Outbox] })
    class TestModule {}
    app = await NestFactory.createApplicationContext(TestModule, { logger: false, abortOnError: false });
    publisher = app.get(ListingQuantityPublisher);
    // The test runs the publisher's passes itself.
    await publisher.onApplicationShutdown();
    stock = app.get(StockService);
    shipFrom = app.get(ShipFromService);
    products = app.get(ProductsService);
    db = app.get(DataSource);
  });

  afterAll(async () => {
    await app?.close();
    await env.tearDown();
  });

  const announced = async (sku: string) =>
    (await env.query<{
      payload: { availableQuantity: number; marketplaceQuantities?: { marketplaceId: string; availableQuantity: number }[]; version: number; accountId: string; skippedReason?: string | null };
    }>(
      `select payload from inventory.outbox where subject = 'stock.listing-quantity-changed.v1' and payload->>'sku' = $1 order by position`,
      [sku],
    )).map((r) => r.payload);

  /** Offers known FBM unless told otherwise (channels: what their orders showed). */
  async function productWithOffers(sku: string, accounts: string[], channels: string[] = ['FBM']): Promise<string> {
    const productId = randomUUID();
    await env.query(`insert into inventory.products (id, name, internal_reference) values ($1, $2, $2)`, [productId, sku]);
    for (const accountId of accounts)
      await env.query(
        `insert into inventory.offers (id, account_id, sku, product_id, matched_by, created_product, fulfillment_channels) values ($1, $2, $3, $4, 'manual', false, $5)`,
        [randomUUID(), accountId, sku, productId, channels],
      );
    return productId;
  }
  const offerOf = (accountId: string, sku: string, productId: string) =>
    env.query(`insert into inventory.offers (id, account_id, sku, product_id, matched_by, created_product) values ($1, $2, $3, $4, 'manual', false)`, [randomUUID(), accountId, sku, productId]);
  /** What order.synced does for the offers its lines name. */
  const ordered = (accountId: string, channel: FulfillmentChannel, ...skus: string[]) =>
    db.transaction((manager) =>
      learnFulfillmentChannels(manager, [{ accountId, channel, lines: skus.map((sku) => ({ lineId: randomUUID(), kind: SalesOrderLineKind.Product, orderItemId: null, productId: null, sku, quantity: 1, quantityShipped: 0 })) }]),
    );
  const sendable = async (sku: string) => (await announced(sku)).filter((e) => !e.skippedReason);
  const warehouse = async (name: string) => {
    const id = randomUUID();
    await env.query(`insert into inventory.locations (id, name, kind) values ($1, $2, 'stock')`, [id, name]);
    return id;
  };
  /** What an account's offer was last told: the default quantity and each marketplace's own. */
  const lastOf = async (accountId: string, sku: string) => {
    const events = (await announced(sku)).filter((e) => e.accountId === accountId);
    const last = events[events.length - 1];
    return { count: events.length, quantity: last?.availableQuantity, marketplaces: Object.fromEntries((last?.marketplaceQuantities ?? []).map((m) => [m.marketplaceId, m.availableQuantity])) };
  };
  const DE = 'A1PA6795UKMFR9';
  const FR = 'A13V1IB3VIYZZH';
  const notes = async (productId: string) =>
    (await env.query<{ count: number }>(`select count(*)::int as count from inventory.available_changes where product_id = $1`, [productId]))[0].count;

  it('announces each offer of a product once its stock changes, less what open FBM moves hold, and only when the quantity changed', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const productId = await productWithOffers('PUB-1', [a, b]);
    await stock.adjust({ productId, locationId: STOCK_LOCATION_ID, quantity: 10 });
    // An FBM order holds 3 (a ready move out of the stock location).
    await env.query(
      `insert into inventory.stock_moves (id, product_id, quantity, from_location_id, to_location_id, state, reason) values ($1, $2, 3, $3, '00000000-0000-4000-8000-000000000002', 'ready', 'fbm_sale')`,
      [randomUUID(), productId, STOCK_LOCATION_ID],
    );
    await publisher.publishDue();
    const first = await announced('PUB-1');
    expect(first.map((e) => [e.accountId, e.availableQuantity]).sort()).toEqual([[a, 7], [b, 7]].sort());
    // Nothing changed: nothing more is announced.
    await env.query(`insert into inventory.available_changes (product_id) values ($1)`, [productId]);
    await publisher.publishDue();
    expect(await announced('PUB-1')).toHaveLength(2);
    // Shipped: the held 3 leave for good; available stays 7, so nothing new.
    await env.query(`update inventory.stock_moves set state = 'done', done_at = now() where product_id = $1 and state = 'ready'`, [productId]);
    await publisher.publishDue();
    expect(await announced('PUB-1')).toHaveLength(2);
  });

  it('a crash after the notes are taken loses nothing: the batch is redone; versions grow with every newer quantity', async () => {
    const account = randomUUID();
    const productId = await productWithOffers('PUB-2', [account]);
    await stock.adjust({ productId, locationId: STOCK_LOCATION_ID, quantity: 4 });
    // The publisher's transaction dies after taking the notes (a crash before its commit).
    await expect(
      db.transaction(async (manager) => {
        await (publisher as unknown as { publishBatch: (m: typeof manager) => Promise<unknown> }).publishBatch(manager);
        throw new Error('crash');
      }),
    ).rejects.toThrow('crash');
    expect(await announced('PUB-2')).toEqual([]);
    const [{ count }] = await env.query<{ count: number }>(`select count(*)::int as count from inventory.available_changes where product_id = $1`, [productId]);
    expect(count).toBeGreaterThan(0);
    await publisher.publishDue();
    await stock.adjust({ productId, locationId: STOCK_LOCATION_ID, quantity: 9 });
    await stock.adjust({ productId, locationId: STOCK_LOCATION_ID, quantity: 2 });
    await publisher.publishDue();
    const events = await announced('PUB-2');
    // The last value wins: 4, then 2 (9 was overtaken before it was announced).
    expect(events.map((e) => e.availableQuantity)).toEqual([4, 2]);
    expect(events[1].version).toBeGreaterThan(events[0].version);
    const [row] = await env.query<{ quantity: number; version: string }>(`select quantity, version from inventory.listing_quantities where account_id = $1 and sku = 'PUB-2'`, [account]);
    expect(row).toEqual({ quantity: 2, version: String(events[1].version) });
  });

  it('an offer mapped to a product with stock is announced without any stock move', async () => {
    const productId = await productWithOffers('PUB-3', []);
    await stock.adjust({ productId, locationId: STOCK_LOCATION_ID, quantity: 6 });
    await publisher.publishDue();
    const account = randomUUID();
    await env.query(`insert into inventory.offers (id, account_id, sku, product_id, matched_by, created_product, fulfillment_channels) values ($1, $2, 'PUB-3', $3, 'manual', false, '{FBM}')`, [randomUUID(), account, productId]);
    await publisher.publishDue();
    expect((await announced('PUB-3')).map((e) => e.availableQuantity)).toEqual([6]);
  });

  it('only offers whose orders were FBM and never FBA are sent: an FBA-only SKU, a mixed SKU and one of no known channel are announced skipped, with the reason', async () => {
    const account = randomUUID();
    // One product sold under four SKUs; none of them has a channel yet (offers made by hand, no order).
    const productId = await productWithOffers('CH-FBM', [], []);
    for (const sku of ['CH-FBM', 'CH-FBA', 'CH-MIXED', 'CH-UNKNOWN']) await offerOf(account, sku, productId);
    await ordered(account, FulfillmentChannel.FBM, 'CH-FBM', 'CH-MIXED');
    await ordered(account, FulfillmentChannel.FBA, 'CH-FBA', 'CH-MIXED');
    await stock.adjust({ productId, locationId: STOCK_LOCATION_ID, quantity: 8 });
    await publisher.publishDue();
    expect((await sendable('CH-FBM')).map((e) => e.availableQuantity)).toEqual([8]);
    for (const sku of ['CH-FBA', 'CH-MIXED', 'CH-UNKNOWN']) expect(await sendable(sku)).toEqual([]);
    expect((await announced('CH-MIXED')).map((e) => e.skippedReason)).toEqual(['SKU is also fulfilled by Amazon']);
    expect((await announced('CH-FBA')).map((e) => e.skippedReason)).toEqual(['SKU is fulfilled by Amazon']);
    expect((await announced('CH-UNKNOWN'))[0].skippedReason).toMatch(/no FBM order/);
    const channels = await env.query<{ sku: string; fulfillment_channels: string[] }>(`select sku, fulfillment_channels from inventory.offers where account_id = $1 order by sku`, [account]);
    expect(Object.fromEntries(channels.map((c) => [c.sku, c.fulfillment_channels]))).toEqual({ 'CH-FBA': ['FBA'], 'CH-FBM': ['FBM'], 'CH-MIXED': ['FBA', 'FBM'], 'CH-UNKNOWN': [] });
    // A new level: still only the FBM SKU is sendable.
    await stock.adjust({ productId, locationId: STOCK_LOCATION_ID, quantity: 3 });
    await publisher.publishDue();
    expect((await sendable('CH-FBM')).map((e) => e.availableQuantity)).toEqual([8, 3]);
    for (const sku of ['CH-FBA', 'CH-MIXED', 'CH-UNKNOWN']) expect(await sendable(sku)).toEqual([]);
  });

  it('an FBM SKU that turns out to be sold FBA too is announced skipped at once, with no stock change', async () => {
    const account = randomUUID();
    const productId = await productWithOffers('CH-LATER', [account]);
    await stock.adjust({ productId, locationId: STOCK_LOCATION_ID, quantity: 5 });
    await publisher.publishDue();
    expect((await announced('CH-LATER')).map((e) => [e.availableQuantity, e.skippedReason ?? null])).toEqual([[5, null]]);
    await ordered(account, FulfillmentChannel.FBA, 'CH-LATER');
    // A second order of the same channel changes nothing more.
    await ordered(account, FulfillmentChannel.FBA, 'CH-LATER');
    await publisher.publishDue();
    const events = await announced('CH-LATER');
    expect(events.map((e) => [e.availableQuantity, e.skippedReason ?? null])).toEqual([[5, null], [5, 'SKU is also fulfilled by Amazon']]);
    expect(events[1].version).toBeGreaterThan(events[0].version);
  });

  it('an offer that becomes sendable at the same quantity (PUT /offers with FBM, no stock move) is announced sendable', async () => {
    const account = randomUUID();
    const productId = await productWithOffers('CH-NOW-FBM', [account], []);
    await stock.adjust({ productId, locationId: STOCK_LOCATION_ID, quantity: 6 });
    await publisher.publishDue();
    expect((await announced('CH-NOW-FBM')).map((e) => [e.availableQuantity, e.skippedReason])).toEqual([[6, SKIPPED_REASONS[2]]]);
    // What PUT /api/v1/offers does; the offer trigger notes the product, the quantity stays 6.
    await products.putOffer({ accountId: account, sku: 'CH-NOW-FBM', productId, fulfillmentChannel: FulfillmentChannel.FBM });
    await publisher.publishDue();
    expect((await announced('CH-NOW-FBM')).map((e) => [e.availableQuantity, e.skippedReason ?? null])).toEqual([
      [6, SKIPPED_REASONS[2]],
      [6, null],
    ]);
  });

  it.each([
    [[], SKIPPED_REASONS[2]],
    [['FBM'], null],
    [['FBA'], SKIPPED_REASONS[1]],
    [['FBA', 'FBM'], SKIPPED_REASONS[0]],
    [['FBM', 'FBA'], SKIPPED_REASONS[0]],
  ])('the skipped reason of an offer with channels %j is %j', async (channels, reason) => {
    const [row] = await env.query<{ reason: string | null }>(
      `select ${SKIPPED_REASON_SQL} as reason from (select $1::text[] as fulfillment_channels, $2::int as unused) o`,
      [channels, 0, ...SKIPPED_REASONS],
    );
    expect(row.reason).toBe(reason);
  });

  it('upgrading fills the channels from the moves already there, erring towards not sending, and looks again at every offer announced', async () => {
    const upgrade = new TestEnvironment();
    await upgrade.setUp();
    try {
      const options = inventoryDataSource(upgrade.databaseUrl);
      // The schema as the release before this migration left it.
      const all = options.migrations as unknown[];
      await runMigrations({ ...options, migrations: all.slice(0, all.indexOf(OfferFulfillmentChannels1765900000390)) as typeof options.migrations });
      const [account, fbaLocation, delivery] = [randomUUID(), randomUUID(), randomUUID()];
      const [fbm, fba, shared, both] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      for (const productId of [fbm, fba, shared, both]) await upgrade.query(`insert into inventory.products (id, name, internal_reference) values ($1, $2, $2)`, [productId, `BF-${productId}`]);
      const offers: [string, string][] = [['BF-FBM', fbm], ['BF-FBA', fba], ['BF-SHARED-1', shared], ['BF-SHARED-2', shared], ['BF-BOTH', both]];
      for (const [sku, productId] of offers)
        await upgrade.query(`insert into inventory.offers (id, account_id, sku, product_id, matched_by, created_product) values ($1, $2, $3, $4, 'manual', false)`, [randomUUID(), account, sku, productId]);
      await upgrade.query(`insert into inventory.locations (id, name, kind, account_id) values ($1, 'FBA', 'fba', $2)`, [fbaLocation, account]);
      await upgrade.query(
        `insert into inventory.deliveries (id, order_id, account_id, marketplace_id, amazon_order_id, contact_id, delivery_address_id, sequence, state) values ($1, $2, $3, 'A1PA6795UKMFR9', '302-1', $4, $4, 1, 'ready')`,
        [delivery, randomUUID(), account, randomUUID()],
      );
      const customers = '00000000-0000-4000-8000-000000000002';
      for (const productId of [fbm, shared, both])
        await upgrade.query(
          `insert into inventory.stock_moves (id, product_id, quantity, from_location_id, to_location_id, state, reason, delivery_id, order_id) values ($1, $2, 1, $3, $4, 'ready', 'fbm_sale', $5, $6)`,
          [randomUUID(), productId, STOCK_LOCATION_ID, customers, delivery, randomUUID()],
        );
      for (const productId of [fba, both])
        await upgrade.query(
          `insert into inventory.stock_moves (id, product_id, quantity, from_location_id, to_location_id, state, reason, order_id) values ($1, $2, 1, $3, $4, 'done', 'fba_sale', $5)`,
          [randomUUID(), productId, fbaLocation, customers, randomUUID()],
        );
      await upgrade.query(`insert into inventory.listing_quantities (account_id, sku, product_id, quantity, version, changed_at) values ($1, 'BF-SHARED-1', $2, 4, 1, now())`, [account, shared]);
      await upgrade.query(`delete from inventory.available_changes`);

      expect(await runMigrations({ ...options, migrations: all.slice(0, all.indexOf(OfferFulfillmentChannels1765900000390) + 1) as typeof options.migrations })).toContain(
        'OfferFulfillmentChannels1765900000390',
      );
      const rows = await upgrade.query<{ sku: string; fulfillment_channels: string[] }>(`select sku, fulfillment_channels from inventory.offers where account_id = $1`, [account]);
      expect(Object.fromEntries(rows.map((r) => [r.sku, r.fulfillment_channels]))).toEqual({
        'BF-FBM': ['FBM'],
        'BF-FBA': ['FBA'],
        // Two SKUs of one product: which of them sold FBM is not known, so neither is sent.
        'BF-SHARED-1': [],
        'BF-SHARED-2': [],
        'BF-BOTH': ['FBA', 'FBM'],
      });
      expect((await upgrade.query<{ product_id: string }>(`select product_id from inventory.available_changes`)).map((r) => r.product_id)).toEqual([shared]);
    } finally {
      await upgrade.tearDown();
    }
  });

  it('two warehouses: each marketplace with its own assignment is told its warehouse\'s quantity, the others the default; an account without assignments the shared Stock location\'s only', async () => {
    const [berlin, lyon] = [await warehouse('Berlin'), await warehouse('Lyon')];
    const [assigned, unassigned] = [randomUUID(), randomUUID()];
    const productId = await productWithOffers('WH-1', [assigned, unassigned]);
    await shipFrom.assign(assigned, DE, berlin);
    await shipFrom.assign(assigned, FR, lyon);
    await stock.adjust({ productId, locationId: berlin, quantity: 5 });
    await stock.adjust({ productId, locationId: lyon, quantity: 3 });
    await stock.adjust({ productId, locationId: STOCK_LOCATION_ID, quantity: 2 });
    // A DE order holds 1 in Berlin.
    await env.query(
      `insert into inventory.stock_moves (id, product_id, quantity, from_location_id, to_location_id, state, reason) values ($1, $2, 1, $3, '00000000-0000-4000-8000-000000000002', 'ready', 'fbm_sale')`,
      [randomUUID(), productId, berlin],
    );
    await publisher.publishDue();
    // No default assignment: the other marketplaces ship from the shared Stock location.
    expect(await lastOf(assigned, 'WH-1')).toMatchObject({ quantity: 2, marketplaces: { [DE]: 4, [FR]: 3 } });
    // Its deliveries ship from Stock: Berlin's and Lyon's units are the other account's to sell, not counted twice.
    expect(await lastOf(unassigned, 'WH-1')).toMatchObject({ quantity: 2, marketplaces: {} });
    const [row] = await env.query<{ quantity: number; marketplace_quantities: Record<string, number> }>(
      `select quantity, marketplace_quantities from inventory.listing_quantities where account_id = $1 and sku = 'WH-1'`,
      [assigned],
    );
    expect(row).toEqual({ quantity: 2, marketplace_quantities: { [DE]: 4, [FR]: 3 } });
    // Lyon sells out: only the account whose FR ships from Lyon sees FR fall; the other is not told anything new.
    await stock.adjust({ productId, locationId: lyon, quantity: 0 });
    await publisher.publishDue();
    expect(await lastOf(assigned, 'WH-1')).toMatchObject({ count: 2, quantity: 2, marketplaces: { [DE]: 4, [FR]: 0 } });
    expect(await lastOf(unassigned, 'WH-1')).toMatchObject({ count: 1, quantity: 2 });
    // Stock changes: both accounts' default falls with it.
    await stock.adjust({ productId, locationId: STOCK_LOCATION_ID, quantity: 1 });
    await publisher.publishDue();
    expect(await lastOf(assigned, 'WH-1')).toMatchObject({ count: 3, quantity: 1, marketplaces: { [DE]: 4, [FR]: 0 } });
    expect(await lastOf(unassigned, 'WH-1')).toMatchObject({ count: 2, quantity: 1 });
  });

  it('a ship-from assignment made, changed or removed re-announces the account\'s offers at once, without a stock move; an unchanged one notes nothing; archiving a warehouse takes its stock out', async () => {
    const [berlin, lyon, spare] = [await warehouse('Berlin 2'), await warehouse('Lyon 2'), await warehouse('Spare')];
    const [account, other] = [randomUUID(), randomUUID()];
    const productId = await productWithOffers('WH-2', [account, other]);
    await stock.adjust({ productId, locationId: berlin, quantity: 7 });
    await stock.adjust({ productId, locationId: lyon, quantity: 4 });
    await stock.adjust({ productId, locationId: spare, quantity: 10 });
    await stock.adjust({ productId, locationId: STOCK_LOCATION_ID, quantity: 2 });
    await publisher.publishDue();
    expect(await lastOf(account, 'WH-2')).toMatchObject({ count: 1, quantity: 2, marketplaces: {} });

    // The default: its notes are written in the assignment's own transaction.
    await shipFrom.assign(account, null, berlin);
    expect(await notes(productId)).toBeGreaterThan(0);
    await publisher.publishDue();
    expect(await lastOf(account, 'WH-2')).toMatchObject({ count: 2, quantity: 7, marketplaces: {} });
    // The same assignment again (a repeated PUT): no note, so no re-announcement of the catalogue.
    await shipFrom.assign(account, null, berlin);
    expect(await notes(productId)).toBe(0);
    await shipFrom.assign(account, FR, lyon);
    await publisher.publishDue();
    expect(await lastOf(account, 'WH-2')).toMatchObject({ count: 3, quantity: 7, marketplaces: { [FR]: 4 } });
    // FR moves to Berlin: the same quantity as the default, still its own entry.
    await shipFrom.assign(account, FR, berlin);
    await publisher.publishDue();
    expect(await lastOf(account, 'WH-2')).toMatchObject({ count: 4, quantity: 7, marketplaces: { [FR]: 7 } });
    await shipFrom.remove({ accountId: account, marketplaceId: FR });
    await publisher.publishDue();
    expect(await lastOf(account, 'WH-2')).toMatchObject({ count: 5, quantity: 7, marketplaces: {} });
    await shipFrom.remove({ accountId: account });
    await publisher.publishDue();
    expect(await lastOf(account, 'WH-2')).toMatchObject({ count: 6, quantity: 2, marketplaces: {} });
    // The other account was never re-announced: its warehouses did not change.
    expect(await lastOf(other, 'WH-2')).toMatchObject({ count: 1, quantity: 2 });

    // An archived warehouse's stock counts nowhere (written directly here: the API refuses to archive
    // a warehouse still assigned). Archiving notes the products that moved through it.
    await shipFrom.assign(account, FR, spare);
    await publisher.publishDue();
    expect(await lastOf(account, 'WH-2')).toMatchObject({ count: 7, quantity: 2, marketplaces: { [FR]: 10 } });
    await env.query(`update inventory.locations set archived_at = now() where id = $1`, [spare]);
    expect(await notes(productId)).toBeGreaterThan(0);
    await publisher.publishDue();
    expect(await lastOf(account, 'WH-2')).toMatchObject({ count: 8, quantity: 2, marketplaces: { [FR]: 0 } });
    expect(await lastOf(other, 'WH-2')).toMatchObject({ count: 1, quantity: 2 });
  });

  it('a stock move noted only when what makes the quantity changes, not on every update', async () => {
    const productId = await productWithOffers('WH-3', [randomUUID()]);
    const moveId = randomUUID();
    await env.query(
      `insert into inventory.stock_moves (id, product_id, quantity, from_location_id, to_location_id, state, reason) values ($1, $2, 2, $3, '00000000-0000-4000-8000-000000000002', 'ready', 'fbm_sale')`,
      [moveId, productId, STOCK_LOCATION_ID],
    );
    await publisher.publishDue();
    expect(await notes(productId)).toBe(0);
    await env.query(`update inventory.stock_moves set done_at = now(), order_item_id = 'item-1', state = state, quantity = quantity where id = $1`, [moveId]);
    expect(await notes(productId)).toBe(0);
    await env.query(`update inventory.stock_moves set quantity = 1 where id = $1`, [moveId]);
    expect(await notes(productId)).toBe(1);
    await env.query(`update inventory.stock_moves set state = 'done' where id = $1`, [moveId]);
    expect(await notes(productId)).toBe(2);
    await env.query(`update inventory.stock_moves set to_location_id = '00000000-0000-4000-8000-000000000003' where id = $1`, [moveId]);
    expect(await notes(productId)).toBe(3);
    await env.query(`delete from inventory.stock_moves where id = $1`, [moveId]);
    expect(await notes(productId)).toBe(4);
  });

  it('an offer made while an assignment of its account is being changed waits for it, and is announced with the new warehouse', async () => {
    const lyon = await warehouse('Lyon 3');
    const account = randomUUID();
    await offerOf(account, 'RACE-0', await productWithOffers('RACE-0', []));
    const productId = await productWithOffers('RACE-1', []);
    await stock.adjust({ productId, locationId: lyon, quantity: 6 });
    await publisher.publishDue();
    // The assignment's transaction has written its row (its trigger noted the account's products) and is not committed yet.
    const assignment = db.createQueryRunner();
    await assignment.connect();
    let offerMade = false;
    let making: Promise<unknown> | undefined;
    try {
      await assignment.startTransaction();
      await assignment.query(`insert into ship_from_assignments (id, account_id, marketplace_id, location_id) values ($1, $2, $3, $4)`, [randomUUID(), account, FR, lyon]);
      making = env
        .query(`insert into inventory.offers (id, account_id, sku, product_id, matched_by, created_product, fulfillment_channels) values ($1, $2, 'RACE-1', $3, 'manual', false, '{FBM}')`, [randomUUID(), account, productId])
        .then(() => (offerMade = true));
      const offerWaits = async () =>
        (await db.query(`select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and wait_event = 'advisory' and query ilike '%insert into inventory.offers%'`)).length > 0;
      await waitFor(async () => offerMade || (await offerWaits()), { what: 'the offer to be made or to wait for the assignment' });
      expect(offerMade).toBe(false);
      // Without the wait, this pass would announce the new offer with FR told the default (Stock: 0).
      await publisher.publishDue();
      expect(await announced('RACE-1')).toEqual([]);
      await assignment.commitTransaction();
    } finally {
      if (assignment.isTransactionActive) await assignment.rollbackTransaction();
      await assignment.release();
    }
    await making;
    await publisher.publishDue();
    expect(await lastOf(account, 'RACE-1')).toMatchObject({ count: 1, quantity: 0, marketplaces: { [FR]: 6 } });
  });

  it('the stock sum reads no FBA sale: the partial indexes leave them out, and the publisher\'s query uses them', async () => {
    const [account, fba, customers] = [randomUUID(), randomUUID(), '00000000-0000-4000-8000-000000000002'];
    const productId = await productWithOffers('IDX-1', [account]);
    await env.query(`insert into inventory.locations (id, name, kind, account_id) values ($1, 'FBA', 'fba', $2)`, [fba, account]);
    await stock.adjust({ productId, locationId: STOCK_LOCATION_ID, quantity: 4 });
    for (let i = 0; i < 30; i++)
      await env.query(
        `insert into inventory.stock_moves (id, product_id, quantity, from_location_id, to_location_id, state, reason, order_id) values ($1, $2, 1, $3, $4, 'done', $5, $6)`,
        [randomUUID(), productId, i % 10 ? fba : customers, i % 10 ? customers : fba, i % 10 ? 'fba_sale' : 'fba_sale_reversal', randomUUID()],
      );
    const moves = await env.query<{ reason: string; count: number }>(`select reason, count(*)::int as count from inventory.stock_moves where product_id = $1 group by reason order by reason`, [productId]);
    expect(moves).toEqual([{ reason: 'adjustment', count: 1 }, { reason: 'fba_sale', count: 27 }, { reason: 'fba_sale_reversal', count: 3 }]);
    await env.query(`vacuum analyze inventory.stock_moves`);
    type PlanNode = { 'Node Type': string; 'Index Name'?: string; 'Actual Rows': number; 'Rows Removed by Filter'?: number; Plans?: PlanNode[] };
    const scans = await db.transaction(async (manager) => {
      // A handful of rows would be read whole; the plan of a big table is what is checked.
      await manager.query(`set local enable_seqscan = off`);
      await manager.query(`set local enable_bitmapscan = off`);
      const stockLocations = (await manager.query(`select id from locations where kind = 'stock'`)).map((l: { id: string }) => l.id);
      const [{ 'QUERY PLAN': [plan] }] = await manager.query(`explain (analyze, format json) ${STOCK_BY_LOCATION}`, [[productId], stockLocations]);
      const found: PlanNode[] = [];
      const walk = (node: PlanNode) => {
        if (node['Index Name']?.startsWith('stock_moves_product_')) found.push(node);
        node.Plans?.forEach(walk);
      };
      walk(plan.Plan);
      return found;
    });
    // Each index gives up only the product's adjustment (in: read and kept; out: read, not from a stock location): none of its 30 FBA moves.
    expect(scans.map((n) => [n['Index Name'], n['Actual Rows'] + (n['Rows Removed by Filter'] ?? 0)]).sort()).toEqual([
      ['stock_moves_product_in', 1],
      ['stock_moves_product_out', 1],
    ]);
    await publisher.publishDue();
    expect((await announced('IDX-1')).map((e) => e.availableQuantity)).toEqual([4]);
  });
});
