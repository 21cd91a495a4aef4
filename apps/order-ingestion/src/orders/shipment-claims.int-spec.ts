import { IngestionDatabase, insertSellerAccount } from '../../test/ingestion-database';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CancelReason, GET_SHIPPED_QUANTITIES, NotificationKind, NotificationState, RESOLVE_PARTNERS } from '@connector/contracts';
import { Outbox } from '@connector/messaging';
import type { ServiceClient } from '@connector/platform';
import { amazonOrder } from '@connector/testing';
import { SellerAccount } from '../accounts/seller-account.entity';
import { Marketplace } from '../marketplaces/marketplace.entity';
import { FulfillmentProjection } from './fulfillment-projection';
import { PartnerAndProductResolution } from './partner-and-product-resolution';
import { QuarantineStore } from './quarantine-store';
import { SalesOrderStore } from './sales-order-store';
import { SalesOrderWriter } from './sales-order-writer';
import { SalesOrder } from './sales-order.entity';
import { SalesOrdersService } from './sales-orders.service';
import { SkuProductCache } from './sku-product-cache';

/**
 * No unit is both shipped and cancelled: a delivery's validation claims its units at
 * order-ingestion under the order's lock (CLAIM_UNITS_TO_SHIP), as a cancellation of units takes
 * it. Here inventory's answer of shipped quantities is always "none" (it was asked before the
 * validation committed, or the validation landed after it), so only the claims keep the two apart.
 */
