import { Injectable } from '@nestjs/common';
import { OrdersApiVersion } from '@connector/contracts';
import { AmazonOrder, getOrder, isCredentialsRefused, searchOrders, SpApiClient, SpApiError } from '@connector/sp-api';
import { SellerAccount } from '../accounts/seller-account.entity';
import { Marketplace } from '../marketplaces/marketplace.entity';
import { PreparedPage } from '../orders/sales-order-page';
import { DataSource } from 'typeorm';
import { QuarantineStore } from '../orders/quarantine-store';
import { SalesOrderWriter } from '../orders/sales-order-writer';
import { AMAZON_VISIBILITY_DELAY_MS, AmazonOrderSource, describeError, SyncPass } from './amazon-order-source';
import { eachPage } from './each-page';

/** Orders API v2026-01-01: searchOrders pages carry whole orders (items, buyer, address). */
@Injectable()
export class OrdersV2026Source implements AmazonOrderSource {
  readonly version = OrdersApiVersion.V2026;

  constructor(
    private readonly dataSource: DataSource,
    private readonly writer: SalesOrderWriter,
    private readonly quarantines: QuarantineStore,
  ) {}

  async readUpdatedSince({ account, client, marketplaces, run, lease, steps, signal, pageFetched, afterPage, quarantinedThisRun }: SyncPass, from: Date, marketplaceIds: string[]): Promise<void> {
    await eachPage(
      async (paginationToken) => {
        const page = await searchOrders(client, { lastUpdatedAfter: from.toISOString(), marketplaceIds, paginationToken });
        pageFetched();
        return page;
      },
      (page) => page.pagination?.nextToken,
      async (page) => {
        run.windowTo ??= page.lastUpdatedBefore ? new Date(page.lastUpdatedBefore) : new Date(Date.now() - AMAZON_VISIBILITY_DELAY_MS);
        return this.writer.prepare(account, page.orders ?? [], marketplaces);
      },
      async (prepared, last) => afterPage(await this.writer.commit(prepared, lease, quarantinedThisRun), last),
      // Three pages prepare at once: partner and product resolution run in other processes,
      // and their batches grow with it (measured: 2 → 3 gave about 4 % more orders per second).
      3,
      { steps, signal },
    );
  }

  /** getOrder: the whole order in one call, prepared as a page of one. */
  async fetchOne(client: SpApiClient, account: SellerAccount, marketplaces: Map<string, Marketplace>, amazonOrderId: string): Promise<PreparedPage> {
    return this.writer.prepare(account, [await getOrder(client, amazonOrderId)], marketplaces);
  }

  /** Quarantined orders are fetched again (one getOrder each) until they map. */
  async retryQuarantined({ account, client, marketplaces, lease, count, quarantinedThisRun }: SyncPass): Promise<void> {
    const pending = await this.quarantines.due(account.id);
    if (pending.length === 0) return;
    const fetched: AmazonOrder[] = [];
    for (const quarantined of pending) {
      try {
        fetched.push(await getOrder(client, quarantined.amazonOrderId));
      } catch (err) {
        // Refused credentials fail the run (nothing of the account can be fetched), as an outage does.
        if (!(err instanceof SpApiError) || err.retriable || isCredentialsRefused(err)) throw err;
        // A 404 and the like: the quarantine keeps its reason (the error goes to its last retry error).
        await this.dataSource.transaction((manager) =>
          this.quarantines.quarantine(manager, account, { orderId: quarantined.amazonOrderId, salesChannel: { marketplaceId: quarantined.marketplaceId } } as AmazonOrder, describeError(err), err),
        );
      }
    }
    if (fetched.length) count(await this.writer.writePage(account, fetched, marketplaces, lease, quarantinedThisRun));
    await this.quarantines.triedAgain(pending);
  }
}
