import { IngestionDatabase, insertSellerAccount } from '../../test/ingestion-database';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Outbox } from '@connector/messaging';
import type { ServiceClient } from '@connector/platform';
import type { AmazonOrder } from '@connector/sp-api';
import { LeaseLostError } from '../accounts/account-lease';
import { SellerAccount } from '../accounts/seller-account.entity';
import { Marketplace } from '../marketplaces/marketplace.entity';
import { QuarantineWithoutPersonalData1764300000102 } from '../migrations/1764300000102-quarantine-without-personal-data';
import { PartnerAndProductResolution } from './partner-and-product-resolution';
import { QuarantineStore } from './quarantine-store';
import { SalesOrderStore } from './sales-order-store';
import { SalesOrderWriter } from './sales-order-writer';
import { SkuProductCache } from './sku-product-cache';

/** Pages are prepared side by side; what an earlier page commits meanwhile must not be missed. */
describe('sales order writer on real PostgreSQL: pages prepared side by side', () => {
  const database = new IngestionDatabase();
  const env = database.env;
  let db: DataSource;
  let writer: SalesOrderWriter;
  let quarantines: QuarantineStore;
  const account = { id: randomUUID() } as SellerAccount;
  /** This test's replica holds the account's sync lease throughout (but where a test forges a takeover). */
  const lease = { accountId: account.id, owner: 'writer-test-replica' };
  const marketplaces = new Map([['A1PA6795UKMFR9', { marketplaceId: 'A1PA6795UKMFR9', taxIncluded: true } as Marketplace]]);

  /** Cancelled on Amazon before it was confirmed, no total: skipped unless we have the order. */
  const cancelledUnconfirmed = (orderId: string) =>
    ({
      orderId,
      salesChannel: { channelName: 'AMAZON', marketplaceId: 'A1PA6795UKMFR9' },
      fulfillment: { fulfillmentStatus: 'CANCELLED', fulfilledBy: 'MERCHANT' },
      createdTime: '2026-11-20T10:00:00Z',
      lastUpdatedTime: '2026-11-20T11:00:00Z',
    }) as unknown as AmazonOrder;

  const createSalesOrder = (amazonOrderId: string) =>
    db.query(
      `insert into ingestion.sales_orders (id, account_id, marketplace_id, amazon_order_id, channel, status, amazon_status, currency,
         purchased_at, amazon_updated_at, contact_id, delivery_address_id, is_business_order, lines_total, reconciled, content_hash, version)
       values ($1, $2, 'A1PA6795UKMFR9', $3, 'FBM', 'confirmed', 'UNSHIPPED', 'EUR', now(), now(), $4, $5, false, 10, true, 'h', 1)`,
      [randomUUID(), account.id, amazonOrderId, randomUUID(), randomUUID()],
    );

  beforeAll(async () => {
    db = await database.setUp();
    await insertSellerAccount(db, { id: account.id, sellerId: 'A2TEST', syncEnabled: false, syncIntervalSeconds: 900, leaseOwner: lease.owner });
    // Only orders that map ask partner-resolution and inventory; these pages have none.
    quarantines = new QuarantineStore(db);
    const skuProducts = new SkuProductCache(db);
    writer = new SalesOrderWriter(db, new SalesOrderStore(db, new Outbox()), new PartnerAndProductResolution(undefined as unknown as ServiceClient, skuProducts), quarantines, skuProducts);
  });

  afterAll(async () => {
    await database.tearDown();
  });

  it('skips an order cancelled before it was confirmed when no sales order has it', async () => {
    const page = await writer.prepare(account, [cancelledUnconfirmed('302-0000000-0000001')], marketplaces);
    const outcome = await writer.commit(page, lease);
    expect(outcome).toMatchObject({ seen: 1, skipped: 1, quarantined: 0, created: 0 });
    expect(await env.query(`select * from ingestion.quarantined_orders`)).toEqual([]);
  });

  it('quarantines it instead when an earlier page created its sales order after this page was prepared', async () => {
    const page = await writer.prepare(account, [cancelledUnconfirmed('302-0000000-0000002')], marketplaces);
    expect(page.outcome.skipped).toBe(1);
    await createSalesOrder('302-0000000-0000002'); // the earlier page commits
    const outcome = await writer.commit(page, lease);
    expect(outcome).toMatchObject({ seen: 1, skipped: 0, quarantined: 1 });
    const [row] = await env.query<{ amazon_order_id: string; reason: string; resolved_at: Date | null }>(
      `select amazon_order_id, reason, resolved_at from ingestion.quarantined_orders`,
    );
    expect(row).toMatchObject({ amazon_order_id: '302-0000000-0000002', resolved_at: null });
    expect(row.reason).toMatch(/earlier page of this run created its sales order/);
  });

  const withBuyer = (orderId: string) =>
    ({
      ...cancelledUnconfirmed(orderId),
      fulfillment: { fulfillmentStatus: 'UNSHIPPED', fulfilledBy: 'MERCHANT' },
      buyer: { buyerName: 'Erika Mustermann', buyerEmail: 'erika@marketplace.amazon.de' },
      recipient: { deliveryAddress: { name: 'Erika Mustermann', addressLine1: 'Heidestraße 17', city: 'Köln', postalCode: '51147', countryCode: 'DE', phone: '0221 1' } },
    }) as unknown as AmazonOrder;

  it('keeps a quarantined order without the buyer\'s personal data', async () => {
    await db.transaction((manager) => quarantines.quarantine(manager, account, withBuyer('302-0000000-0000003'), 'does not map'));
    const [{ payload }] = await env.query<{ payload: Record<string, unknown> }>(`select payload from ingestion.quarantined_orders where amazon_order_id = '302-0000000-0000003'`);
    expect(payload).toMatchObject({ orderId: '302-0000000-0000003', fulfillment: { fulfillmentStatus: 'UNSHIPPED' } });
    expect(payload.buyer).toBeUndefined();
    expect(payload.recipient).toEqual({ deliveryAddress: { postalCode: '51147', countryCode: 'DE' } });
  });

  it('resolves a quarantined order that Amazon then cancelled before it was confirmed: nothing is left to retry', async () => {
    await db.transaction((manager) => quarantines.quarantine(manager, account, withBuyer('302-0000000-0000004'), 'does not map'));
    const outcome = await writer.commit(await writer.prepare(account, [cancelledUnconfirmed('302-0000000-0000004')], marketplaces), lease);
    expect(outcome).toMatchObject({ skipped: 1, quarantined: 0 });
    const [row] = await env.query(`select resolved_at, payload from ingestion.quarantined_orders where amazon_order_id = '302-0000000-0000004'`);
    expect(row).toEqual({ resolved_at: expect.any(Date), payload: null });
  });

  it('a replica whose lease was taken over commits nothing: the lease is checked, under a row lock, in the page\'s own transaction', async () => {
    const page = await writer.prepare(account, [cancelledUnconfirmed('302-0000000-0000007')], marketplaces);
    await createSalesOrder('302-0000000-0000007'); // so that the page has something to write: a quarantine
    await db.query(`update ingestion.seller_accounts set lease_owner = 'another-replica', lease_expires_at = now() + interval '1 minute' where id = $1`, [account.id]);
    try {
      await expect(writer.commit(page, lease)).rejects.toBeInstanceOf(LeaseLostError);
      expect(await env.query(`select 1 from ingestion.quarantined_orders where amazon_order_id = '302-0000000-0000007'`)).toEqual([]);
      // Our own name on a lease that ran out is no better.
      await db.query(`update ingestion.seller_accounts set lease_owner = $2, lease_expires_at = now() - interval '1 second' where id = $1`, [account.id, lease.owner]);
      await expect(writer.commit(page, lease)).rejects.toBeInstanceOf(LeaseLostError);
    } finally {
      await db.query(`update ingestion.seller_accounts set lease_owner = $2, lease_expires_at = now() + interval '1 hour' where id = $1`, [account.id, lease.owner]);
    }
    expect(await writer.commit(page, lease)).toMatchObject({ quarantined: 1 });
  });

  it('a migration strips personal data from quarantines an older version kept whole', async () => {
    const full = withBuyer('302-0000000-0000005');
    const insert = (id: string, resolved: boolean) =>
      db.query(
        `insert into ingestion.quarantined_orders (id, account_id, amazon_order_id, marketplace_id, reason, payload, attempts, first_seen_at, last_attempt_at, resolved_at, created_at)
         values ($1, $2, $3, 'A1PA6795UKMFR9', 'old', $4, 1, now(), now(), ${resolved ? 'now()' : 'null'}, now())`,
        [randomUUID(), account.id, id, JSON.stringify({ ...full, orderId: id })],
      );
    await insert('302-0000000-0000005', false);
    await insert('302-0000000-0000006', true);
    const runner = db.createQueryRunner();
    try {
      await new QuarantineWithoutPersonalData1764300000102().up(runner);
    } finally {
      await runner.release();
    }
    const rows = await env.query<{ amazon_order_id: string; payload: Record<string, unknown> | null }>(
      `select amazon_order_id, payload from ingestion.quarantined_orders where amazon_order_id in ('302-0000000-0000005', '302-0000000-0000006') order by 1`,
    );
    expect(rows[0].payload).toMatchObject({ orderId: '302-0000000-0000005', recipient: { deliveryAddress: { countryCode: 'DE', postalCode: '51147' } } });
    expect(rows[0].payload!.buyer).toBeUndefined();
    expect(JSON.stringify(rows[0].payload)).not.toMatch(/Erika|Heidestra|0221/);
    expect(rows[1].payload).toBeNull();
  });
});
