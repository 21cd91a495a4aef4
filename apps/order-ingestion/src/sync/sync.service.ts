import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { OrdersApiVersion, Page, SyncRunView } from '@connector/contracts';
import { listPage, SETTINGS } from '@connector/platform';
import {
  AmazonOrder,
  getOrder,
  getOrderItems,
  getOrders,
  searchOrders,
  SpApiClient,
  SpApiClients,
  SpApiError,
  V0Order,
  V0OrderItem,
} from '@connector/sp-api';
import { DataSource, IsNull, Repository } from 'typeorm';
import { newRowId } from '@connector/persistence';
import { AccountsService } from '../accounts/accounts.service';
import { SellerAccount } from '../accounts/seller-account.entity';
import { OrderIngestionSettings } from '../order-ingestion.settings';
import { Marketplace } from '../marketplaces/marketplace.entity';
import { MarketplacesService } from '../marketplaces/marketplaces.service';
import { isSyncable, MappingError } from '../orders/amazon-order.mapper';
import { QuarantinedOrder } from '../orders/quarantined-order.entity';
import { neverConfirmed, PageOutcome, SalesOrderWriter } from '../orders/sales-order-writer';
import { convertV0Order, v0FulfillmentStatus } from '../orders/v0-order.converter';
import { SyncRun } from './sync-run.entity';

/** Amazon hides changes of the last two minutes; our window never reaches past that. */
const AMAZON_VISIBILITY_DELAY_MS = 120_000;
const QUARANTINE_RETRIES_PER_RUN = 100;
/** getOrders takes at most 50 AmazonOrderIds. */
const V0_ORDER_IDS_PER_CALL = 50;

export class LeaseLostError extends Error {}

/**
 * One sync pass over an account: retry quarantined orders, then read every order updated
 * since the cursor (minus the overlap), page by page, and move the cursor only after the
 * last page is committed. A crash re-reads the window; writes are idempotent.
 */
