import { Injectable, Logger } from '@nestjs/common';
import { OrdersApiVersion } from '@connector/contracts';
import { AmazonOrder, getOrderItems, getOrders, getV0Order, SpApiClient, SpApiError, V0Order, V0OrderItem } from '@connector/sp-api';
import { DataSource } from 'typeorm';
import { AccountLease } from '../accounts/account-lease';
import { SellerAccount } from '../accounts/seller-account.entity';
import { Marketplace } from '../marketplaces/marketplace.entity';
import { isSyncable, MappingError } from '../orders/amazon-order.mapper';
import { OrderNotReturned, QuarantineStore } from '../orders/quarantine-store';
import { PageOutcome, PreparedPage } from '../orders/sales-order-page';
import { neverConfirmed } from '../orders/sales-order-status';
import { SalesOrderStore } from '../orders/sales-order-store';
import { SalesOrderWriter } from '../orders/sales-order-writer';
import { convertV0Order, v0FulfillmentStatus } from '../orders/v0-order.converter';
import { AMAZON_VISIBILITY_DELAY_MS, AmazonOrderSource, describeError, SyncPass } from './amazon-order-source';
import { eachPage } from './each-page';

/** getOrders takes at most 50 AmazonOrderIds. */
const V0_ORDER_IDS_PER_CALL = 50;

/**
 * Orders API v0: getOrders pages carry order headers with buyer and address; the items of
 * each order come from getOrderItems. Pages are converted to the v2026 shape and written
 * like v2026 pages.
 */
@Injectable()
export class OrdersV0Source implements AmazonOrderSource {
  readonly version = OrdersApiVersion.V0;
  private readonly logger = new Logger(OrdersV0Source.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly writer: SalesOrderWriter,
    private readonly salesOrders: SalesOrderStore,
    private readonly quarantines: QuarantineStore,
  ) {}

  async readUpdatedSince({ account, client, marketplaces, run, lease, steps, signal, pageFetched, afterPage, quarantinedThisRun }: SyncPass, from: Date, marketplaceIds: string[]): Promise<void> {
    await eachPage(
      async (nextToken) => {
        const page = await getOrders(client, { lastUpdatedAfter: from.toISOString(), marketplaceIds, nextToken });
        pageFetched();
        return page;
      },
      (page) => page.NextToken || undefined,
      async (page) => {
        run.windowTo ??= page.LastUpdatedBefore ? new Date(page.LastUpdatedBefore) : new Date(Date.now() - AMAZON_VISIBILITY_DELAY_MS);
        return this.writePage(account, client, page.Orders, marketplaces, lease, quarantinedThisRun);
      },
      afterPage,
      1,
      { steps, signal },
    );
  }

  /**
   * A v0 page: one getOrderItems call for each order that will be synced (none for Pending,
   * FBA not yet shipped, or a cancelled order we never had), then the page is converted to
   * the v2026 shape and written like a v2026 page. Buyer and address came with getOrders.
   */
  private async writePage(
    account: SellerAccount,
    client: SpApiClient,
    orders: V0Order[],
    marketplaces: Map<string, Marketplace>,
    lease: AccountLease,
    quarantinedThisRun: Set<string>,
  ): Promise<PageOutcome> {
    return this.writer.commit(await this.preparePage(account, client, orders, marketplaces), lease, quarantinedThisRun);
  }

  /** v0 getOrder: the order's header, then its items (when it will be synced), prepared as a page of one. */
  async fetchOne(client: SpApiClient, account: SellerAccount, marketplaces: Map<string, Marketplace>, amazonOrderId: string): Promise<PreparedPage> {
    return this.preparePage(account, client, [await getV0Order(client, amazonOrderId)], marketplaces);
  }

  /** Items fetched, the page converted and prepared for the writer; what failed is among its failures. */
  private async preparePage(account: SellerAccount, client: SpApiClient, orders: V0Order[], marketplaces: Map<string, Marketplace>): Promise<PreparedPage> {
    const existing = await this.salesOrders.loadExisting(account.id, orders.map((o) => o?.AmazonOrderId).filter(Boolean));
    const converted: AmazonOrder[] = [];
    const failures: { order: AmazonOrder; reason: string; cause?: unknown }[] = [];
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
          failures.push({ order: ref, reason: describeError(err), cause: err });
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
    page.outcome.seen += failures.length + unusable;
    page.outcome.skipped += unusable;
    return page;
  }

  /** v0: quarantined orders come again through getOrders by id (50 a call) and their items. */
  async retryQuarantined({ account, client, marketplaces, lease, count, quarantinedThisRun }: SyncPass): Promise<void> {
    const pending = await this.quarantines.due(account.id);
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
            const notReturned = new OrderNotReturned('getOrders did not return the order');
            await this.quarantines.quarantine(manager, account, ref, notReturned.message, notReturned);
          }
        });
      }
      if (page.Orders.length) count(await this.writePage(account, client, page.Orders, marketplaces, lease, quarantinedThisRun));
    }
    if (pending.length) await this.quarantines.triedAgain(pending);
  }
}
