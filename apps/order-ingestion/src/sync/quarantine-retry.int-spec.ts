import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Outbox } from '@connector/messaging';
import type { ServiceClient } from '@connector/platform';
import { AmazonOrder, SpApiClient, SpApiError } from '@connector/sp-api';
import { SellerAccount } from '../accounts/seller-account.entity';
import { IngestionDatabase, insertSellerAccount } from '../../test/ingestion-database';
import { Marketplace } from '../marketplaces/marketplace.entity';
import { PartnerAndProductResolution } from '../orders/partner-and-product-resolution';
import { QuarantineStore } from '../orders/quarantine-store';
import { PageOutcome } from '../orders/sales-order-page';
import { SalesOrderStore } from '../orders/sales-order-store';
import { SalesOrderWriter } from '../orders/sales-order-writer';
import { SkuProductCache } from '../orders/sku-product-cache';
import { SyncPass } from './amazon-order-source';
import { StepsInFlight } from './each-page';
import { OrdersV2026Source } from './orders-v2026-01-01.source';
import { SyncRun } from './sync-run.entity';

/**
 * Quarantined orders through a sync pass on real PostgreSQL, the real v2026 source, writer and
 * quarantine store, Amazon a stand-in client: a retry that fails for something not of the order's
 * own (a 404, refused credentials, a 5xx) keeps the quarantine's reason; an order retried from the
 * quarantine and read again in the overlap window is quarantined and counted once; an order that
 * names no marketplace says so (not `undefined`).
 */