@Injectable()
export class SyncService {
  private readonly logger = new Logger(SyncService.name);

  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(SyncRun) private readonly runs: Repository<SyncRun>,
    private readonly accounts: AccountsService,
    private readonly marketplaces: MarketplacesService,
    private readonly writer: SalesOrderWriter,
    private readonly clients: SpApiClients,
    @Inject(SETTINGS) private readonly settings: OrderIngestionSettings,
  ) {}

  async run(account: SellerAccount, trigger: SyncRun['trigger'], replica: string, renewLease: () => Promise<boolean>): Promise<SyncRun> {
    const windowFrom = account.lastSyncedUntil
      ? new Date(account.lastSyncedUntil.getTime() - this.settings.SYNC_OVERLAP_SECONDS * 1000)
      : account.initialSyncFrom;
    const run = this.runs.create({
      id: newRowId(),
      accountId: account.id,
      trigger,
      status: 'running',
      replica,
      createdAt: new Date(),
      finishedAt: null,
      windowFrom,
      windowTo: null,
      ordersSeen: 0,
      ordersCreated: 0,
      ordersUpdated: 0,
      ordersUnchanged: 0,
      ordersQuarantined: 0,
      apiCalls: 0,
      throttled: 0,
      errors: [],
    });
    // Under the lease no other replica runs this account, so a run still marked running was
    // cut short: its replica died (or stalled) and the lease ran out. Say so rather than show it
    // running forever. (A stalled replica that wakes up finds its lease gone and stops.)
    await this.runs.query(
      `update sync_runs set status = 'failed', finished_at = now(), errors = errors || $2::jsonb where account_id = $1 and status = 'running'`,
      [account.id, JSON.stringify([`interrupted: the lease expired before the run ended (its replica stopped); run ${run.id} read the window again`])],
    );
    await this.runs.insert(run);
    let client: SpApiClient | undefined;
    const before = { calls: 0, throttled: 0 };
    try {
      client = this.clients.for(this.accounts.spApiAccess(account));
      before.calls = totalCalls(client);
      before.throttled = client.stats.throttled;
      const marketplaces = new Map((await this.marketplaces.findMany(account.marketplaceIds)).map((m) => [m.marketplaceId, m]));
      const afterPage = async (outcome: PageOutcome) => {
        this.count(run, outcome);
        run.apiCalls = totalCalls(client!) - before.calls;
        run.throttled = client!.stats.throttled - before.throttled;
        await this.runs.save(run);
        if (!(await renewLease())) throw new LeaseLostError('lost the account lease; another replica carries on');
      };
      // Every order of these marketplaces last updated since `from`. The first page fixes the
      // window's end (the earliest end, should there be two reads: the cursor never passes an
      // order not read).
      const read = async (from: Date, marketplaceIds: string[]) => {
        if (account.ordersApi === OrdersApiVersion.V0) {
          await eachPage(
            (nextToken) => getOrders(client!, { lastUpdatedAfter: from.toISOString(), marketplaceIds, nextToken }),
            (page) => page.NextToken || undefined,
            async (page) => {
              run.windowTo ??= page.LastUpdatedBefore ? new Date(page.LastUpdatedBefore) : new Date(Date.now() - AMAZON_VISIBILITY_DELAY_MS);
              return this.writeV0Page(account, client!, page.Orders, marketplaces);
            },
            afterPage,
          );
        } else {
          await eachPage(
            (paginationToken) => searchOrders(client!, { lastUpdatedAfter: from.toISOString(), marketplaceIds, paginationToken }),
            (page) => page.pagination?.nextToken,
            async (page) => {
              run.windowTo ??= page.lastUpdatedBefore ? new Date(page.lastUpdatedBefore) : new Date(Date.now() - AMAZON_VISIBILITY_DELAY_MS);
              return this.writer.prepare(account, page.orders ?? [], marketplaces);
            },
            async (prepared) => afterPage(await this.writer.commit(prepared)),
            // Three pages prepare at once: partner and product resolution run in other processes,
            // and their batches grow with it (measured: 2 → 3 gave about 4 % more orders per second).
            3,
          );
        }
      };
      if (account.ordersApi === OrdersApiVersion.V0) await this.retryQuarantinedV0(account, client, marketplaces, run);
      else await this.retryQuarantined(account, client, marketplaces, run);
      await read(windowFrom, account.marketplaceIds);
      // Marketplaces enabled after the cursor had moved: read from the start once. After the
      // incremental read, so new orders of the others do not wait for it. (A first run reads
      // everything from initialSyncFrom anyway.)
      const backfill = account.lastSyncedUntil ? account.backfillMarketplaceIds.filter((id) => account.marketplaceIds.includes(id)) : [];
      if (backfill.length) await read(account.initialSyncFrom, backfill);
      // Every page is committed: only now does the cursor move. The backfills this run did are
      // done; marketplaces enabled while it ran, which it did not read, wait for one.
      await this.dataSource.query(
        `update seller_accounts
            set last_synced_until = $2,
                backfill_marketplace_ids = array(
                  (select unnest(backfill_marketplace_ids) except select unnest($3::text[]))
                  union
                  (select unnest(marketplace_ids) except select unnest($4::text[])))
          where id = $1`,
        [account.id, run.windowTo, account.backfillMarketplaceIds, account.marketplaceIds],
      );
      run.status = 'succeeded';
    } catch (err) {
      run.status = 'failed';
      run.errors = [...run.errors, describe(err)];
      this.logger.warn(`sync of account ${account.id} failed: ${describe(err)}`);
    } finally {
      if (client) {
        run.apiCalls = totalCalls(client) - before.calls;
        run.throttled = client.stats.throttled - before.throttled;
      }
      run.finishedAt = new Date();
      await this.runs.save(run);
    }
    return run;
  }

  /** Quarantined orders are fetched again (one getOrder each) until they map. */
  private async retryQuarantined(account: SellerAccount, client: SpApiClient, marketplaces: Map<string, Marketplace>, run: SyncRun): Promise<void> {
    const pending = await this.dataSource.getRepository(QuarantinedOrder).find({
      where: { accountId: account.id, resolvedAt: IsNull() },
      order: { lastAttemptAt: 'ASC' },
      take: QUARANTINE_RETRIES_PER_RUN,
    });
    if (pending.length === 0) return;
    const fetched: AmazonOrder[] = [];
    for (const quarantined of pending) {
      try {
        fetched.push(await getOrder(client, quarantined.amazonOrderId));
      } catch (err) {
        if (!(err instanceof SpApiError) || err.retriable) throw err;
        await this.dataSource.transaction((manager) =>
          this.writer.quarantine(manager, account, { orderId: quarantined.amazonOrderId, salesChannel: { marketplaceId: quarantined.marketplaceId } } as AmazonOrder, describe(err)),
        );
      }
    }
    if (fetched.length) this.count(run, await this.writer.writePage(account, fetched, marketplaces));
    await this.triedAgain(pending);
  }

  /**
   * To the back of the queue, whatever came of them: an order still quarantined, or one the
   * writer skipped (say, cancelled before it was confirmed), must not keep the others from
   * their turn.
   */
  private async triedAgain(quarantined: QuarantinedOrder[]): Promise<void> {
    await this.dataSource.query(`update quarantined_orders set last_attempt_at = now() where id = any($1::uuid[]) and resolved_at is null`, [quarantined.map((q) => q.id)]);
  }

  /**
   * A v0 page: one getOrderItems call for each order that will be synced (none for Pending,
   * FBA not yet shipped, or a cancelled order we never had), then the page is converted to
   * the v2026 shape and written like a v2026 page. Buyer and address came with getOrders.
   */
  private async writeV0Page(account: SellerAccount, client: SpApiClient, orders: V0Order[], marketplaces: Map<string, Marketplace>): Promise<PageOutcome> {
    const existing = await this.writer.loadExisting(account.id, orders.map((o) => o?.AmazonOrderId).filter(Boolean));
    const converted: AmazonOrder[] = [];
    const failures: { order: AmazonOrder; reason: string }[] = [];
    let unusable = 0;
    for (const order of orders) {
      if (!order?.AmazonOrderId) {
        unusable++;
        this.logger.warn(`account ${account.id}: getOrders returned an order without AmazonOrderId; ignored`);
        continue;
      }
      const ref = { orderId: order.AmazonOrderId, salesChannel: { channelName: 'AMAZON', marketplaceId: order.MarketplaceId ?? '' } } as AmazonOrder;
      if (!v0FulfillmentStatus(order.OrderStatus)) {
        failures.push({ order: ref, reason: `OrderStatus ${order.OrderStatus ?? '(none)'} is not known` });
        continue;
      }
      const marketplace = marketplaces.get(order.MarketplaceId ?? '');
      const terms = { taxIncluded: marketplace?.taxIncluded ?? false };
      try {
        const header = convertV0Order(order, [], terms);
        // The writer skips these (or quarantines an unknown marketplace): their items are not needed.
        const skipped = !isSyncable(header) || neverConfirmed(header, existing.has(header.orderId));
        if (skipped || !marketplace) {
          converted.push(header);
          continue;
        }
        let items: V0OrderItem[];
        try {
          items = await getOrderItems(client, order.AmazonOrderId);
        } catch (err) {
          if (!(err instanceof SpApiError) || err.retriable) throw err;
          failures.push({ order: ref, reason: describe(err) });
          continue;
        }
        converted.push(convertV0Order(order, items, terms));
      } catch (err) {
        if (!(err instanceof MappingError)) throw err;
        failures.push({ order: ref, reason: err.message });
      }
    }
    // The page's failures are quarantined in the same transaction as its orders.
    const page = await this.writer.prepare(account, converted, marketplaces, existing);
    page.failures.push(...failures);
    const outcome = await this.writer.commit(page);
    outcome.seen += failures.length + unusable;
    outcome.skipped += unusable;
    return outcome;
  }

  /** v0: quarantined orders come again through getOrders by id (50 a call) and their items. */
  private async retryQuarantinedV0(account: SellerAccount, client: SpApiClient, marketplaces: Map<string, Marketplace>, run: SyncRun): Promise<void> {
    const pending = await this.dataSource.getRepository(QuarantinedOrder).find({
      where: { accountId: account.id, resolvedAt: IsNull() },
      order: { lastAttemptAt: 'ASC' },
      take: QUARANTINE_RETRIES_PER_RUN,
    });
    for (let i = 0; i < pending.length; i += V0_ORDER_IDS_PER_CALL) {
      const chunk = pending.slice(i, i + V0_ORDER_IDS_PER_CALL);
      const marketplaceIds = [...new Set([...account.marketplaceIds, ...chunk.map((q) => q.marketplaceId).filter(Boolean)])];
      const page = await getOrders(client, { marketplaceIds, amazonOrderIds: chunk.map((q) => q.amazonOrderId) });
      const returned = new Set(page.Orders.map((o) => o?.AmazonOrderId));
      const missing = chunk.filter((q) => !returned.has(q.amazonOrderId));
      if (missing.length) {
        await this.dataSource.transaction(async (manager) => {
          for (const q of missing) {
            const ref = { orderId: q.amazonOrderId, salesChannel: { channelName: 'AMAZON', marketplaceId: q.marketplaceId } } as AmazonOrder;
            await this.writer.quarantine(manager, account, ref, 'getOrders did not return the order');
          }
        });
      }
      if (page.Orders.length) this.count(run, await this.writeV0Page(account, client, page.Orders, marketplaces));
    }
    if (pending.length) await this.triedAgain(pending);
  }

  private count(run: SyncRun, outcome: PageOutcome): void {
    run.ordersSeen += outcome.seen;
    run.ordersCreated += outcome.created;
    run.ordersUpdated += outcome.updated;
    run.ordersUnchanged += outcome.unchanged;
    run.ordersQuarantined += outcome.quarantined;
  }

  async list(accountId: string, query: { limit?: number; cursor?: string }): Promise<Page<SyncRunView>> {
    await this.accounts.get(accountId);
    // Newest first: a run history is read from its latest end.
    return listPage(this.runs.createQueryBuilder('r').where('r.accountId = :accountId', { accountId }), query, runView, { newestFirst: true });
  }
}

