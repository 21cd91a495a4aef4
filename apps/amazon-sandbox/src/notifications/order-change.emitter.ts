import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DEVELOPMENT_SPAPI_APP } from '@connector/contracts';
import { v0Order, v0OrderItem } from '../orders/v0-mapping';
import { SqsStore, queueNameOf } from '../sqs/sqs.store';
import { OrderStore } from '../store/order.store';
import { Order } from '../store/order.types';
import { SandboxClock } from '../store/sandbox-clock';
import { NotificationStore, Subscription } from './notification.store';

/**
 * Sends ORDER_CHANGE, in Amazon's envelope and payload shape (OrderChangeNotification 1.0), to the
 * queue of every subscription of the order's seller whenever a sandbox order is created or changed
 * (control API, confirmShipment, feeds, ship-outside). Orders of a generated batch are not sent
 * (a batch is a seed, not a change). Amazon delivers at least once and in no set order: the control
 * API can have each notification sent twice (`duplicates`) and each held back until the next one of
 * its queue went (`outOfOrder`; at most OUT_OF_ORDER_HOLD_MS when none follows).
 */
/** How long an out-of-order notification waits for a later one to overtake it. */
const OUT_OF_ORDER_HOLD_MS = 2000;

export interface NotificationDelivery {
  duplicates: boolean;
  outOfOrder: boolean;
}

@Injectable()
export class OrderChangeEmitter {
  private delivery: NotificationDelivery = { duplicates: false, outOfOrder: false };
  /** Per queue, a notification held back until the next one went (outOfOrder). */
  private readonly held = new Map<string, { body: string; timer: NodeJS.Timeout }>();
  private readonly logger = new Logger('OrderChange');
  /** Notifications sent, for the control API (freshness benchmarks measure from them). */
  private sent: { notificationId: string; amazonOrderId: string; publishTime: string; queue: string }[] = [];

  constructor(
    orders: OrderStore,
    private readonly subscriptions: NotificationStore,
    private readonly queues: SqsStore,
    private readonly clock: SandboxClock,
  ) {
    orders.onChange((sellerId, orderId) => this.changed(orders, sellerId, orderId));
  }

  reset(): void {
    this.sent = [];
    this.delivery = { duplicates: false, outOfOrder: false };
    for (const { timer } of this.held.values()) clearTimeout(timer);
    this.held.clear();
  }

  setDelivery(delivery: Partial<NotificationDelivery>): NotificationDelivery {
    this.delivery = { ...this.delivery, ...delivery };
    return this.delivery;
  }

  get deliverySettings(): NotificationDelivery {
    return this.delivery;
  }

  private deliver(queue: string, body: string): void {
    const copies = this.delivery.duplicates ? 2 : 1;
    const send = (message: string) => {
      if (!this.queues.has(queue)) return;
      for (let i = 0; i < copies; i++) this.queues.send(queue, message);
    };
    const earlier = this.held.get(queue);
    if (earlier) {
      clearTimeout(earlier.timer);
      this.held.delete(queue);
    }
    if (this.delivery.outOfOrder && !earlier) {
      const timer = setTimeout(() => (this.held.delete(queue), send(body)), OUT_OF_ORDER_HOLD_MS);
      timer.unref();
      this.held.set(queue, { body, timer });
      return;
    }
    send(body);
    // The earlier one goes after the one that overtook it.
    if (earlier) send(earlier.body);
  }

  recent(amazonOrderId?: string) {
    return this.sent.filter((s) => !amazonOrderId || s.amazonOrderId === amazonOrderId);
  }

  private changed(orders: OrderStore, sellerId: string, orderId: string): void {
    const subscribers = this.subscriptions.subscribersOf(sellerId, 'ORDER_CHANGE');
    if (!subscribers.length) return;
    const stored = orders.read(orderId);
    if (!stored) return;
    for (const subscription of subscribers) {
      const destination = this.subscriptions.destination(subscription.destinationId);
      const queue = destination && queueNameOf(destination.arn);
      if (!queue || !this.queues.has(queue)) continue;
      const notification = orderChangeNotification(stored.order, sellerId, subscription, this.clock.now());
      this.deliver(queue, JSON.stringify(notification));
      this.sent.push({ notificationId: notification.NotificationMetadata.NotificationId, amazonOrderId: orderId, publishTime: notification.NotificationMetadata.PublishTime, queue });
      if (this.sent.length > 10_000) this.sent.splice(0, this.sent.length - 10_000);
    }
    this.logger.debug?.(`ORDER_CHANGE for ${orderId} sent to ${subscribers.length} subscription(s)`);
  }
}

/** Amazon's ORDER_CHANGE notification for an order as it is now. */
export function orderChangeNotification(order: Order, sellerId: string, subscription: Pick<Subscription, 'subscriptionId' | 'clientId'>, now: Date) {
  const v0 = v0Order(order, { buyerInfo: false, shippingAddress: false });
  const status = String(v0.OrderStatus);
  // BuyerRequestedChange is Amazon's type for a buyer's cancellation request the seller has to answer; a cancelled order is an OrderStatusChange.
  const buyerRequest = status !== 'Canceled' && order.orderItems.some((item) => item.cancellation?.cancellationRequest?.requester === 'BUYER');
  return {
    NotificationVersion: '1.0',
    NotificationType: 'ORDER_CHANGE',
    PayloadVersion: '1.0',
    EventTime: now.toISOString(),
    Payload: {
      OrderChangeNotification: {
        NotificationLevel: 'OrderLevel',
        SellerId: sellerId,
        AmazonOrderId: order.orderId,
        OrderChangeType: buyerRequest ? 'BuyerRequestedChange' : 'OrderStatusChange',
        OrderChangeTrigger: { TimeOfOrderChange: order.lastUpdatedTime, ChangeReason: buyerRequest ? 'Buyer Requested Cancel' : status === 'Canceled' ? 'Order Canceled' : 'Order Status Changed' },
        Summary: {
          MarketplaceId: v0.MarketplaceId,
          OrderStatus: status,
          PurchaseDate: v0.PurchaseDate,
          DestinationPostalCode: order.recipient?.deliveryAddress?.postalCode,
          FulfillmentType: v0.FulfillmentChannel,
          OrderType: v0.OrderType,
          NumberOfItemsShipped: v0.NumberOfItemsShipped,
          NumberOfItemsUnshipped: v0.NumberOfItemsUnshipped,
          EarliestShipDate: v0.EarliestShipDate,
          LatestShipDate: v0.LatestShipDate,
          EarliestDeliveryDate: v0.EarliestDeliveryDate,
          LatestDeliveryDate: v0.LatestDeliveryDate,
          OrderItems: order.orderItems.map((item) => {
            const line = v0OrderItem(order, item, false);
            return { OrderItemId: item.orderItemId, SellerSKU: item.product.sellerSku, Quantity: item.quantityOrdered, QuantityShipped: line.QuantityShipped };
          }),
        },
      },
    },
    NotificationMetadata: {
      ApplicationId: subscription.clientId === DEVELOPMENT_SPAPI_APP.clientId ? DEVELOPMENT_SPAPI_APP.applicationId : `amzn1.sp.solution.${subscription.clientId}`,
      SubscriptionId: subscription.subscriptionId,
      PublishTime: now.toISOString(),
      NotificationId: randomUUID(),
    },
  };
}
