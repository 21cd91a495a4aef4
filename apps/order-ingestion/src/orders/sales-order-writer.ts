import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import {
  ORDER_CANCELED,
  ORDER_SYNCED,
  OrderCanceledEvent,
  OrderSyncedEvent,
  RESOLVE_PARTNERS,
  RESOLVE_PRODUCTS,
  ResolvePartnersResponse,
  ResolveProductsResponse,
  SalesOrderStatus,
} from '@connector/contracts';
import { Outbox } from '@connector/messaging';
import { ServiceClient } from '@connector/platform';
import type { AmazonOrder } from '@connector/sp-api';
import { bulkInsert, findByKeys, newRowId } from '@connector/persistence';
import { parse as parseUuid, v5 as uuidV5 } from 'uuid';
import { DataSource, EntityManager, In } from 'typeorm';
import { SellerAccount } from '../accounts/seller-account.entity';
import { Marketplace } from '../marketplaces/marketplace.entity';
import { isSyncable, MappedOrder, mapAmazonOrder, MappingError } from './amazon-order.mapper';
import { QuarantinedOrder } from './quarantined-order.entity';
import { SalesOrderLine } from './sales-order-line.entity';
import { SalesOrder } from './sales-order.entity';
import { orderEventOf } from './sales-order.view';
import { SkuProduct } from './sku-product.entity';

export interface PageOutcome {
  seen: number;
  created: number;
  updated: number;
  unchanged: number;
  quarantined: number;
  skipped: number;
  /** Amazon order ids that mapped and are committed. */
  committed: string[];
}

/** Namespace of sales order ids derived from (account, Amazon order id). */
const SALES_ORDER_ID_NAMESPACE = parseUuid('6c0f3f5e-5d0a-4f3e-9b7a-0c8e2b1d4a71');

/**
 * A new sales order's id follows from its account and Amazon order id, so it is known before
 * the order is written (partner-resolution records it while resolving the page) and an attempt
 * that is retried, or raced by another replica, names the order the same way.
 */
export function salesOrderId(accountId: string, amazonOrderId: string): string {
  return uuidV5(`${accountId}/${amazonOrderId}`, SALES_ORDER_ID_NAMESPACE);
}

const CLOSED = new Set<string>([SalesOrderStatus.Shipped, SalesOrderStatus.Canceled]);

/** The status to keep: Amazon's, except that a cancellation is final (Amazon may still say Unshipped while ours travels). */
function statusOf(mapped: MappedOrder, known: SalesOrder | undefined): SalesOrderStatus {
  return known?.status === SalesOrderStatus.Canceled ? SalesOrderStatus.Canceled : mapped.status;
}

/** An order Amazon cancelled before it was ever confirmed (and that we never had) never becomes a sales order. */
export function neverConfirmed(order: AmazonOrder, known: boolean): boolean {
  return !known && order.fulfillment?.fulfillmentStatus === 'CANCELLED' && !order.proceeds?.grandTotal;
}

/** A re-synced line keeps its id (stock moves refer to it); everything else follows Amazon. */
const LINE_FIELDS_TO_UPDATE: (keyof SalesOrderLine & string)[] = [
  'kind', 'sequence', 'orderItemId', 'sku', 'asin', 'productId', 'name', 'description', 'quantity', 'quantityShipped',
  'unitPriceTaxIncluded', 'unitPriceTaxExcluded', 'amountTaxIncluded', 'amountTaxExcluded', 'discountTaxIncluded',
  'discountTaxExcluded', 'totalTaxIncluded', 'totalTaxExcluded', 'taxAmount', 'promotionIds', 'giftWrapLevel', 'giftMessage',
];

interface OrderChange {
  known: SalesOrder | undefined;
  order: SalesOrder;
  lines: SalesOrderLine[];
  goneLineIds: string[];
  events: { subject: string; payload: object }[];
}

