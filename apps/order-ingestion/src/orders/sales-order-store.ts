import { Injectable } from '@nestjs/common';
import { Outbox } from '@connector/messaging';
import { bulkInsert, findByKeys } from '@connector/persistence';
import { DataSource, EntityManager, In } from 'typeorm';
import { SalesOrderChange } from './sales-order-change';
import { SalesOrderLine } from './sales-order-line.entity';
import { SalesOrder } from './sales-order.entity';

/** A re-synced line keeps its id (stock moves refer to it); everything else follows Amazon. */
const LINE_FIELDS_TO_UPDATE: (keyof SalesOrderLine & string)[] = [
  'kind', 'sequence', 'orderItemId', 'sku', 'asin', 'productId', 'name', 'description', 'quantity', 'quantityShipped', 'quantityCancelled', 'pricedQuantity',
  'unitPriceTaxIncluded', 'unitPriceTaxExcluded', 'amountTaxIncluded', 'amountTaxExcluded', 'discountTaxIncluded',
  'discountTaxExcluded', 'totalTaxIncluded', 'totalTaxExcluded', 'taxAmount', 'promotionIds', 'giftWrapLevel', 'giftMessage', 'buyerCancelRequested', 'buyerCancelReason',
];

/** Sales orders and their lines as the sync reads and writes them: by Amazon order id, a page at a time. */
@Injectable()
export class SalesOrderStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  /** The account's sales orders (with lines) among these Amazon order ids. */
  async loadExisting(accountId: string, amazonOrderIds: string[]): Promise<Map<string, SalesOrder>> {
    const known = await this.knownIds(this.dataSource.manager, accountId, amazonOrderIds);
    if (known.length === 0) return new Map();
    const rows = await this.dataSource.getRepository(SalesOrder).find({ where: { id: In(known.map((row) => row.id)) }, relations: { lines: true } });
    return new Map(rows.map((row) => [row.amazonOrderId, row]));
  }

  /**
   * Locks the page's known orders until the transaction ends and reads again those that changed
   * since the page was prepared (a seller's cancellation, a delivery or notification state,
   * another replica's page): the page's changes then apply over the newest state, never over a
   * stale copy of it. In id order, so two pages locking the same orders cannot deadlock.
   */
  async lockAndRefresh(manager: EntityManager, existing: Map<string, SalesOrder>, amazonOrderIds: string[]): Promise<void> {
    const known = new Map<string, SalesOrder>();
    for (const amazonOrderId of amazonOrderIds) {
      const order = existing.get(amazonOrderId);
      if (order) known.set(order.id, order);
    }
    if (known.size === 0) return;
    const current: { id: string; version: number; updated_at: Date }[] = await manager.query(
      `select id, version, updated_at from sales_orders where id = any($1::uuid[]) order by id for update`,
      [[...known.keys()]],
    );
    const moved = current.filter((row) => {
      const copy = known.get(row.id)!;
      return copy.version !== row.version || copy.updatedAt?.getTime() !== new Date(row.updated_at).getTime();
    });
    if (moved.length === 0) return;
    const fresh = await manager.find(SalesOrder, { where: { id: In(moved.map((row) => row.id)) }, relations: { lines: true } });
    for (const order of fresh) existing.set(order.amazonOrderId, order);
  }

  /** Which of these Amazon order ids the account has sales orders for, and their ids. */
  knownIds(manager: EntityManager, accountId: string, amazonOrderIds: string[]): Promise<{ id: string; amazon_order_id: string }[]> {
    return findByKeys(manager, 'sales_orders', ['id', 'amazon_order_id'], { amazon_order_id: { type: 'text', values: amazonOrderIds } }, { account_id: accountId });
  }

  /** Writes the page's new and changed orders in a handful of statements, whatever the page size. */
  async save(manager: EntityManager, changes: SalesOrderChange[]): Promise<void> {
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
}
