import { Injectable } from '@nestjs/common';
import { OrdersApiVersion } from '@connector/contracts';
import { AmazonOrder, getOrder, searchOrders, SpApiError } from '@connector/sp-api';
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

  async readUpdatedSince({ account, client, marketplaces, run, lease, steps, signal, pageFetched, afterPage }: SyncPass, from: Date, marketplaceIds: string[]): Promise<void> {
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
      async (prepared) => afterPage(await this.writer.commit(prepared, lease)),
      // Three pages prepare at once: partner and product resolution run in other processes,
      // and their batches grow with it (measured: 2 → 3 gave about 4 % more orders per second).
      3,
      { steps, signal },
    );
  }

  /** Quarantined orders are fetched again (one getOrder each) until they map. */
  async retryQuarantined({ account, client, marketplaces, lease, count }: SyncPass): Promise<void> {
    const pending = await this.quarantines.due(account.id);
    if (pending.length === 0) return;
    const fetched: AmazonOrder[] = [];
    for (const quarantined of pending) {
      try {
        fetched.push(await getOrder(client, quarantined.amazonOrderId));
      } catch (err) {
        if (!(err instanceof SpApiError) || err.retriable) throw err;
        await this.dataSource.transaction((manager) =>
          this.quarantines.quarantine(manager, account, { orderId: quarantined.amazonOrderId, salesChannel: { marketplaceId: quarantined.marketplaceId } } as AmazonOrder, describeError(err)),
        );
      }
    }
    if (fetched.length) count(await this.writer.writePage(account, fetched, marketplaces, lease));
    await this.quarantines.triedAgain(pending);
  }
}
