import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  CancelOrderRequest,
  ListOrdersRequest,
  ListQuarantinedOrdersRequest,
  ORDER_CANCELED,
  OrderCanceledEvent,
  Page,
  SalesOrderStatus,
  SalesOrderView,
} from '@connector/contracts';
import { Outbox } from '@connector/messaging';
import { listPage, ServiceError, withinReplyBudget } from '@connector/platform';
import { DataSource, In, Repository } from 'typeorm';
import { QuarantinedOrder } from './quarantined-order.entity';
import { SalesOrderLine } from './sales-order-line.entity';
import { SalesOrder } from './sales-order.entity';
import { orderEventOf, orderView } from './sales-order.view';

@Injectable()
export class SalesOrdersService {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(SalesOrder) private readonly orders: Repository<SalesOrder>,
    private readonly outbox: Outbox,
  ) {}

  async list(request: ListOrdersRequest): Promise<Page<SalesOrderView>> {
    const query = this.orders.createQueryBuilder('o');
    const filters: [keyof ListOrdersRequest, string][] = [
      ['accountId', 'o.accountId = :accountId'],
      ['marketplaceId', 'o.marketplaceId = :marketplaceId'],
      ['channel', 'o.channel = :channel'],
      ['status', 'o.status = :status'],
      ['amazonOrderId', 'o.amazonOrderId = :amazonOrderId'],
      ['updatedSince', 'o.updatedAt >= :updatedSince'],
    ];
    for (const [key, condition] of filters) if (request[key] !== undefined) query.andWhere(condition, { [key]: request[key] });
    // Page over orders alone, then load their lines, so a page holds whole orders.
    const page = await listPage(query, request, (order) => order);
    if (page.items.length === 0) return { items: [], nextCursor: page.nextCursor };
    const lines = await this.dataSource.getRepository(SalesOrderLine).findBy({ orderId: In(page.items.map((o) => o.id)) });
    for (const order of page.items) order.lines = lines.filter((line) => line.orderId === order.id);
    return withinReplyBudget(page.items, page.items.map(orderView), page.nextCursor);
  }

  async get(id: string): Promise<SalesOrderView> {
    const order = await this.orders.findOne({ where: { id }, relations: { lines: true } });
    if (!order) throw ServiceError.notFound(`sales order ${id} not found`);
    return orderView(order);
  }

  /**
   * Cancellation by the seller: the order is cancelled here and `order.canceled` (with
   * notifyAmazon) goes out in the same transaction; inventory cancels the open delivery and
   * amazon-notifications tells Amazon.
   */
  async cancel(request: CancelOrderRequest): Promise<SalesOrderView> {
    let refusal: string | undefined;
    await this.dataSource.transaction(async (manager) => {
      const order = await manager.findOne(SalesOrder, { where: { id: request.id }, relations: { lines: true }, lock: { mode: 'pessimistic_write', tables: ['sales_orders'] } });
      if (!order) throw ServiceError.notFound(`sales order ${request.id} not found`);
      if (order.status === SalesOrderStatus.Canceled) throw ServiceError.conflict(`sales order ${order.amazonOrderId} is already cancelled`);
      if (order.status === SalesOrderStatus.Shipped || order.deliveryState === 'done') {
        refusal = `sales order ${order.amazonOrderId} is shipped; a shipped order cannot be cancelled`;
        return;
      }
      order.status = SalesOrderStatus.Canceled;
      order.canceledBy = 'seller';
      order.cancelReason = request.reason;
      order.cancelError = null;
      order.version += 1;
      await manager.update(SalesOrder, { id: order.id }, { status: order.status, canceledBy: 'seller', cancelReason: request.reason, cancelError: null, version: order.version });
      const event: OrderCanceledEvent = { ...orderEventOf(order, order.lines ?? []), canceledBy: 'seller', reason: request.reason, notifyAmazon: true };
      await this.outbox.add(manager, ORDER_CANCELED, event);
    });
    if (refusal) {
      // The order keeps why it could not be cancelled, for whoever looks at it next.
      await this.orders.update({ id: request.id }, { cancelError: refusal });
      throw ServiceError.conflict(refusal);
    }
    return this.get(request.id);
  }

  async quarantined(request: ListQuarantinedOrdersRequest) {
    const query = this.dataSource.getRepository(QuarantinedOrder).createQueryBuilder('q').where('q.resolvedAt IS NULL');
    if (request.accountId) query.andWhere('q.accountId = :accountId', { accountId: request.accountId });
    return listPage(query, request, (q) => ({
      id: q.id,
      accountId: q.accountId,
      amazonOrderId: q.amazonOrderId,
      marketplaceId: q.marketplaceId,
      reason: q.reason,
      lastRetryError: q.lastRetryError,
      attempts: q.attempts,
      firstSeenAt: q.firstSeenAt.toISOString(),
      lastAttemptAt: q.lastAttemptAt.toISOString(),
    }));
  }
}