describe('a validation and a cancellation of units never share a unit', () => {
  const database = new IngestionDatabase();
  let db: DataSource;
  let writer: SalesOrderWriter;
  let orders: SalesOrdersService;
  const account = { id: randomUUID() } as SellerAccount;
  const lease = { accountId: account.id, owner: 'claims-test-replica' };
  const marketplaces = new Map([['A1PA6795UKMFR9', { marketplaceId: 'A1PA6795UKMFR9', taxIncluded: true } as Marketplace]]);
  const party = { contactId: randomUUID(), deliveryAddressId: randomUUID() };
  const productId = randomUUID();
  /** The deliveries inventory says are validated (undefined: as an earlier release answers). */
  let validatedDeliveries: string[] | undefined = [];
  const services = {
    request: async (contract: { subject: string }, payload: any) =>
      contract.subject === RESOLVE_PARTNERS.subject
        ? { parties: payload.parties.map((p: { key: string }) => ({ key: p.key, ...party })) }
        : contract.subject === GET_SHIPPED_QUANTITIES.subject
          ? { shipped: [], validatedDeliveries }
          : { offers: payload.skus.map((s: { sku: string }) => ({ sku: s.sku, productId })) },
  } as unknown as ServiceClient;

  let sequence = 0;
  /** A new FBM order of one item of 3 units; returns its id and order item id. */
  const newOrder = async () => {
    const amazonOrderId = `302-2000000-${String(++sequence).padStart(7, '0')}`;
    const orderItemId = `${amazonOrderId.replace(/-/g, '')}1`;
    const page = await writer.prepare(account, [amazonOrder({ orderId: amazonOrderId, lastUpdatedTime: new Date().toISOString(), items: [{ orderItemId, sku: 'CLAIM-SKU', quantity: 3, unitPrice: '10.00', tax: '1.60' }] })], marketplaces);
    await writer.commit(page, lease);
    const order = (await db.getRepository(SalesOrder).findOneBy({ accountId: account.id, amazonOrderId }))!;
    return { id: order.id, orderItemId };
  };
  const cancelUnits = (id: string, orderItemId: string, quantity: number) => orders.cancel({ id, reason: CancelReason.NoInventory, items: [{ orderItemId, quantity }] });
  const claim = (orderId: string, deliveryId: string, orderItemId: string, quantity: number) => orders.claimUnitsToShip({ orderId, deliveryId, items: [{ orderItemId, quantity }] });

  beforeAll(async () => {
    db = await database.setUp();
    await insertSellerAccount(db, { id: account.id, sellerId: 'A2CLAIMS', syncEnabled: false, syncIntervalSeconds: 900, leaseOwner: lease.owner });
    const outbox = new Outbox();
    const skuProducts = new SkuProductCache(db);
    writer = new SalesOrderWriter(db, new SalesOrderStore(db, outbox), new PartnerAndProductResolution(services, skuProducts), new QuarantineStore(db), skuProducts);
    orders = new SalesOrdersService(db, db.getRepository(SalesOrder), outbox, services);
  });

  afterAll(() => database.tearDown());

  it('the validation first: its units can no longer be cancelled, though inventory answered none shipped', async () => {
    const { id, orderItemId } = await newOrder();
    expect(await claim(id, randomUUID(), orderItemId, 3)).toEqual({ claimed: true });
    await expect(cancelUnits(id, orderItemId, 1)).rejects.toMatchObject({ body: { statusCode: 400, details: [{ field: 'items.0.quantity' }] } });
    const order = await orders.get(id);
    expect(order.lines.find((l) => l.orderItemId === orderItemId)!.quantityCancelled).toBe(0);
  });

  it('the cancellation first: a validation of the cancelled units is refused (409), what is left can ship, and no more can be cancelled', async () => {
    const { id, orderItemId } = await newOrder();
    await cancelUnits(id, orderItemId, 1);
    const delivery = randomUUID();
    await expect(claim(id, delivery, orderItemId, 3)).rejects.toMatchObject({ body: { statusCode: 409, message: expect.stringMatching(/1 of 3 cancelled/) } });
    expect(await db.query(`select 1 from ingestion.shipment_claims where delivery_id = $1`, [delivery])).toEqual([]);
    expect(await claim(id, delivery, orderItemId, 2)).toEqual({ claimed: true });
    // The same delivery claiming again (a retried validation) replaces its claim.
    expect(await claim(id, delivery, orderItemId, 2)).toEqual({ claimed: true });
    await expect(cancelUnits(id, orderItemId, 1)).rejects.toMatchObject({ body: { statusCode: 400 } });
    // Another delivery finds nothing left.
    await expect(claim(id, randomUUID(), orderItemId, 1)).rejects.toMatchObject({ body: { statusCode: 409 } });
  });

  it('part claimed: only the rest can be cancelled; a cancelled order claims nothing', async () => {
    const { id, orderItemId } = await newOrder();
    await claim(id, randomUUID(), orderItemId, 1);
    await expect(cancelUnits(id, orderItemId, 3)).rejects.toMatchObject({ body: { statusCode: 400 } });
    const answer = await cancelUnits(id, orderItemId, 2);
    expect(answer.lines.find((l) => l.orderItemId === orderItemId)!.quantityCancelled).toBe(2);

    const other = await newOrder();
    await orders.cancel({ id: other.id, reason: CancelReason.NoInventory });
    await expect(claim(other.id, randomUUID(), other.orderItemId, 1)).rejects.toMatchObject({ body: { statusCode: 409 } });
  });

  it('a whole-order cancellation is refused (409) once a validation claimed units, though delivery.validated is not projected yet', async () => {
    const { id, orderItemId } = await newOrder();
    await claim(id, randomUUID(), orderItemId, 1);
    await expect(orders.cancel({ id, reason: CancelReason.NoInventory })).rejects.toMatchObject({
      body: { statusCode: 409, message: expect.stringMatching(/units in a validated delivery \(1 of .*cancel what is left with items/) },
    });
    const order = (await db.getRepository(SalesOrder).findOneBy({ id }))!;
    expect(order.status).not.toBe('canceled');
    expect(await db.query(`select 1 from ingestion.outbox where subject = 'order.canceled.v1' and payload->>'orderId' = $1`, [id])).toEqual([]);
    // What is left can still be cancelled by its units.
    expect((await cancelUnits(id, orderItemId, 2)).lines[0].quantityCancelled).toBe(2);
  });

  it('Amazon refuses a cancellation of units for good: the lines count them as not cancelled again, the order says so, once per notification', async () => {
    const { id, orderItemId } = await newOrder();
    await cancelUnits(id, orderItemId, 1);
    await cancelUnits(id, orderItemId, 1);
    const projection = new FulfillmentProjection();
    const refused = {
      notificationId: randomUUID(),
      kind: NotificationKind.UnitCancellation,
      orderId: id,
      deliveryId: null,
      state: NotificationState.Failed,
      error: 'refused',
      decidedAt: new Date().toISOString(),
      cancellationId: randomUUID(),
      items: [{ orderItemId, quantity: 1 }],
      refusedByAmazon: true,
    };
    await db.transaction((manager) => projection.notificationFailed(refused, { manager } as never));
    // Redelivered: nothing more comes back.
    await db.transaction((manager) => projection.notificationFailed(refused, { manager } as never));
    const order = (await db.getRepository(SalesOrder).findOne({ where: { id }, relations: { lines: true } }))!;
    expect(order.lines!.find((l) => l.orderItemId === orderItemId)!.quantityCancelled).toBe(1);
    expect(order.cancelError).toMatch(/did not take the cancellation of 1 of .* ship them or cancel them again/);
    // The unit given back can be claimed by a delivery again.
    expect(await claim(id, randomUUID(), orderItemId, 2)).toEqual({ claimed: true });
  });

  const outcome = (orderId: string, orderItemId: string, state: NotificationState, decidedAt: Date, extra: object = {}) => ({
    notificationId: randomUUID(),
    kind: NotificationKind.UnitCancellation,
    orderId,
    deliveryId: null,
    state,
    error: state === NotificationState.Failed ? 'failed' : null,
    decidedAt: decidedAt.toISOString(),
    cancellationId: randomUUID(),
    items: [{ orderItemId, quantity: 1 }],
    ...extra,
  });
  const cancelledOf = async (id: string, orderItemId: string) =>
    (await db.getRepository(SalesOrder).findOne({ where: { id }, relations: { lines: true } }))!.lines!.find((l) => l.orderItemId === orderItemId)!.quantityCancelled;

  it('a failure Amazon may have applied (not surely refused) keeps the units cancelled and flags the order', async () => {
    const { id, orderItemId } = await newOrder();
    await cancelUnits(id, orderItemId, 1);
    const projection = new FulfillmentProjection();
    // An outage outlasted, a DONE feed silent about it: refusedByAmazon false (or absent, from an earlier release).
    await db.transaction((manager) => projection.notificationFailed(outcome(id, orderItemId, NotificationState.Failed, new Date(), { refusedByAmazon: false }), { manager } as never));
    await db.transaction((manager) => projection.notificationFailed(outcome(id, orderItemId, NotificationState.Failed, new Date()), { manager } as never));
    expect(await cancelledOf(id, orderItemId)).toBe(1);
    expect((await db.getRepository(SalesOrder).findOneBy({ id }))!.cancelError).toMatch(/Amazon may have applied it: those units stay cancelled here/);
    // Nothing given back: no delivery can claim the cancelled unit.
    await expect(claim(id, randomUUID(), orderItemId, 3)).rejects.toMatchObject({ body: { statusCode: 409 } });
  });

  it('a refused cancellation retried by hand and then sent counts its units cancelled again; an older failure arriving later gives nothing back', async () => {
    const { id, orderItemId } = await newOrder();
    await cancelUnits(id, orderItemId, 1);
    const projection = new FulfillmentProjection();
    const failed = outcome(id, orderItemId, NotificationState.Failed, new Date(Date.now() - 60_000), { refusedByAmazon: true });
    await db.transaction((manager) => projection.notificationFailed(failed, { manager } as never));
    expect(await cancelledOf(id, orderItemId)).toBe(0);
    const sent = { ...failed, state: NotificationState.Sent, error: null, refusedByAmazon: undefined, decidedAt: new Date().toISOString() };
    await db.transaction((manager) => projection.notificationSent(sent, { manager } as never));
    await db.transaction((manager) => projection.notificationSent(sent, { manager } as never));
    expect(await cancelledOf(id, orderItemId)).toBe(1);
    expect((await db.getRepository(SalesOrder).findOneBy({ id }))!.cancelError).toBeNull();
    // The old failure replayed (a parked event): the later success stands.
    await db.transaction((manager) => projection.notificationFailed(failed, { manager } as never));
    expect(await cancelledOf(id, orderItemId)).toBe(1);

    // Sent first, its older failure after: nothing given back either.
    const other = outcome(id, orderItemId, NotificationState.Failed, new Date(Date.now() - 60_000), { refusedByAmazon: true });
    await db.transaction((manager) => projection.notificationSent({ ...other, state: NotificationState.Sent, error: null, decidedAt: new Date().toISOString() }, { manager } as never));
    await db.transaction((manager) => projection.notificationFailed(other, { manager } as never));
    expect(await cancelledOf(id, orderItemId)).toBe(1);
  });

  /** A claim made long ago whose delivery.validated never came (its validation may not have committed in inventory). */
  const ageClaim = (deliveryId: string) => db.query(`update ingestion.shipment_claims set claimed_at = now() - interval '10 minutes' where delivery_id = $1`, [deliveryId]);
  const claimOf = async (deliveryId: string) => (await db.query(`select quantity, confirmed_at from ingestion.shipment_claims where delivery_id = $1`, [deliveryId]))[0];

  it('a claim whose validation never committed in inventory is dropped once old: its units can be cancelled, or claimed by another delivery', async () => {
    validatedDeliveries = [];
    const { id, orderItemId } = await newOrder();
    const orphan = randomUUID();
    await claim(id, orphan, orderItemId, 3);
    await ageClaim(orphan);
    expect((await cancelUnits(id, orderItemId, 1)).lines[0].quantityCancelled).toBe(1);
    expect(await claimOf(orphan)).toBeUndefined();

    const other = await newOrder();
    const lost = randomUUID();
    await claim(other.id, lost, other.orderItemId, 3);
    await ageClaim(lost);
    // A new delivery of the same units (the validation done again after its order was recreated, say) is not refused.
    const next = randomUUID();
    expect(await claim(other.id, next, other.orderItemId, 3)).toEqual({ claimed: true });
    expect(await claimOf(lost)).toBeUndefined();
    expect(await claimOf(next)).toMatchObject({ quantity: 3, confirmed_at: null });
  });

  it('a claim is kept when inventory validated its delivery, when delivery.validated confirmed it, while it is young, or when inventory cannot say', async () => {
    const projection = new FulfillmentProjection();
    const { id, orderItemId } = await newOrder();
    const validated = randomUUID();
    await claim(id, validated, orderItemId, 1);
    await ageClaim(validated);
    validatedDeliveries = [validated];
    await expect(cancelUnits(id, orderItemId, 3)).rejects.toMatchObject({ body: { statusCode: 400 } });
    expect((await claimOf(validated)).confirmed_at).not.toBeNull();

    validatedDeliveries = [];
    const confirmed = randomUUID();
    await claim(id, confirmed, orderItemId, 1);
    await db.transaction((manager) =>
      projection.deliveryValidated({ deliveryId: confirmed, orderId: id, fullyShipped: false, fulfillmentVersion: 1 } as never, { manager } as never),
    );
    await ageClaim(confirmed);
    const young = randomUUID();
    await claim(id, young, orderItemId, 1);
    // All 3 units stay claimed: the first validated at inventory, the second confirmed, the third young.
    await expect(cancelUnits(id, orderItemId, 1)).rejects.toMatchObject({ body: { statusCode: 400 } });

    await ageClaim(young);
    validatedDeliveries = undefined;
    await expect(cancelUnits(id, orderItemId, 1)).rejects.toMatchObject({ body: { statusCode: 400 } });
    expect(await claimOf(young)).toMatchObject({ quantity: 1, confirmed_at: null });
    validatedDeliveries = [];
  });

  it('a claim waiting for the order lock gives up well before inventory stops waiting for its answer, and claims nothing', async () => {
    const { id, orderItemId } = await newOrder();
    const holder = db.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    // A big sync page holding the order's lock for longer than inventory waits.
    await holder.query(`select id from ingestion.sales_orders where id = $1 for update`, [id]);
    const started = Date.now();
    const delivery = randomUUID();
    try {
      await expect(claim(id, delivery, orderItemId, 1)).rejects.toThrow(/lock/);
      expect(Date.now() - started).toBeLessThan(8_000);
    } finally {
      await holder.commitTransaction();
      await holder.release();
    }
    expect(await claimOf(delivery)).toBeUndefined();
  }, 20_000);
});
