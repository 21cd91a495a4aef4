import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DELIVERY_CANCELED, DELIVERY_SHIPPED_OUTSIDE, DELIVERY_VALIDATED, FulfillmentChannel, OrderCanceledEvent, OrderSyncedEvent, SalesOrderLineKind, SalesOrderStatus } from '@connector/contracts';
import { Outbox } from '@connector/messaging';
import { runMigrations } from '@connector/persistence';
import { TestEnvironment } from '@connector/testing';
import { CarrierMapping } from '../carriers/carrier-mapping.entity';
import { CarrierMappingsService } from '../carriers/carrier-mappings.service';
import { inventoryDataSource } from '../data-source';
import { DeliveriesService } from '../deliveries/deliveries.service';
import { Delivery } from '../deliveries/delivery.entity';
import { OrderDeliveries } from '../deliveries/order-deliveries';
import { Location } from '../locations/location.entity';
import { LocationsService } from '../locations/locations.service';
import { StockMove } from '../stock/stock-move.entity';
import { FbaStockMoves } from './fba-stock-moves';
import { OrderFulfillmentHandler } from './order-fulfillment.handler';

/**
 * An order's events may reach inventory in any order (redelivery, a parked event replayed):
 * only a version newer than the one applied changes anything. Each case in both arrival orders.
 */
