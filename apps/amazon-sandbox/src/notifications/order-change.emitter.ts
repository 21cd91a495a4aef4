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
 * (a batch is a seed, not a change).
 */
@Injectable()
export class OrderChangeEmitter {
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
      this.queues.send(queue, JSON.stringify(notification));
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
        OrderChangeType: status === 'Canceled' ? 'BuyerRequestedChange' : 'OrderStatusChange',
        OrderChangeTrigger: { TimeOfOrderChange: order.lastUpdatedTime, ChangeReason: status === 'Canceled' ? 'Order Canceled' : 'Order Status Changed' },
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