/**
 * Walks a paged answer as a pipeline: while page n commits, the next pages are fetched and
 * prepared (up to `depth` at once), so Amazon's quota and not our writes sets the pace.
 * Commits happen one at a time and in page order; the first failure stops the walk.
 */
export async function eachPage<P, Q>(
  fetch: (token?: string) => Promise<P>,
  nextToken: (page: P) => string | undefined,
  prepare: (page: P) => Promise<Q>,
  commit: (prepared: Q) => Promise<void>,
  depth = 1,
): Promise<void> {
  let pending: Promise<P> | undefined = fetch(undefined);
  const preparing: Promise<Q>[] = [];
  let committing: Promise<void> = Promise.resolve();
  try {
    while (pending || preparing.length) {
      while (pending && preparing.length < depth) {
        const page: P = await pending;
        const token = nextToken(page);
        pending = token ? fetch(token) : undefined;
        preparing.push(prepare(page));
      }
      const prepared = await preparing.shift()!;
      await committing;
      committing = commit(prepared);
    }
    await committing;
  } catch (err) {
    // Whatever is still in flight is dropped; the run fails on the first error.
    pending?.catch(() => undefined);
    preparing.forEach((p) => p.catch(() => undefined));
    committing.catch(() => undefined);
    throw err;
  }
}

function totalCalls(client: SpApiClient): number {
  return Object.values(client.stats.calls).reduce((sum, n) => sum + n, 0);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function runView(run: SyncRun): SyncRunView {
  return {
    id: run.id,
    accountId: run.accountId,
    trigger: run.trigger,
    status: run.status,
    startedAt: run.createdAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    windowFrom: run.windowFrom.toISOString(),
    windowTo: run.windowTo?.toISOString() ?? null,
    ordersSeen: run.ordersSeen,
    ordersCreated: run.ordersCreated,
    ordersUpdated: run.ordersUpdated,
    ordersUnchanged: run.ordersUnchanged,
    ordersQuarantined: run.ordersQuarantined,
    apiCalls: run.apiCalls,
    throttled: run.throttled,
    errors: run.errors,
  };
}