export interface PreparedPage {
  account: SellerAccount;
  outcome: PageOutcome;
  existing: Map<string, SalesOrder>;
  prepared: Prepared[];
  /** The page's SKU → product answers. */
  productIds: Map<string, string>;
  /** Those inventory gave for this page, to remember. */
  learned: { sku: string; productId: string }[];
  failures: { order: AmazonOrder; reason: string }[];
  /** Skipped as never confirmed because no sales order had them when the page was prepared. */
  unconfirmed: AmazonOrder[];
}

interface Prepared {
  mapped: MappedOrder;
  /** The sales order's id: the known order's, or the one derived for a new order. */
  orderId: string;
  contactId: string;
  deliveryAddressId: string;
  hash: string;
}

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
    private readonly outbox: Outbox,
    private readonly services: ServiceClient,
  ) {}

  async writePage(account: SellerAccount, orders: AmazonOrder[], marketplaces: Map<string, Marketplace>): Promise<PageOutcome> {
    return this.commit(await this.prepare(account, orders, marketplaces));
  }

  /**
   * Everything before the transaction: map the page and resolve its partners and products.
   * The sync prepares the next pages while page n commits. `existing`: the page's known orders,
   * if the caller loaded them already.
   */
  async prepare(account: SellerAccount, orders: AmazonOrder[], marketplaces: Map<string, Marketplace>, existing?: Map<string, SalesOrder>): Promise<PreparedPage> {
    const outcome: PageOutcome = { seen: orders.length, created: 0, updated: 0, unchanged: 0, quarantined: 0, skipped: 0, committed: [] };
    existing ??= await this.loadExisting(account.id, orders.map((o) => o.orderId).filter(Boolean));
    const mapped: MappedOrder[] = [];
    const failures: { order: AmazonOrder; reason: string }[] = [];
    const unconfirmed: AmazonOrder[] = [];
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
        if (!marketplace) throw new MappingError(`marketplace ${order.salesChannel?.marketplaceId} is not known`);
        mapped.push(mapAmazonOrder(order, marketplace));
      } catch (err) {
        if (!(err instanceof MappingError)) throw err;
        failures.push({ order, reason: err.message });
      }
    }

    const resolved = mapped.length ? await this.resolve(account, mapped, existing) : { prepared: [], productIds: new Map<string, string>(), learned: [] };
    return { account, outcome, existing, ...resolved, failures, unconfirmed };
  }

  /** One transaction: orders, lines, their events, quarantines. */
  async commit(page: PreparedPage): Promise<PageOutcome> {
    const { account, outcome, existing, prepared, learned, failures } = page;
    await this.dataSource.transaction(async (manager) => {
      // Prepared outside this transaction, while other pages (or replicas) committed: one
      // look-up finds which of the page's unseen orders exist by now. A mapped one is updated,
      // not inserted twice; one skipped as never confirmed is quarantined (below), so that its
      // cancellation is fetched again next run rather than lost.
      const unseen = prepared.filter((p) => !existing.has(p.mapped.amazonOrderId)).map((p) => p.mapped.amazonOrderId);
      const appeared = new Map((await this.knownIds(manager, account.id, [...unseen, ...page.unconfirmed.map((o) => o.orderId)])).map((row) => [row.amazon_order_id, row.id]));
      const raced = unseen.filter((amazonOrderId) => appeared.has(amazonOrderId));
      if (raced.length) {
        // Usually none: whole orders are loaded only for those.
        const orders = await manager.find(SalesOrder, { where: { id: In(raced.map((amazonOrderId) => appeared.get(amazonOrderId)!)) }, relations: { lines: true } });
        for (const order of orders) existing.set(order.amazonOrderId, order);
      }
      if (learned.length) {
        await manager
          .createQueryBuilder()
          .insert()
          .into(SkuProduct)
          .values(learned.map((o) => ({ accountId: account.id, sku: o.sku, productId: o.productId })))
          .orIgnore()
          .execute();
      }
      const changes: OrderChange[] = [];
      for (const item of prepared) {
        const known = existing.get(item.mapped.amazonOrderId);
        if (known && known.contentHash === item.hash) {
          outcome.unchanged++;
        } else {
          changes.push(this.change(account, item, known, page.productIds));
          if (known) outcome.updated++;
          else outcome.created++;
        }
        outcome.committed.push(item.mapped.amazonOrderId);
      }
      await this.save(manager, changes);
      // Done with: what committed, and what Amazon cancelled before it was confirmed (it never
      // becomes a sales order, so a quarantine of it has nothing left to retry).
      const settled = [...outcome.committed, ...page.unconfirmed.filter((o) => !appeared.has(o.orderId)).map((o) => o.orderId)];
      if (settled.length) {
        await manager.query(
          `update quarantined_orders set resolved_at = now(), payload = null where account_id = $1 and amazon_order_id = any($2::text[]) and resolved_at is null`,
          [account.id, settled],
        );
      }
      for (const order of page.unconfirmed.filter((o) => appeared.has(o.orderId))) {
        failures.push({ order, reason: 'cancelled on Amazon while an earlier page of this run created its sales order; fetched again next run' });
        outcome.skipped--;
      }
      for (const failure of failures) await this.quarantine(manager, account, failure.order, failure.reason);
      outcome.quarantined = failures.length;
    });
    return outcome;
  }

  /**
   * Records an order that could not be mapped (or fetched) so it is retried and never lost.
   * The order is kept for whoever investigates, without the buyer's personal data: a quarantine
   * may stay for long, and personal-data retention covers partners only. (It is fetched again
   * on retry; once it maps, the payload goes.)
   */
  async quarantine(manager: EntityManager, account: SellerAccount, order: Partial<AmazonOrder> & { orderId: string }, reason: string): Promise<void> {
    this.logger.warn(`quarantined ${order.orderId}: ${reason}`);
    const now = new Date();
    await manager
      .createQueryBuilder()
      .insert()
      .into(QuarantinedOrder)
      .values({
        id: newRowId(),
        accountId: account.id,
        amazonOrderId: order.orderId,
        marketplaceId: order.salesChannel?.marketplaceId ?? '',
        reason,
        payload: withoutPersonalData(order),
        attempts: 1,
        firstSeenAt: now,
        lastAttemptAt: now,
        resolvedAt: null,
        createdAt: now,
      })
      .orUpdate(['reason', 'payload', 'last_attempt_at', 'resolved_at'], ['account_id', 'amazon_order_id'])
      .execute();
    await manager.query(
      `update quarantined_orders set attempts = attempts + 1 where account_id = $1 and amazon_order_id = $2 and first_seen_at < $3`,
      [account.id, order.orderId, now],
    );
  }

  /** The account's sales orders (with lines) among these Amazon order ids. */
  async loadExisting(accountId: string, amazonOrderIds: string[]): Promise<Map<string, SalesOrder>> {
    const known = await this.knownIds(this.dataSource.manager, accountId, amazonOrderIds);
    if (known.length === 0) return new Map();
    const rows = await this.dataSource.getRepository(SalesOrder).find({ where: { id: In(known.map((row) => row.id)) }, relations: { lines: true } });
    return new Map(rows.map((row) => [row.amazonOrderId, row]));
  }

  /** Which of these Amazon order ids the account has sales orders for, and their ids. */
  private knownIds(manager: EntityManager, accountId: string, amazonOrderIds: string[]): Promise<{ id: string; amazon_order_id: string }[]> {
    return findByKeys(manager, 'sales_orders', ['id', 'amazon_order_id'], { amazon_order_id: { type: 'text', values: amazonOrderIds } }, { account_id: accountId });
  }

  /** One request to partner-resolution and one to inventory for the whole page. */
  private async resolve(
    account: SellerAccount,
    mapped: MappedOrder[],
    existing: Map<string, SalesOrder>,
  ): Promise<Pick<PreparedPage, 'prepared' | 'productIds' | 'learned'>> {
    const skus = new Map<string, { sku: string; title?: string; asin?: string }>();
    for (const order of mapped) {
      for (const line of order.lines) {
        if (line.sku && !skus.has(line.sku)) skus.set(line.sku, { sku: line.sku, title: line.title ?? undefined, asin: line.asin ?? undefined });
      }
    }
    const known: { sku: string; product_id: string }[] = await this.dataSource.query(
      `select sku, product_id from sku_products where account_id = $1 and sku = any($2::text[])`,
      [account.id, [...skus.keys()]],
    );
    for (const row of known) skus.delete(row.sku);
    const orderIds = new Map(mapped.map((order) => [order.amazonOrderId, existing.get(order.amazonOrderId)?.id ?? salesOrderId(account.id, order.amazonOrderId)]));
    const [partners, products] = await Promise.all([
      this.services.request<ResolvePartnersResponse>(RESOLVE_PARTNERS, {
        parties: mapped.map((order) => ({
          key: order.amazonOrderId,
          accountId: account.id,
          orderReference: order.amazonOrderId,
          buyer: order.party.buyer,
          address: order.party.address,
          orderedAt: order.purchasedAt.toISOString(),
          orderId: orderIds.get(order.amazonOrderId)!,
          orderClosed: CLOSED.has(statusOf(order, existing.get(order.amazonOrderId))),
        })),
      }),
      skus.size
        ? this.services.request<ResolveProductsResponse>(RESOLVE_PRODUCTS, {
            accountId: account.id,
            defaultProductId: account.defaultProductId ?? undefined,
            skus: [...skus.values()],
          })
        : Promise.resolve({ offers: [] }),
    ]);
    const partyByKey = new Map(partners.parties.map((p) => [p.key, p]));
    const productIds = new Map([...known.map((row) => [row.sku, row.product_id] as const), ...products.offers.map((o) => [o.sku, o.productId] as const)]);
    const prepared = mapped.map((order) => {
      const party = partyByKey.get(order.amazonOrderId);
      if (!party) throw new Error(`partner-resolution gave no partner for ${order.amazonOrderId}`);
      const { amazonUpdatedAt: _ignored, ...content } = order;
      const hash = createHash('sha1')
        .update(JSON.stringify([content, party.contactId, party.deliveryAddressId, order.lines.map((l) => (l.sku ? productIds.get(l.sku) : null))]))
        .digest('base64');
      return { mapped: order, orderId: orderIds.get(order.amazonOrderId)!, contactId: party.contactId, deliveryAddressId: party.deliveryAddressId, hash };
    });
    return { prepared, productIds, learned: products.offers };
  }

  /** Writes the page's new and changed orders in a handful of statements, whatever the page size. */
  private async save(manager: EntityManager, changes: OrderChange[]): Promise<void> {
    if (changes.length === 0) return;
    await bulkInsert(manager, SalesOrder, changes.filter((c) => !c.known).map((c) => c.order));
    for (const change of changes.filter((c) => c.known)) {
      const { id, createdAt: _c, updatedAt: _u, lines: _l, ...fields } = change.order;
      await manager.update(SalesOrder, { id }, fields);
    }
    const gone = changes.flatMap((c) => c.goneLineIds);
    if (gone.length) await manager.delete(SalesOrderLine, { id: In(gone) });
    await bulkInsert(manager, SalesOrderLine, changes.flatMap((c) => c.lines), {
      onConflict: { target: ['orderId', 'lineKey'], update: LINE_FIELDS_TO_UPDATE },
    });
    await this.outbox.addMany(manager, changes.flatMap((c) => c.events));
  }

  /** The rows and events of one new or changed order; no I/O. */
  private change(account: SellerAccount, item: Prepared, known: SalesOrder | undefined, productIds: Map<string, string>): OrderChange {
    const { mapped } = item;
    const status = statusOf(mapped, known);
    const newlyCanceledByAmazon = status === SalesOrderStatus.Canceled && known?.status !== SalesOrderStatus.Canceled;
    // Plain rows: they go to bulkInsert, no entity machinery needed.
    const order = {
      id: known?.id ?? item.orderId,
      accountId: account.id,
      marketplaceId: mapped.marketplaceId,
      amazonOrderId: mapped.amazonOrderId,
      channel: mapped.channel,
      status,
      amazonStatus: mapped.amazonStatus,
      currency: mapped.currency,
      purchasedAt: mapped.purchasedAt,
      amazonUpdatedAt: mapped.amazonUpdatedAt,
      contactId: item.contactId,
      deliveryAddressId: item.deliveryAddressId,
      isBusinessOrder: mapped.isBusinessOrder,
      giftMessage: mapped.giftMessage,
      amazonTotal: mapped.amazonTotal,
      linesTotal: mapped.linesTotal,
      reconciled: mapped.reconciled,
      cancelReason: known?.cancelReason ?? null,
      canceledBy: newlyCanceledByAmazon ? 'amazon' : (known?.canceledBy ?? null),
      cancelError: known?.cancelError ?? null,
      deliveryState: known?.deliveryState ?? null,
      amazonNotificationState: known?.amazonNotificationState ?? null,
      amazonNotificationError: known?.amazonNotificationError ?? null,
      contentHash: item.hash,
      version: (known?.version ?? 0) + 1,
    } as SalesOrder;

    const knownLines = new Map((known?.lines ?? []).map((line) => [line.lineKey, line]));
    const lines = mapped.lines.map((line, index) =>
      ({
        id: knownLines.get(line.lineKey)?.id ?? newRowId(),
        orderId: order.id,
        lineKey: line.lineKey,
        kind: line.kind,
        sequence: index + 1,
        orderItemId: line.orderItemId,
        sku: line.sku,
        asin: line.asin,
        productId: line.sku ? (productIds.get(line.sku) ?? null) : null,
        name: line.name,
        description: line.description,
        quantity: line.quantity,
        quantityShipped: line.quantityShipped,
        unitPriceTaxIncluded: line.unitPriceTaxIncluded,
        unitPriceTaxExcluded: line.unitPriceTaxExcluded,
        amountTaxIncluded: line.amountTaxIncluded,
        amountTaxExcluded: line.amountTaxExcluded,
        discountTaxIncluded: line.discountTaxIncluded,
        discountTaxExcluded: line.discountTaxExcluded,
        totalTaxIncluded: line.totalTaxIncluded,
        totalTaxExcluded: line.totalTaxExcluded,
        taxAmount: line.taxAmount,
        promotionIds: line.promotionIds,
        giftWrapLevel: line.giftWrapLevel,
        giftMessage: line.giftMessage,
      }) as SalesOrderLine,
    );
    const goneLineIds = [...knownLines.values()].filter((line) => !mapped.lines.some((l) => l.lineKey === line.lineKey)).map((line) => line.id);

    const base = orderEventOf(order, lines);
    const synced: OrderSyncedEvent = {
      ...base,
      status: order.status,
      contactId: order.contactId,
      deliveryAddressId: order.deliveryAddressId,
      giftMessage: order.giftMessage,
    };
    const events: OrderChange['events'] = [{ subject: ORDER_SYNCED, payload: synced }];
    if (newlyCanceledByAmazon && known) {
      const canceled: OrderCanceledEvent = { ...base, canceledBy: 'amazon', reason: null, notifyAmazon: false };
      events.push({ subject: ORDER_CANCELED, payload: canceled });
    }
    return { known, order, lines, goneLineIds, events };
  }
}

/** The order without buyer and recipient, but for where it goes (country, region, postal code). */
function withoutPersonalData(order: Partial<AmazonOrder>): object {
  const { buyer: _buyer, recipient, ...rest } = order;
  const address = recipient?.deliveryAddress;
  if (!address) return rest;
  const { countryCode, stateOrRegion, postalCode } = address;
  return { ...rest, recipient: { deliveryAddress: { countryCode, stateOrRegion, postalCode } } };
}