describe('order fulfilment on real PostgreSQL: events of one order in any arrival order', () => {
  const env = new TestEnvironment();
  let db: DataSource;
  let handler: OrderFulfillmentHandler;
  let deliveries: DeliveriesService;
  const accountId = randomUUID();
  const productId = randomUUID();

  const order = (channel: FulfillmentChannel) => ({ orderId: randomUUID(), amazonOrderId: `302-${Math.floor(Math.random() * 1e7)}-0000001`, lineId: randomUUID(), channel });
  const synced = (o: ReturnType<typeof order>, version: number, status = SalesOrderStatus.Confirmed, quantity = 2): OrderSyncedEvent => ({
    orderId: o.orderId,
    version,
    accountId,
    marketplaceId: 'A1PA6795UKMFR9',
    amazonOrderId: o.amazonOrderId,
    channel: o.channel,
    lines: [{ lineId: o.lineId, kind: SalesOrderLineKind.Product, orderItemId: '11111111111111', productId, sku: 'SKU', quantity, quantityShipped: 0 }],
    status,
    contactId: randomUUID(),
    deliveryAddressId: randomUUID(),
    giftMessage: null,
  });
  const canceled = (o: ReturnType<typeof order>, version: number): OrderCanceledEvent => ({ ...synced(o, version), canceledBy: 'seller', reason: null, notifyAmazon: true });
  const apply = (event: OrderSyncedEvent | OrderCanceledEvent) =>
    db.transaction((manager) =>
      'canceledBy' in event ? handler.onOrderCanceled(event, { manager } as never) : handler.onOrdersSynced([event], { manager } as never),
    );
  const deliveriesOf = (orderId: string) => db.getRepository(Delivery).find({ where: { orderId }, order: { sequence: 'ASC' } });
  const movesOf = (orderId: string) => db.getRepository(StockMove).find({ where: { orderId }, order: { createdAt: 'ASC' } });

  beforeAll(async () => {
    await env.setUp();
    const options = inventoryDataSource(env.databaseUrl);
    await runMigrations(options);
    db = await new DataSource(options).initialize();
    await db.query(`insert into inventory.products (id, name, internal_reference) values ($1, 'Forward test product', $2)`, [productId, `FORWARD-${productId}`]);
    const outbox = new Outbox();
    handler = new OrderFulfillmentHandler(new FbaStockMoves(new LocationsService(db.getRepository(Location), db)), new OrderDeliveries(outbox));
    deliveries = new DeliveriesService(db, db.getRepository(Delivery), outbox, new CarrierMappingsService(db.getRepository(CarrierMapping)));
  });

  afterAll(async () => {
    await db?.destroy();
    await env.tearDown();
  });

  it('FBM: a cancellation older than the version applied arrives late and cancels nothing', async () => {
    const o = order(FulfillmentChannel.FBM);
    await apply(synced(o, 1));
    await apply(synced(o, 3, SalesOrderStatus.Confirmed, 2));
    await apply(canceled(o, 2));
    expect((await deliveriesOf(o.orderId)).map((d) => d.state)).toEqual(['ready']);
  });

  it('FBM: the cancellation first, then the older versions: no delivery is ever made', async () => {
    const o = order(FulfillmentChannel.FBM);
    await apply(canceled(o, 2));
    await apply(synced(o, 1));
    expect(await deliveriesOf(o.orderId)).toEqual([]);
  });

  it('FBM: versions in order: the delivery is made, then cancelled with its moves', async () => {
    const o = order(FulfillmentChannel.FBM);
    await apply(synced(o, 1));
    await apply(canceled(o, 2));
    expect((await deliveriesOf(o.orderId)).map((d) => d.state)).toEqual(['canceled']);
    expect((await movesOf(o.orderId)).map((m) => m.state)).toEqual(['canceled']);
  });

  it('FBA: a sale and its cancellation in either order: recorded then reversed, or never recorded', async () => {
    const inOrder = order(FulfillmentChannel.FBA);
    await apply(synced(inOrder, 1, SalesOrderStatus.Shipped));
    await apply(canceled(inOrder, 2));
    expect((await movesOf(inOrder.orderId)).map((m) => m.reason).sort()).toEqual(['fba_sale', 'fba_sale_reversal']);

    const reversed = order(FulfillmentChannel.FBA);
    await apply(canceled(reversed, 2));
    await apply(synced(reversed, 1, SalesOrderStatus.Shipped));
    expect(await movesOf(reversed.orderId)).toEqual([]);
  });

  it('FBM shipped outside the connector: closed once for what Amazon reports beyond what the connector shipped', async () => {
    const o = order(FulfillmentChannel.FBM);
    await apply(synced(o, 1, SalesOrderStatus.Confirmed, 3));
    const [delivery] = await deliveriesOf(o.orderId);
    // The connector ships 1; Amazon then reports 2 shipped: 1 of them is the seller's, elsewhere.
    await deliveries.validate({ id: delivery.id, carrierCode: 'DHL', trackingNumber: 'T-1', lines: [{ orderItemId: '11111111111111', quantity: 1 }] });
    const shippedTwo = (version: number): OrderSyncedEvent => {
      const event = synced(o, version, SalesOrderStatus.PartiallyShipped, 3);
      return { ...event, lines: [{ ...event.lines[0], quantityShipped: 2 }], amazonUpdatedAt: '2026-12-01T10:00:00.000Z' };
    };
    await apply(shippedTwo(2));
    // The same report again (a later version, nothing new shipped) closes nothing more.
    await apply(shippedTwo(3));
    const all = await deliveriesOf(o.orderId);
    expect(all.map((d) => [d.sequence, d.state, d.shippedOutsideAt?.toISOString() ?? null])).toEqual([
      [1, 'done', null],
      [2, 'done', '2026-12-01T10:00:00.000Z'],
      [3, 'ready', null],
    ]);
    const moves = await movesOf(o.orderId);
    expect(moves.filter((m) => m.state === 'done').reduce((sum, m) => sum + m.quantity, 0)).toBe(2);
    expect(moves.filter((m) => m.state === 'ready').reduce((sum, m) => sum + m.quantity, 0)).toBe(1);
    await expect(deliveries.validate({ id: all[1].id, carrierCode: 'DHL', trackingNumber: 'T-2' })).rejects.toThrow('shipped outside the connector on 2026-12-01T10:00:00.000Z');
    const events = await db.query(`select payload from inventory.outbox where payload->>'orderId' = $1 and subject = $2`, [o.orderId, DELIVERY_SHIPPED_OUTSIDE.subject]);
    expect(events.map((e: { payload: { items: unknown; fullyShipped: boolean } }) => [e.payload.items, e.payload.fullyShipped])).toEqual([[[{ orderItemId: '11111111111111', quantity: 1 }], false]]);
  });

  it('numbers the delivery events of an order (validated, cancelled) in the order they commit', async () => {
    const o = order(FulfillmentChannel.FBM);
    await apply(synced(o, 1));
    const [delivery] = await deliveriesOf(o.orderId);
    // One of two shipped: a backorder for the other, which the cancellation then cancels.
    await deliveries.validate({ id: delivery.id, carrierCode: 'DHL', trackingNumber: 'T-1', lines: [{ orderItemId: '11111111111111', quantity: 1 }] });
    await apply(canceled(o, 2));
    const events = await db.query(`select subject, payload from inventory.outbox where payload->>'orderId' = $1 and subject = any($2) order by created_at, id`, [
      o.orderId,
      [DELIVERY_VALIDATED.subject, DELIVERY_CANCELED.subject],
    ]);
    expect(events.map((e: { subject: string; payload: { fulfillmentVersion: number } }) => [e.subject, e.payload.fulfillmentVersion])).toEqual([
      [DELIVERY_VALIDATED.subject, 1],
      [DELIVERY_CANCELED.subject, 2],
    ]);
  });
});
