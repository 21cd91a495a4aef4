import type { ServiceClient } from '@connector/platform';
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

/** order-ingestion grants every validation's claim of its units (CLAIM_UNITS_TO_SHIP; not what these tests are about). */
const grantingOrderIngestion = { request: async () => ({ claimed: true }) } as unknown as ServiceClient;
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
    deliveries = new DeliveriesService(db, db.getRepository(Delivery), outbox, new CarrierMappingsService(db.getRepository(CarrierMapping)), grantingOrderIngestion);
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

  describe('the buyer\'s request to cancel holds the open delivery', () => {
    const requested = (o: ReturnType<typeof order>, version: number, request: boolean, extra: Partial<OrderSyncedEvent> = {}): OrderSyncedEvent => ({
      ...synced(o, version),
      earliestShipDate: '2026-12-07T08:00:00.000Z',
      latestShipDate: '2026-12-08T18:00:00.000Z',
      earliestDeliveryDate: null,
      latestDeliveryDate: '2026-12-11T20:00:00.000Z',
      isPrime: true,
      isBusinessOrder: false,
      isReplacementOrder: false,
      replacedOrderId: null,
      buyerCancelRequested: request,
      buyerCancelReason: request ? 'Order created by mistake' : null,
      ...extra,
    });

    it('a request on the first version: the delivery is made held, with the order\'s windows and Prime', async () => {
      const o = order(FulfillmentChannel.FBM);
      await apply(requested(o, 1, true));
      const [delivery] = await deliveriesOf(o.orderId);
      expect(delivery).toMatchObject({ state: 'ready', holdReason: 'buyer-cancel-request', buyerCancelRequested: true, buyerCancelReason: 'Order created by mistake', isPrime: true, holdReleasedAt: null });
      expect(delivery.latestShipDate?.toISOString()).toBe('2026-12-08T18:00:00.000Z');
      expect(delivery.earliestDeliveryDate).toBeNull();
      await expect(deliveries.validate({ id: delivery.id, carrierCode: 'DHL', trackingNumber: 'T-HELD' })).rejects.toThrow(/is on hold: the buyer asked Amazon to cancel/);
      expect((await movesOf(o.orderId)).map((m) => m.state)).toEqual(['ready']);
    });

    it('a later request holds; released, the same request synced again holds nothing anew; withdrawn and asked again, it holds again', async () => {
      const o = order(FulfillmentChannel.FBM);
      await apply(requested(o, 1, false));
      const [delivery] = await deliveriesOf(o.orderId);
      expect(delivery.holdReason).toBeNull();
      await apply(requested(o, 2, true, { latestShipDate: '2026-12-09T18:00:00.000Z' }));
      const held = (await deliveriesOf(o.orderId))[0];
      expect(held).toMatchObject({ holdReason: 'buyer-cancel-request', heldAt: expect.any(Date) });
      expect(held.latestShipDate?.toISOString()).toBe('2026-12-09T18:00:00.000Z');

      const released = await deliveries.release(delivery.id);
      expect(released).toMatchObject({ onHold: false, holdReason: null, buyerCancelRequested: true, holdReleasedAt: expect.any(String) });
      await expect(deliveries.release(delivery.id)).rejects.toThrow('is not on hold');
      await apply(requested(o, 3, true));
      expect((await deliveriesOf(o.orderId))[0].holdReason).toBeNull();

      await apply(requested(o, 4, false));
      expect((await deliveriesOf(o.orderId))[0]).toMatchObject({ holdReason: null, buyerCancelRequested: false, buyerCancelReason: null });
      await apply(requested(o, 5, true));
      expect((await deliveriesOf(o.orderId))[0].holdReason).toBe('buyer-cancel-request');
      // Amazon no longer reports the request (withdrawn): its hold goes with it.
      await apply(requested(o, 6, false));
      expect((await deliveriesOf(o.orderId))[0].holdReason).toBeNull();
      expect((await deliveries.validate({ id: delivery.id, carrierCode: 'DHL', trackingNumber: 'T-SHIPS' })).state).toBe('done');
    });

    it('an event of an earlier release (without these fields) changes nothing of them; a held delivery is cancelled with its order', async () => {
      const o = order(FulfillmentChannel.FBM);
      await apply(requested(o, 1, true));
      await apply(synced(o, 2));
      const [delivery] = await deliveriesOf(o.orderId);
      expect(delivery).toMatchObject({ holdReason: 'buyer-cancel-request', isPrime: true, buyerCancelRequested: true });
      await apply(canceled(o, 3));
      const [cancelled] = await deliveriesOf(o.orderId);
      expect(cancelled.state).toBe('canceled');
      await expect(deliveries.release(delivery.id)).rejects.toThrow('only a ready delivery is held or released');
    });

    it('lists held ones apart, and the most urgent first across pages', async () => {
      const urgent = order(FulfillmentChannel.FBM);
      const later = order(FulfillmentChannel.FBM);
      const none = order(FulfillmentChannel.FBM);
      await apply(requested(later, 1, true, { latestShipDate: '2031-01-03T00:00:00.000Z' }));
      await apply(requested(urgent, 1, false, { latestShipDate: '2031-01-01T00:00:00.000Z' }));
      await apply(requested(none, 1, false, { latestShipDate: null }));
      const ids = [urgent.orderId, later.orderId, none.orderId];
      const mine = (items: { orderId: string }[]) => items.map((d) => d.orderId).filter((id) => ids.includes(id));
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await deliveries.list({ accountId, state: 'ready' as never, sort: 'shipBy', limit: 2, cursor });
        seen.push(...mine(page.items));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(ids);
      expect(mine((await deliveries.list({ accountId, onHold: true, limit: 500 })).items)).toEqual([later.orderId]);
      expect(mine((await deliveries.list({ accountId, onHold: false, limit: 500 })).items).sort()).toEqual([urgent.orderId, none.orderId].sort());
      expect(mine((await deliveries.list({ accountId, shipByBefore: '2031-01-02T00:00:00.000Z', limit: 500 })).items)).toEqual([urgent.orderId]);
    });

    it('a cursor continues only the order it came from: one of the ship-by order offered without it (or the other way round) is a 400 naming cursor', async () => {
      for (const shipBy of ['2031-02-01T00:00:00.000Z', '2031-02-02T00:00:00.000Z', '2031-02-03T00:00:00.000Z']) {
        await apply(requested(order(FulfillmentChannel.FBM), 1, false, { latestShipDate: shipBy }));
      }
      const byShipBy = (await deliveries.list({ accountId, sort: 'shipBy', limit: 1 })).nextCursor;
      const byCreation = (await deliveries.list({ accountId, limit: 1 })).nextCursor;
      expect(byShipBy).toBeDefined();
      expect(byCreation).toBeDefined();
      const refused = { body: { statusCode: 400, details: [{ field: 'cursor', errors: [expect.stringContaining('another sort order')] }] } };
      await expect(deliveries.list({ accountId, limit: 1, cursor: byShipBy })).rejects.toMatchObject(refused);
      await expect(deliveries.list({ accountId, sort: 'created', limit: 1, cursor: byShipBy })).rejects.toMatchObject(refused);
      await expect(deliveries.list({ accountId, sort: 'shipBy', limit: 1, cursor: byCreation })).rejects.toMatchObject(refused);
      expect((await deliveries.list({ accountId, sort: 'shipBy', limit: 1, cursor: byShipBy })).items).toHaveLength(1);
      expect((await deliveries.list({ accountId, sort: 'created', limit: 1, cursor: byCreation })).items).toHaveLength(1);
    });
  });
});
