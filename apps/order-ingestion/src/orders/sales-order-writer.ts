import { Injectable, Logger } from '@nestjs/common';
import type { AmazonOrder } from '@connector/sp-api';
import { DataSource, In } from 'typeorm';
import { AccountLease, assertLeaseHeld } from '../accounts/account-lease';
import { SellerAccount } from '../accounts/seller-account.entity';
import { Marketplace } from '../marketplaces/marketplace.entity';
import { isSyncable, MappedOrder, mapAmazonOrder, MappingError } from './amazon-order.mapper';
import { PartnerAndProductResolution } from './partner-and-product-resolution';
import { QuarantineStore } from './quarantine-store';
import { SalesOrderChange, salesOrderChange } from './sales-order-change';
import { PageOutcome, PreparedPage } from './sales-order-page';
import { neverConfirmed, olderThanKnown } from './sales-order-status';
import { SalesOrderStore } from './sales-order-store';
import { SalesOrder } from './sales-order.entity';
import { SkuProductCache } from './sku-product-cache';

/**
 * Turns one page of Amazon orders into sales orders: maps them, asks partner-resolution and
 * inventory once for the whole page, then writes orders, lines, quarantines and events in
 * one transaction. Writing the same data twice changes nothing and emits nothing.
 */
@Injectable()
export class SalesOrderWriter {
  private readonly logger = new Logger(SalesOrderWriter.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly salesOrders: SalesOrderStore,
    private readonly resolution: PartnerAndProductResolution,
    private readonly quarantines: QuarantineStore,
    private readonly skuProducts: SkuProductCache,
  ) {}

  async writePage(account: SellerAccount, orders: AmazonOrder[], marketplaces: Map<string, Marketplace>, lease: AccountLease, quarantinedThisRun?: Set<string>): Promise<PageOutcome> {
    return this.commit(await this.prepare(account, orders, marketplaces), lease, quarantinedThisRun);
  }

  /**
   * Everything before the transaction: map the page and resolve its partners and products.
   * The sync prepares the next pages while page n commits. `existing`: the page's known orders,
   * if the caller loaded them already.
   */
  async prepare(account: SellerAccount, orders: AmazonOrder[], marketplaces: Map<string, Marketplace>, existing?: Map<string, SalesOrder>): Promise<PreparedPage> {
    const outcome: PageOutcome = { seen: orders.length, created: 0, updated: 0, unchanged: 0, quarantined: 0, skipped: 0, committed: [] };
    existing ??= await this.salesOrders.loadExisting(account.id, orders.map((o) => o.orderId).filter(Boolean));
    const mapped: MappedOrder[] = [];
    const failures: PreparedPage['failures'] = [];
    const unconfirmed: AmazonOrder[] = [];
    const byId = new Map<string, AmazonOrder>();
    for (const order of orders) {
      if (!order || !isSyncable(order)) {
        outcome.skipped++;
        continue;
      }
      if (neverConfirmed(order, existing.has(order.orderId))) {
        outcome.skipped++;
        unconfirmed.push(order);
        continue;
      }
      try {
        const marketplace = marketplaces.get(order.salesChannel?.marketplaceId ?? '');
        if (!marketplace) throw new MappingError(unknownMarketplace(order.salesChannel?.marketplaceId));
        mapped.push(mapAmazonOrder(order, marketplace));
        byId.set(order.orderId, order);
      } catch (err) {
        if (!(err instanceof MappingError)) throw err;
        failures.push({ order, reason: err.message });
      }
    }

    const { refused, ...resolved } = mapped.length
      ? await this.resolution.resolve(account, mapped, existing)
      : { prepared: [], productIds: new Map<string, string>(), learned: [], refused: [] };
    // Refused by partner-resolution or inventory (or their contracts): quarantined alone, the
    // rest of the page is written.
    for (const { order, reason } of refused) failures.push({ order: byId.get(order.amazonOrderId)!, reason });
    return { account, outcome, existing, ...resolved, failures, unconfirmed };
  }

