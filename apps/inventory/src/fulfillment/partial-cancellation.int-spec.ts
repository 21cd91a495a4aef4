import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CLAIM_UNITS_TO_SHIP, ClaimUnitsToShipRequest, DELIVERY_CANCELED, DELIVERY_VALIDATED, FulfillmentChannel, OrderItemsCanceledEvent, OrderSyncedEvent, SalesOrderLineKind, SalesOrderStatus } from '@connector/contracts';
import { Outbox } from '@connector/messaging';
import { runMigrations } from '@connector/persistence';
import { ServiceClient, ServiceError } from '@connector/platform';
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
 * Partial cancellation on real PostgreSQL: `order.items-canceled` shrinks the order's open
 * delivery (backorders too), never what is validated or done, and applies once per cancellation.
 */
describe('partial cancellation: the open delivery shrinks', () => {
  const env = new TestEnvironment();
  let db: DataSource;
  let handler: OrderFulfillmentHandler;
  let deliveries: DeliveriesService;
  let orderDeliveries: OrderDeliveries;
  const accountId = randomUUID();
  const productA = randomUUID();
  const productB = randomUUID();
  const [ITEM_A, ITEM_B] = ['10000000000001', '10000000000002'];

  const newOrder = () => ({ orderId: randomUUID(), amazonOrderId: `302-${Math.floor(Math.random() * 1e7)}-0000002`, lineA: randomUUID(), lineB: randomUUID() });
  type Order = ReturnType<typeof newOrder>;
  const synced = (o: Order): OrderSyncedEvent => ({
    orderId: o.orderId,
    version: 1,
    accountId,
    marketplaceId: 'A1PA6795UKMFR9',
    amazonOrderId: o.amazonOrderId,
    channel: FulfillmentChannel.FBM,
    lines: [
      { lineId: o.lineA, kind: SalesOrderLineKind.Product, orderItemId: ITEM_A, productId: productA, sku: 'A', quantity: 3, quantityShipped: 0 },
      { lineId: o.lineB, kind: SalesOrderLineKind.Product, orderItemId: ITEM_B, productId: productB, sku: 'B', quantity: 1, quantityShipped: 0 },
    ],
    status: SalesOrderStatus.Confirmed,
    contactId: randomUUID(),
    deliveryAddressId: randomUUID(),
    giftMessage: null,
  });
  const itemsCanceled = (o: Order, version: number, items: { orderItemId: string; quantity: number; quantityLeft: number }[], cancellationId = randomUUID()): OrderItemsCanceledEvent => ({
    ...synced(o),
    version,
    cancellationId,
    canceledBy: 'seller',
    reason: 'NoInventory' as OrderItemsCanceledEvent['reason'],
    partlyShipped: false,
    items: items.map((item) => ({ ...item, lineId: item.orderItemId === ITEM_A ? o.lineA : o.lineB })),
  });
  /** What order-ingestion answers a validation's claim of its units (CLAIM_UNITS_TO_SHIP); every claim asked. */
  let claimAnswer: (payload: ClaimUnitsToShipRequest) => unknown = () => ({ claimed: true });
  const claims: ClaimUnitsToShipRequest[] = [];
  const orderIngestion = {
    request: async (contract: { subject: string }, payload: ClaimUnitsToShipRequest) => {
      if (contract.subject !== CLAIM_UNITS_TO_SHIP.subject) throw new Error(`unexpected request ${contract.subject}`);
      claims.push(payload);
      return claimAnswer(payload);
    },
  } as unknown as ServiceClient;
  const cancel = (event: OrderItemsCanceledEvent) => db.transaction((manager) => handler.onOrderItemsCanceled(event, { manager } as never));
  const deliveriesOf = (orderId: string) => db.getRepository(Delivery).find({ where: { orderId }, order: { sequence: 'ASC' } });
  /** [delivery sequence, order item, quantity, state] of every move, sorted. */
  const movesOf = async (orderId: string) => {
    const sequences = new Map((await deliveriesOf(orderId)).map((d) => [d.id, d.sequence]));
    const moves = await db.getRepository(StockMove).find({ where: { orderId } });
    return moves.map((m) => [sequences.get(m.deliveryId!), m.orderItemId, m.quantity, m.state]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  };
  const canceledEvents = (orderId: string) =>
    db.query(`select payload from inventory.outbox where payload->>'orderId' = $1 and subject = $2 order by created_at, id`, [orderId, DELIVERY_CANCELED.subject]);

  beforeAll(async () => {
    await env.setUp();
    const options = inventoryDataSource(env.databaseUrl);
    await runMigrations(options);
    db = await new DataSource(options).initialize();
    for (const productId of [productA, productB]) {
      await db.query(`insert into inventory.products (id, name, internal_reference) values ($1, 'Partial cancellation product', $2)`, [productId, `PARTIAL-${productId}`]);
    }
    const outbox = new Outbox();
    orderDeliveries = new OrderDeliveries(outbox);
    handler = new OrderFulfillmentHandler(new FbaStockMoves(new LocationsService(db.getRepository(Location))), orderDeliveries);
    deliveries = new DeliveriesService(db, db.getRepository(Delivery), outbox, new CarrierMappingsService(db.getRepository(CarrierMapping)), orderIngestion);
  });

  afterAll(async () => {
    await db?.destroy();
    await env.tearDown();
  });

  it('1 of 3 units of A and all of B: A\'s move shrinks (the unit cancelled kept as a cancelled move), B\'s is cancelled, the delivery stays ready', async () => {
    const o = newOrder();
    await db.transaction((manager) => handler.onOrdersSynced([synced(o)], { manager } as never));
    await cancel(itemsCanceled(o, 2, [{ orderItemId: ITEM_A, quantity: 1, quantityLeft: 2 }, { orderItemId: ITEM_B, quantity: 1, quantityLeft: 0 }]));
    expect((await deliveriesOf(o.orderId)).map((d) => d.state)).toEqual(['ready']);
    expect(await movesOf(o.orderId)).toEqual([
      [1, ITEM_A, 1, 'canceled'],
      [1, ITEM_A, 2, 'ready'],
      [1, ITEM_B, 1, 'canceled'],
    ]);
    expect(await canceledEvents(o.orderId)).toEqual([]);
    // The rest validates as usual.
    const [delivery] = await deliveriesOf(o.orderId);
    const validated = await deliveries.validate({ id: delivery.id, carrierCode: 'DHL', trackingNumber: 'T-1' });
    expect(validated.moves.filter((m) => m.state === 'done').map((m) => [m.orderItemId, m.quantity])).toEqual([[ITEM_A, 2]]);
  });

  it('applies once: the same cancellation again (redelivered, replayed) shrinks nothing more', async () => {
    const o = newOrder();
    await db.transaction((manager) => handler.onOrdersSynced([synced(o)], { manager } as never));
    const event = itemsCanceled(o, 2, [{ orderItemId: ITEM_A, quantity: 1, quantityLeft: 2 }]);
    await cancel(event);
    await cancel(event);
    await cancel({ ...event, version: 5 });
    expect(await movesOf(o.orderId)).toEqual([
      [1, ITEM_A, 1, 'canceled'],
      [1, ITEM_A, 2, 'ready'],
      [1, ITEM_B, 1, 'ready'],
    ]);
  });

  it('a backorder shrinks and, emptied, is cancelled (done for the order: the rest shipped); the validated delivery is never touched', async () => {
    const o = newOrder();
    await db.transaction((manager) => handler.onOrdersSynced([synced(o)], { manager } as never));
    const [first] = await deliveriesOf(o.orderId);
    // Ship 1 of A and B: a backorder holds 2 of A.
    await deliveries.validate({ id: first.id, carrierCode: 'DHL', trackingNumber: 'T-1', lines: [{ orderItemId: ITEM_A, quantity: 1 }, { orderItemId: ITEM_B, quantity: 1 }] });
    expect(await orderDeliveries.shippedQuantities(db.manager, o.orderId)).toEqual({
      shipped: expect.arrayContaining([{ orderItemId: ITEM_A, quantity: 1 }, { orderItemId: ITEM_B, quantity: 1 }]),
      // The validated delivery: order-ingestion confirms its claim by it (an old claim of another delivery is one that never committed).
      validatedDeliveries: [first.id],
    });
    await cancel(itemsCanceled(o, 2, [{ orderItemId: ITEM_A, quantity: 1, quantityLeft: 2 }]));
    expect((await deliveriesOf(o.orderId)).map((d) => [d.sequence, d.state])).toEqual([
      [1, 'done'],
      [2, 'ready'],
    ]);
    await cancel(itemsCanceled(o, 3, [{ orderItemId: ITEM_A, quantity: 1, quantityLeft: 1 }]));
    expect((await deliveriesOf(o.orderId)).map((d) => [d.sequence, d.state])).toEqual([
      [1, 'done'],
      [2, 'canceled'],
    ]);
    expect(await movesOf(o.orderId)).toEqual([
      [1, ITEM_A, 1, 'done'],
      [1, ITEM_B, 1, 'done'],
      [2, ITEM_A, 1, 'canceled'],
      [2, ITEM_A, 1, 'canceled'],
    ]);
    const events = await canceledEvents(o.orderId);
    expect(events.map((e: { payload: { fullyShipped?: boolean; fulfillmentVersion?: number } }) => e.payload.fullyShipped)).toEqual([true]);
  });

  it('never cancels beyond what is open: a validation that came first keeps its units', async () => {
    const o = newOrder();
    await db.transaction((manager) => handler.onOrdersSynced([synced(o)], { manager } as never));
    const [first] = await deliveriesOf(o.orderId);
    await deliveries.validate({ id: first.id, carrierCode: 'DHL', trackingNumber: 'T-1', lines: [{ orderItemId: ITEM_A, quantity: 2 }] });
    // Asked for 3 of A while only 1 is open.
    const missing = await db.transaction((manager) => orderDeliveries.shrinkOpenDeliveries(manager, itemsCanceled(o, 2, [{ orderItemId: ITEM_A, quantity: 3, quantityLeft: 0 }])));
    expect([...missing!]).toEqual([[ITEM_A, 2]]);
    expect(await movesOf(o.orderId)).toEqual([
      [1, ITEM_A, 2, 'done'],
      [2, ITEM_A, 1, 'canceled'],
      [2, ITEM_B, 1, 'ready'],
    ]);
  });

  it('a validation claims its units at order-ingestion first: units the order cancelled (the event not applied here yet) are refused, nothing is written', async () => {
    const o = newOrder();
    await db.transaction((manager) => handler.onOrdersSynced([synced(o)], { manager } as never));
    const [delivery] = await deliveriesOf(o.orderId);
    const before = await movesOf(o.orderId);
    // order-ingestion cancelled 1 of A; order.items-canceled has not reached inventory.
    claimAnswer = () => {
      throw ServiceError.conflict(`sales order ${o.amazonOrderId} no longer has these units to ship`);
    };
    try {
      await expect(deliveries.validate({ id: delivery.id, carrierCode: 'DHL', trackingNumber: 'T-1' })).rejects.toMatchObject({ body: { statusCode: 409 } });
    } finally {
      claimAnswer = () => ({ claimed: true });
    }
    expect(claims.at(-1)).toEqual({ orderId: o.orderId, deliveryId: delivery.id, items: expect.arrayContaining([{ orderItemId: ITEM_A, quantity: 3 }, { orderItemId: ITEM_B, quantity: 1 }]) });
    expect((await deliveriesOf(o.orderId)).map((d) => d.state)).toEqual(['ready']);
    expect(await movesOf(o.orderId)).toEqual(before);
    expect(await db.query(`select 1 from inventory.outbox where payload->>'orderId' = $1 and subject = $2`, [o.orderId, DELIVERY_VALIDATED.subject])).toEqual([]);

    // Once the cancellation is applied the delivery holds 2 of A, and those are claimed and shipped.
    await cancel(itemsCanceled(o, 2, [{ orderItemId: ITEM_A, quantity: 1, quantityLeft: 2 }]));
    await deliveries.validate({ id: delivery.id, carrierCode: 'DHL', trackingNumber: 'T-1' });
    expect(claims.at(-1)!.items).toEqual(expect.arrayContaining([{ orderItemId: ITEM_A, quantity: 2 }, { orderItemId: ITEM_B, quantity: 1 }]));
  });
});
