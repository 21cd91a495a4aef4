import { IngestionDatabase, insertSellerAccount } from '../../test/ingestion-database';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CancelReason, NotificationKind, NotificationState, ORDER_CANCELED, ORDER_SYNCED, RESOLVE_PARTNERS } from '@connector/contracts';
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
 * Every state change of a sales order applies only forward: Amazon snapshots by their
 * LastUpdateDate against the order's, a seller's cancellation over any snapshot, the
 * projections of delivery and notification events by their version or time. Each race in
 * both arrival orders, on real PostgreSQL.
 */
describe('sales order state changes apply only forward', () => {
  const database = new IngestionDatabase();
  let db: DataSource;
  let writer: SalesOrderWriter;
  let orders: SalesOrdersService;
  const projection = new FulfillmentProjection();
  const account = { id: randomUUID() } as SellerAccount;
  /** The sync's lease on the account, held by this test's replica (pages commit only under it). */
  const lease = { accountId: account.id, owner: 'forward-test-replica' };
  const marketplaces = new Map([['A1PA6795UKMFR9', { marketplaceId: 'A1PA6795UKMFR9', taxIncluded: true } as Marketplace]]);
  const party = { contactId: randomUUID(), deliveryAddressId: randomUUID() };
  const productId = randomUUID();
  // What partner-resolution and inventory would answer.
  const services = {
    request: async (contract: { subject: string }, payload: any) =>
      contract.subject === RESOLVE_PARTNERS.subject
        ? { parties: payload.parties.map((p: { key: string }) => ({ key: p.key, ...party })) }
        : { offers: payload.skus.map((s: { sku: string }) => ({ sku: s.sku, productId })) },
  } as unknown as ServiceClient;

  const at = (minutes: number) => new Date(Date.UTC(2026, 10, 20, 10, minutes)).toISOString();
  const snapshot = (orderId: string, lastUpdatedTime: string, extra: { status?: 'UNSHIPPED' | 'CANCELLED'; title?: string } = {}) =>
    amazonOrder({ orderId, lastUpdatedTime, status: extra.status, items: [{ orderItemId: `${orderId.replace(/-/g, '')}1`, sku: 'FWD-SKU', title: extra.title, quantity: 1, unitPrice: '10.00', tax: '1.60' }] });
  const write = async (...page: ReturnType<typeof snapshot>[]) => writer.commit(await writer.prepare(account, page, marketplaces), lease);
  const orderOf = async (amazonOrderId: string) => (await db.getRepository(SalesOrder).findOne({ where: { accountId: account.id, amazonOrderId }, relations: { lines: true } }))!;
  const eventsOf = async (orderId: string) =>
    (await db.query(`select subject, payload from ingestion.outbox where payload->>'orderId' = $1 order by created_at, id`, [orderId])) as { subject: string; payload: any }[];
  const manager = () => ({ manager: db.manager }) as never;

  beforeAll(async () => {
    db = await database.setUp();
    await insertSellerAccount(db, { id: account.id, sellerId: 'A2FORWARD', syncEnabled: false, syncIntervalSeconds: 900, leaseOwner: lease.owner });
    const outbox = new Outbox();
    const skuProducts = new SkuProductCache(db);
    writer = new SalesOrderWriter(db, new SalesOrderStore(db, outbox), new PartnerAndProductResolution(services, skuProducts), new QuarantineStore(db), skuProducts);
    orders = new SalesOrdersService(db, db.getRepository(SalesOrder), outbox);
  });

  afterAll(async () => {
    await database.tearDown();
  });

  it('a snapshot fetched before the seller cancelled and written after it keeps the cancellation', async () => {
    await write(snapshot('302-1000000-0000001', at(0)));
    // The sync fetches a change of Amazon's (still unshipped there) and prepares its page...
    const page = await writer.prepare(account, [snapshot('302-1000000-0000001', at(5), { title: 'Renamed on Amazon' })], marketplaces);
    // ...while the seller cancels the order...
    const order = await orderOf('302-1000000-0000001');
    await orders.cancel({ id: order.id, reason: CancelReason.NoInventory });
    // ...and the page commits after the cancellation.
    expect(await writer.commit(page, lease)).toMatchObject({ updated: 1 });

    const after = await orderOf('302-1000000-0000001');
    expect(after).toMatchObject({ status: 'canceled', canceledBy: 'seller', cancelReason: 'NoInventory', amazonStatus: 'UNSHIPPED', version: 3 });
    expect(after.lines!.find((l) => l.kind === 'product')!.name).toBe('Renamed on Amazon');
    const events = await eventsOf(order.id);
    expect(events.map((e) => [e.subject, e.payload.version, e.payload.status ?? e.payload.canceledBy])).toEqual([
      [ORDER_SYNCED.subject, 1, 'confirmed'],
      [ORDER_CANCELED.subject, 2, 'seller'],
      [ORDER_SYNCED.subject, 3, 'canceled'],
    ]);
  });

  it('the other way round: the seller cancels, then a snapshot without Amazon\'s cancellation keeps it, and Amazon\'s own confirms it', async () => {
    await write(snapshot('302-1000000-0000002', at(0)));
    const order = await orderOf('302-1000000-0000002');
    await orders.cancel({ id: order.id, reason: CancelReason.BuyerCanceled });
    // Amazon has not processed the cancellation feed yet: its order is still unshipped.
    await write(snapshot('302-1000000-0000002', at(5), { title: 'Changed' }));
    expect(await orderOf('302-1000000-0000002')).toMatchObject({ status: 'canceled', canceledBy: 'seller', version: 3 });
    // Amazon's own cancellation (newer) confirms it: still the seller's, no second cancellation event.
    await write(snapshot('302-1000000-0000002', at(9), { status: 'CANCELLED', title: 'Changed' }));
    expect(await orderOf('302-1000000-0000002')).toMatchObject({ status: 'canceled', canceledBy: 'seller', cancelReason: 'BuyerCanceled', amazonStatus: 'CANCELLED', version: 4 });
    expect((await eventsOf(order.id)).filter((e) => e.subject === ORDER_CANCELED.subject)).toHaveLength(1);
  });

  it('an Amazon snapshot older than the one written changes nothing; a newer one applies (both orders)', async () => {
    // Newer first, then the older one (a slower page or replica).
    await write(snapshot('302-1000000-0000003', at(0)));
    await write(snapshot('302-1000000-0000003', at(10), { title: 'Newest' }));
    expect(await write(snapshot('302-1000000-0000003', at(5), { title: 'Older' }))).toMatchObject({ unchanged: 1, updated: 0 });
    const kept = await orderOf('302-1000000-0000003');
    expect(kept).toMatchObject({ version: 2, amazonUpdatedAt: new Date(at(10)) });
    expect(kept.lines!.find((l) => l.kind === 'product')!.name).toBe('Newest');

    // Older first, then the newer one.
    await write(snapshot('302-1000000-0000004', at(0)));
    await write(snapshot('302-1000000-0000004', at(5), { title: 'Older' }));
    expect(await write(snapshot('302-1000000-0000004', at(10), { title: 'Newest' }))).toMatchObject({ updated: 1 });
    const moved = await orderOf('302-1000000-0000004');
    expect(moved).toMatchObject({ version: 3, amazonUpdatedAt: new Date(at(10)) });
    expect(moved.lines!.find((l) => l.kind === 'product')!.name).toBe('Newest');
  });

  it('a page prepared before a delivery state arrived does not write the stale one back', async () => {
    await write(snapshot('302-1000000-0000005', at(0)));
    const page = await writer.prepare(account, [snapshot('302-1000000-0000005', at(5), { title: 'Changed' })], marketplaces);
    const order = await orderOf('302-1000000-0000005');
    await projection.deliveryValidated({ orderId: order.id, fullyShipped: true, fulfillmentVersion: 2 } as never, manager());
    await writer.commit(page, lease);
    expect(await orderOf('302-1000000-0000005')).toMatchObject({ deliveryState: 'done', deliveryStateVersion: 2, version: 2 });
  });

  it('delivery events of an order apply by their version, in either arrival order; one of an earlier release as before', async () => {
    await write(snapshot('302-1000000-0000006', at(0)), snapshot('302-1000000-0000007', at(0)), snapshot('302-1000000-0000008', at(0)));
    const [a, b, legacy] = await Promise.all(['302-1000000-0000006', '302-1000000-0000007', '302-1000000-0000008'].map(orderOf));
    await projection.deliveriesCreated([{ orderId: a.id }, { orderId: b.id }, { orderId: legacy.id }] as never, manager());
    // A partial validation (2), then the backorder fully shipped (3): in order...
    await projection.deliveryValidated({ orderId: a.id, fullyShipped: false, fulfillmentVersion: 2 } as never, manager());
    await projection.deliveryValidated({ orderId: a.id, fullyShipped: true, fulfillmentVersion: 3 } as never, manager());
    // ...and the other way round.
    await projection.deliveryValidated({ orderId: b.id, fullyShipped: true, fulfillmentVersion: 3 } as never, manager());
    await projection.deliveryValidated({ orderId: b.id, fullyShipped: false, fulfillmentVersion: 2 } as never, manager());
    await projection.deliveryCanceled({ orderId: b.id, fulfillmentVersion: 1 } as never, manager());
    // A late delivery.created never overwrites a state.
    await projection.deliveriesCreated([{ orderId: b.id }] as never, manager());
    expect(await orderOf('302-1000000-0000006')).toMatchObject({ deliveryState: 'done', deliveryStateVersion: 3 });
    expect(await orderOf('302-1000000-0000007')).toMatchObject({ deliveryState: 'done', deliveryStateVersion: 3 });
    // Events without a version (the previous release's, in flight) apply as they arrive.
    await projection.deliveryValidated({ orderId: legacy.id, fullyShipped: true } as never, manager());
    await projection.deliveryCanceled({ orderId: legacy.id } as never, manager());
    expect(await orderOf('302-1000000-0000008')).toMatchObject({ deliveryState: 'canceled', deliveryStateVersion: null });
  });

  it('notification outcomes apply by their time, in either arrival order', async () => {
    await write(snapshot('302-1000000-0000009', at(0)), snapshot('302-1000000-0000010', at(0)));
    const [a, b] = await Promise.all(['302-1000000-0000009', '302-1000000-0000010'].map(orderOf));
    const outcome = (orderId: string, state: NotificationState, decidedAt: string) => ({
      notificationId: randomUUID(),
      kind: NotificationKind.ShipmentConfirmation,
      orderId,
      deliveryId: null,
      state,
      error: state === NotificationState.Failed ? 'confirmShipment: 400 InvalidInput' : null,
      decidedAt,
    });
    // Refused, then sent after a retry: in order...
    await projection.notificationFailed(outcome(a.id, NotificationState.Failed, at(1)), manager());
    await projection.notificationSent(outcome(a.id, NotificationState.Sent, at(2)), manager());
    // ...and the failure redelivered after the success.
    await projection.notificationSent(outcome(b.id, NotificationState.Sent, at(2)), manager());
    await projection.notificationFailed(outcome(b.id, NotificationState.Failed, at(1)), manager());
    for (const id of ['302-1000000-0000009', '302-1000000-0000010']) {
      expect(await orderOf(id)).toMatchObject({ amazonNotificationState: 'shipment_confirmation:sent', amazonNotificationError: null, amazonNotificationAt: new Date(at(2)) });
    }
  });
});