  /**
   * One transaction: orders, lines, their events, quarantines; only while `lease` is still held.
   * `quarantinedThisRun`: the orders this sync run quarantined already (say, retried from the
   * quarantine, then read again in the overlap window): quarantined and counted once per run.
   */
  async commit(page: PreparedPage, lease: AccountLease, quarantinedThisRun?: Set<string>): Promise<PageOutcome> {
    const { account, outcome, existing, prepared, learned, failures } = page;
    const written: { amazonOrderId: string; created: boolean }[] = [];
    const quarantined: string[] = [];
    // A page with nothing in it (the usual page of an account with nothing new) writes nothing:
    // no transaction. The lease is checked by whatever writes next (the cursor's move).
    if (!prepared.length && !failures.length && !page.unconfirmed.length && !learned.length) return outcome;
    await this.dataSource.transaction(async (manager) => {
      await assertLeaseHeld(manager, lease);
      // Prepared outside this transaction, while other pages (or replicas) committed: one
      // look-up finds which of the page's unseen orders exist by now. A mapped one is updated,
      // not inserted twice; one skipped as never confirmed is quarantined (below), so that its
      // cancellation is fetched again next run rather than lost.
      const unseen = prepared.filter((p) => !existing.has(p.mapped.amazonOrderId)).map((p) => p.mapped.amazonOrderId);
      const appeared = new Map((await this.salesOrders.knownIds(manager, account.id, [...unseen, ...page.unconfirmed.map((o) => o.orderId)])).map((row) => [row.amazon_order_id, row.id]));
      const raced = unseen.filter((amazonOrderId) => appeared.has(amazonOrderId));
      if (raced.length) {
        // Usually none: whole orders are loaded only for those.
        const orders = await manager.find(SalesOrder, { where: { id: In(raced.map((amazonOrderId) => appeared.get(amazonOrderId)!)) }, relations: { lines: true } });
        for (const order of orders) existing.set(order.amazonOrderId, order);
      }
      await this.salesOrders.lockAndRefresh(manager, existing, prepared.map((p) => p.mapped.amazonOrderId));
      await this.skuProducts.remember(manager, account.id, learned);
      const changes: SalesOrderChange[] = [];
      for (const item of prepared) {
        const known = existing.get(item.mapped.amazonOrderId);
        if (known && (known.contentHash === item.hash || olderThanKnown(item.mapped, known))) {
          outcome.unchanged++;
        } else {
          changes.push(salesOrderChange(account, item, known, page.productIds));
          written.push({ amazonOrderId: item.mapped.amazonOrderId, created: !known });
          if (known) outcome.updated++;
          else outcome.created++;
        }
        outcome.committed.push(item.mapped.amazonOrderId);
      }
      await this.salesOrders.save(manager, changes);
      // Done with: what committed, and what Amazon cancelled before it was confirmed (it never
      // becomes a sales order, so a quarantine of it has nothing left to retry).
      const settled = [...outcome.committed, ...page.unconfirmed.filter((o) => !appeared.has(o.orderId)).map((o) => o.orderId)];
      await this.quarantines.resolve(manager, account.id, settled);
      for (const order of page.unconfirmed.filter((o) => appeared.has(o.orderId))) {
        failures.push({ order, reason: 'cancelled on Amazon while an earlier page of this run created its sales order; fetched again next run' });
        outcome.skipped--;
      }
      for (const failure of failures) {
        if (quarantinedThisRun?.has(failure.order.orderId)) {
          // Quarantined earlier in this run with what Amazon answered then: counted there.
          outcome.skipped++;
          continue;
        }
        await this.quarantines.quarantine(manager, account, failure.order, failure.reason, failure.cause);
        quarantined.push(failure.order.orderId);
      }
      outcome.quarantined = quarantined.length;
    });
    for (const amazonOrderId of quarantined) quarantinedThisRun?.add(amazonOrderId);
    // Once committed: one line per order that changed, with its account and Amazon order id.
    for (const { amazonOrderId, created } of written) {
      this.logger.log({ msg: `sales order ${created ? 'created' : 'updated'} from Amazon order ${amazonOrderId}`, accountId: account.id, amazonOrderId });
    }
    return outcome;
  }
}

/** Why an order of a marketplace the connector does not know is quarantined (never a JS `undefined`). */
export function unknownMarketplace(marketplaceId: string | undefined | null): string {
  return marketplaceId ? `marketplace ${marketplaceId} is not known` : 'the order names no marketplace';
}