describe('quarantined orders in a sync pass on real PostgreSQL', () => {
  const database = new IngestionDatabase();
  const env = database.env;
  let db: DataSource;
  let source: OrdersV2026Source;
  let quarantines: QuarantineStore;
  const account = { id: randomUUID(), name: 'quarantine test', marketplaceIds: ['A1PA6795UKMFR9'] } as SellerAccount;
  const lease = { accountId: account.id, owner: 'quarantine-test-replica' };
  const marketplaces = new Map([['A1PA6795UKMFR9', { marketplaceId: 'A1PA6795UKMFR9', taxIncluded: true } as Marketplace]]);

  /** An FBM order of a marketplace the connector does not know (or of none): it cannot map. */
  const unmappable = (orderId: string, marketplaceId?: string) =>
    ({
      orderId,
      salesChannel: { channelName: 'AMAZON', ...(marketplaceId ? { marketplaceId } : {}) },
      fulfillment: { fulfillmentStatus: 'UNSHIPPED', fulfilledBy: 'MERCHANT' },
      createdTime: '2026-11-20T10:00:00Z',
      lastUpdatedTime: '2026-11-20T11:00:00Z',
    }) as unknown as AmazonOrder;

  /** Amazon's side: getOrder and searchOrders answer what the test sets. */
  const amazon = { getOrder: (_id: string): unknown => undefined, searchPage: [] as AmazonOrder[] };
  const client = {
    request: async (operation: string, _method: string, path: string) => {
      if (operation === 'getOrder') {
        const answer = amazon.getOrder(decodeURIComponent(path.split('/').pop()!));
        if (answer instanceof Error) throw answer;
        return { order: answer };
      }
      return { orders: amazon.searchPage, lastUpdatedBefore: new Date().toISOString() };
    },
  } as unknown as SpApiClient;

  /** One pass's counts, as SyncService adds them to its run. */
  const newPass = () => {
    const counted: PageOutcome[] = [];
    const pass = {
      account,
      client,
      marketplaces,
      lease,
      run: { windowTo: null } as SyncRun,
      steps: new StepsInFlight(),
      signal: new AbortController().signal,
      quarantinedThisRun: new Set<string>(),
      pageFetched: () => undefined,
      count: (outcome: PageOutcome) => void counted.push(outcome),
      afterPage: async (outcome: PageOutcome) => void counted.push(outcome),
    } as SyncPass;
    return { pass, quarantined: () => counted.reduce((sum, o) => sum + o.quarantined, 0) };
  };
  const row = async (amazonOrderId: string) =>
    (await env.query<{ reason: string; last_retry_error: string | null; attempts: number; resolved_at: Date | null }>(
      `select reason, last_retry_error, attempts, resolved_at from ingestion.quarantined_orders where account_id = $1 and amazon_order_id = $2`,
      [account.id, amazonOrderId],
    ))[0];
  const quarantine = (order: AmazonOrder, reason: string, cause?: unknown) => db.transaction((manager) => quarantines.quarantine(manager, account, order, reason, cause));
  const quarantineLines = (lines: string[], amazonOrderId: string) => lines.filter((line) => line.startsWith(`quarantined ${amazonOrderId}:`));
  /** The QuarantineStore's warn lines while `work` runs. */
  const warnings = async (work: () => Promise<unknown>): Promise<string[]> => {
    const lines: string[] = [];
    const spy = jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void lines.push(typeof message === 'object' ? String((message as { msg: string }).msg) : String(message)));
    try {
      await work();
    } finally {
      spy.mockRestore();
    }
    return lines;
  };

  beforeAll(async () => {
    db = await database.setUp();
    await insertSellerAccount(db, { id: account.id, name: 'quarantine test', sellerId: 'A2QUAR', syncEnabled: false, syncIntervalSeconds: 900, leaseOwner: lease.owner });
    // Only orders that map ask partner-resolution and inventory; none of these does.
    quarantines = new QuarantineStore(db);
    const skuProducts = new SkuProductCache(db);
    const writer = new SalesOrderWriter(db, new SalesOrderStore(db, new Outbox()), new PartnerAndProductResolution(undefined as unknown as ServiceClient, skuProducts), quarantines, skuProducts);
    source = new OrdersV2026Source(db, writer, quarantines);
  });

  afterAll(async () => {
    await database.tearDown();
  });

  beforeEach(async () => {
    await db.query(`delete from ingestion.quarantined_orders where account_id = $1`, [account.id]);
    amazon.getOrder = () => undefined;
    amazon.searchPage = [];
  });

  it('keeps the reason of a quarantined order when its retry fails for something not of its own (a 404, a 5xx, refused credentials)', async () => {
    const order = unmappable('302-0000000-0000101', 'A1RKKUPIHCS9HS');
    await quarantine(order, 'marketplace A1RKKUPIHCS9HS is not known');

    // Amazon does not find it just now: the reason stays, the 404 is its last retry error.
    amazon.getOrder = () => new SpApiError('getOrder', 404, 'NotFound', 'the order was not found');
    await source.retryQuarantined(newPass().pass);
    expect(await row(order.orderId)).toMatchObject({ reason: 'marketplace A1RKKUPIHCS9HS is not known', last_retry_error: 'getOrder: 404 NotFound: the order was not found', attempts: 2, resolved_at: null });

    // The account's credentials refused: the run fails (it throws) and the reason stays.
    amazon.getOrder = () => new SpApiError('lwaToken', 401, 'invalid_client', 'Client authentication failed');
    await expect(source.retryQuarantined(newPass().pass)).rejects.toMatchObject({ operation: 'lwaToken', code: 'invalid_client' });
    expect((await row(order.orderId)).reason).toBe('marketplace A1RKKUPIHCS9HS is not known');

    // Whoever quarantines with such a cause (a 5xx of getOrderItems, a refused token) leaves the reason too.
    await quarantine(order, 'lwaToken: 401 invalid_client: Client authentication failed', new SpApiError('lwaToken', 401, 'invalid_client', 'Client authentication failed'));
    await quarantine(order, 'getOrderItems: 503 ServiceUnavailable: try later', new SpApiError('getOrderItems', 503, 'ServiceUnavailable', 'try later'));
    expect(await row(order.orderId)).toMatchObject({ reason: 'marketplace A1RKKUPIHCS9HS is not known', last_retry_error: 'getOrderItems: 503 ServiceUnavailable: try later' });

    // Its own failure again (it still does not map, for another reason): that is the reason now.
    await quarantine(order, 'item 1 has no price');
    expect(await row(order.orderId)).toMatchObject({ reason: 'item 1 has no price', last_retry_error: null });
  });

  it('quarantines (and counts) once per run an order retried from the quarantine and read again in the overlap window', async () => {
    const order = unmappable('302-0000000-0000102', 'A1RKKUPIHCS9HS');
    await quarantine(order, 'marketplace A1RKKUPIHCS9HS is not known');
    amazon.getOrder = () => order;
    amazon.searchPage = [order];
    const { pass, quarantined } = newPass();
    const lines = await warnings(async () => {
      await source.retryQuarantined(pass);
      await source.readUpdatedSince(pass, new Date(Date.now() - 3600_000), account.marketplaceIds);
    });
    expect(quarantined()).toBe(1);
    expect(quarantineLines(lines, order.orderId)).toEqual([`quarantined ${order.orderId}: marketplace A1RKKUPIHCS9HS is not known`]);
    expect(await row(order.orderId)).toMatchObject({ reason: 'marketplace A1RKKUPIHCS9HS is not known', resolved_at: null });

    // The next run counts it again, once.
    const next = newPass();
    await source.retryQuarantined(next.pass);
    await source.readUpdatedSince(next.pass, new Date(Date.now() - 3600_000), account.marketplaceIds);
    expect(next.quarantined()).toBe(1);
  });

  it('says that an order names no marketplace, never `undefined`', async () => {
    const order = unmappable('302-0000000-0000103');
    amazon.searchPage = [order];
    const { pass, quarantined } = newPass();
    await source.readUpdatedSince(pass, new Date(Date.now() - 3600_000), account.marketplaceIds);
    expect(quarantined()).toBe(1);
    expect((await row(order.orderId)).reason).toBe('the order names no marketplace');
  });
});
